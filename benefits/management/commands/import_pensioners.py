import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.services import IMPORT_JOB
from linggao_pension.org.models import User
from linggao_pension.org.services import jobrun_create, jobrun_execute


class Command(BaseCommand):
    help = (
        "导入原系统中已在领取待遇的人员（Excel .xlsx，表头：身份证号、待遇开始年月、基础养老金、个人账户养老金、"
        "个人账户余额、银行名称、银行账号、最近认证日期）。整个文件校验通过才导入；任何一行有错则不导入任何数据，"
        "列出每个错误，退出码非零。基础养老金与导入当月标准不一致列为警告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument(
            "--json", action="store_true", help='输出 {"imported": N, "errors": [...]}（有警告时另含 "warnings"）'
        )
        parser.add_argument("--by", metavar="USERNAME", help="记录为经办人的用户名（可选）")

    def handle(self, *args, file: str, json: bool, by: str | None, **options):
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户不存在：{by}")
        job = jobrun_create(kind=IMPORT_JOB, by=user, params={"path": str(path), "filename": path.name})
        refused = None
        try:
            jobrun_execute(job=job)
        except ValidationError as exc:
            refused = "；".join(exc.messages)
        job.refresh_from_db()
        summary = {"imported": job.result.get("imported", 0), "errors": job.result.get("errors", [])}
        if job.result.get("warnings"):
            summary["warnings"] = job.result["warnings"]
        if json:
            self.stdout.write(_dumps(summary))
        else:
            for error in summary["errors"]:
                self.stdout.write(f"第 {error['row']} 行 {error['column']}：{error['message']}")
            for warning in summary.get("warnings", []):
                self.stdout.write(f"警告：第 {warning['row']} 行 {warning['column']}：{warning['message']}")
            if not refused:
                self.stdout.write(self.style.SUCCESS(f"已导入 {summary['imported']} 名待遇领取人员（任务 #{job.pk}）"))
        if refused:
            raise CommandError(refused)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
