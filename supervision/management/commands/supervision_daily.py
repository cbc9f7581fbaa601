from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from supervision.services.daily import daily_run


class Command(BaseCommand):
    help = "监督检查每日任务：监督报告送达10日后仍未收到书面意见的，记录“逾期视同无异议”（每件只记录一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期执行（YYYY-MM-DD，默认今天）")

    def handle(self, *args, today: str | None, **options):
        day = date.fromisoformat(today) if today else timezone.localdate()
        job = daily_run(today=day)
        self.stdout.write(f"逾期视同无异议 {job.result.get('deemed', 0)} 件（任务 #{job.pk}）")
