import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archives import services
from archives.models import Certificate
from enrollment.models import Person
from linggao_pension.org.models import User


class Command(BaseCommand):
    help = "签发参保缴费证明（contribution）或待遇领取证明（benefit），写出 PDF，并记入签发台账。"

    def add_arguments(self, parser):
        parser.add_argument("--id-number", required=True, help="参保人身份证号")
        parser.add_argument("--kind", required=True, choices=Certificate.Kind.values, help="contribution 或 benefit")
        parser.add_argument("--out", required=True, metavar="FILE.pdf", help="PDF 写到这里")
        parser.add_argument("--purpose", default="", help="用途（可选）")
        parser.add_argument("--by", metavar="USERNAME", help="记录为签发人的用户名（可选；缺省为命令行）")
        parser.add_argument("--json", action="store_true", help='输出 {"serial": ..., "code": ...}')

    def handle(self, *args, id_number: str, kind: str, out: str, purpose: str, by: str | None, json: bool, **options):
        person = Person.objects.filter(id_number=id_number.strip().upper()).first()
        if person is None:
            raise CommandError(f"没有该身份证号的参保人：{id_number}")
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户不存在：{by}")
        try:
            certificate = services.certificate_issue(person=person, kind=kind, by=user, purpose=purpose)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        path = Path(out).expanduser()
        certificate.pdf.open("rb")
        path.write_bytes(certificate.pdf.read())
        certificate.pdf.close()
        summary = {
            "serial": certificate.serial, "code": certificate.code, "kind": certificate.kind,
            "verify_url": services.verification_url(certificate.code), "out": str(path),
        }
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"已签发 {certificate.get_kind_display()} {certificate.serial}，验证码 {certificate.code}，PDF：{path}"
            ))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
