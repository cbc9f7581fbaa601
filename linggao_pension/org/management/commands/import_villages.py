import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linggao_pension.org.models import User
from linggao_pension.org.services import jobrun_create, jobrun_execute
from linggao_pension.org.villages import IMPORT_KIND


class Command(BaseCommand):
    help = (
        "导入村/居委会名单（Excel .xlsx，表头：镇/农场、村/居委会、区划代码；区划代码可留空，由系统按镇代码编码）。"
        "整个文件校验通过才导入；任何一行有错则不导入任何数据，列出每个错误，退出码非零。已有的村跳过，重复导入不会重复添加。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--json", action="store_true", help='输出 {"imported": N, "skipped": N, "errors": [...]}')
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
        job = jobrun_create(kind=IMPORT_KIND, by=user, params={"path": str(path), "filename": path.name})
        refused = None
        try:
            jobrun_execute(job=job)
        except ValidationError as exc:
            refused = "；".join(exc.messages)
        job.refresh_from_db()
        summary = {
            "imported": job.result.get("imported", 0), "skipped": job.result.get("skipped", 0),
            "errors": job.result.get("errors", []),
        }
        if json:
            self.stdout.write(_dumps(summary))
        elif refused:
            for error in summary["errors"]:
                self.stdout.write(f"第 {error['row']} 行 {error['column']}：{error['message']}")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"已导入 {summary['imported']} 个村/居委会，跳过已有的 {summary['skipped']} 个（任务 #{job.pk}）"
            ))
        if refused:
            raise CommandError(refused)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
