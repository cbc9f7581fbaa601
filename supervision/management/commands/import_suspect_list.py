import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linggao_pension.org.models import User
from linggao_pension.org.services import jobrun_create, jobrun_execute
from supervision.services.suspects import IMPORT_JOB, LIST_KINDS


class Command(BaseCommand):
    help = (
        "导入外部比对名单（Excel .xlsx）并与参保、待遇、发放数据比对，生成疑点。表头：deaths 身份证号、姓名、死亡日期；"
        "employee_pensions 身份证号、姓名、职工养老金开始年月；prison 身份证号、姓名、服刑开始日期、服刑结束日期。"
        "任何一行有错则不导入，列出每个错误，退出码非零；同一名单重复导入不会新增疑点。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=LIST_KINDS, help="名单类型")
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--json", action="store_true",
                            help='输出 {"rows", "matched", "new_items", "items": [{"id_number", "kind", "months", "amount"}]}')
        parser.add_argument("--by", metavar="USERNAME", help="记录为经办人的用户名（稽核员，可选）")

    def handle(self, *args, kind: str, file: str, json: bool, by: str | None, **options):
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户不存在：{by}")
        job = jobrun_create(kind=IMPORT_JOB, by=user, params={"kind": kind, "path": str(path), "filename": path.name})
        refused = None
        try:
            jobrun_execute(job=job)
        except ValidationError as exc:
            refused = "；".join(exc.messages)
        except Exception as exc:  # PermissionDenied for a --by user who may not import
            refused = str(exc)
        job.refresh_from_db()
        if refused:
            errors = job.result.get("errors", [])
            if json:
                self.stdout.write(_dumps({"rows": 0, "matched": 0, "new_items": 0, "items": [], "errors": errors}))
            else:
                for error in errors:
                    self.stdout.write(f"第 {error['row']} 行 {error['column']}：{error['message']}")
            raise CommandError(refused)
        summary = {key: job.result[key] for key in ("rows", "matched", "new_items", "items")}
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"名单 {summary['rows']} 行，匹配参保人 {summary['matched']} 人，新增疑点 {summary['new_items']} 条"
                f"（共涉及 {len(summary['items'])} 条，任务 #{job.pk}）"
            ))  # fmt: skip


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
