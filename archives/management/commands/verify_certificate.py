import json

from django.core.management.base import BaseCommand

from archives import rules, selectors


class Command(BaseCommand):
    help = "核验证明的验证码：有效时输出证明类型、编号、姓名（部分隐去）和签发日期。无效时退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="证明上的验证码（大小写、空格和连字符不影响）")
        parser.add_argument("--json", action="store_true", help='输出 {"valid": true|false, ...}')

    def handle(self, *args, code: str, json: bool, **options):
        valid, certificate = selectors.certificate_verify(code)
        data = {"valid": valid}
        if valid:
            data |= {
                "kind": certificate.kind, "kind_label": certificate.get_kind_display(), "serial": certificate.serial,
                "name": rules.name_masked(certificate.person_name), "issued_on": certificate.issued_on.isoformat(),
            }
        if json:
            self.stdout.write(_dumps(data))
        elif valid:
            self.stdout.write(self.style.SUCCESS(
                f"有效：{data['kind_label']} {data['serial']}，{data['name']}，签发于 {data['issued_on']}"
            ))
        else:
            self.stdout.write("无效：没有签发过带此验证码的证明，或证明内容已被改动")
        if not valid:
            raise SystemExit(1)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
