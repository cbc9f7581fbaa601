from django.core.management.base import BaseCommand, CommandError

from linggao_pension import periods

from ._batch import run_batch


class Command(BaseCommand):
    help = "月末上缴财政专户：将截至该月末已确认、未上缴的保费生成该月上缴单（重复运行不会重复上缴）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份，YYYY-MM")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, month: str, json: bool, **options):
        try:
            month_start = periods.parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        run_batch(
            self, kind="contributions.remit_premiums", params={"month": f"{month_start:%Y-%m}"}, as_json=json,
            summary=lambda r: (
                f"已生成 {month_start:%Y-%m} 上缴单：{r['receipts']} 张票据，合计 {r['total']} 元"
                if r["created"] else f"{month_start:%Y-%m} 没有新的待上缴保费，未生成上缴单"
            ),
        )
