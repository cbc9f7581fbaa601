from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linggao_pension.org.models import User
from reports.models import BuiltReport
from reports.services import statistical


class Command(BaseCommand):
    help = (
        "生成并存档某月的统计月报（monthly）或基金收支月报（fund），把所选格式写到 --out。"
        "每次生成一个新版本，已存档的版本不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=BuiltReport.Kind.values, help="monthly 统计月报；fund 基金收支月报")
        parser.add_argument("--month", required=True, help="报表月份 YYYY-MM")
        parser.add_argument("--format", required=True, choices=statistical.FORMATS, dest="fmt",
                            help='xlsx、pdf，或 json：{"month", "towns": [...], "total": {...}}')
        parser.add_argument("--out", required=True, help="输出文件路径")
        parser.add_argument("--by", metavar="USERNAME", help="记录为生成人的用户名（默认：系统用户）")

    def handle(self, *args, kind, month, fmt, out, by, **options):
        try:
            month = statistical.parse_report_month(month, today=timezone.localdate())
            user = _actor(by)
            report = statistical.report_build(kind=kind, month=month, by=user)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from None
        content = statistical.report_file(report, fmt)
        with open(out, "wb") as fh:
            fh.write(content)
        self.stderr.write(f"{report.label} 已存档（#{report.pk}），{fmt} 已写入 {out}")


def _actor(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user
    return statistical.system_actor()
