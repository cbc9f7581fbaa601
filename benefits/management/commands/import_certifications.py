import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.services.certification import certifications_import
from linggao_pension.org.models import User
from linggao_pension.org.services import system_user


class Command(BaseCommand):
    help = (
        "导入省自助认证系统的领取资格认证结果（Excel .xlsx，表头：身份证号、认证日期、认证方式）。整个文件校验通过才导入；"
        "任何一行有错则不导入任何数据，列出每个错误，退出码非零。认证后恢复因未认证暂停（1201）的待遇，下次发放补发。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--json", action="store_true", help='输出 {"imported": N, "errors": [...]}')
        parser.add_argument("--by", metavar="USERNAME", help="记录为经办人的用户名（可选，默认记为系统）")

    def handle(self, *args, file: str, json: bool, by: str | None, **options):
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = system_user()
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户不存在：{by}")
        refused = None
        try:
            with path.open("rb") as f:
                result = certifications_import(file=f, by=user)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from None
        data = result.as_dict()
        summary = {"imported": result.imported if result.ok else 0, "errors": data.get("errors", [])}
        if not result.ok:
            refused = f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据"
        if json:
            self.stdout.write(_dumps(summary))
        else:
            for error in summary["errors"]:
                self.stdout.write(f"第 {error['row']} 行 {error['column']}：{error['message']}")
            if not refused:
                self.stdout.write(self.style.SUCCESS(f"已导入 {summary['imported']} 条认证结果"))
        if refused:
            raise CommandError(refused or "导入失败")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
