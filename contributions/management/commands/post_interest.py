from django.core.management.base import BaseCommand

from ._batch import run_batch


class Command(BaseCommand):
    help = "年度结息：当年利息 = 上年末余额 × 当年记账利率，记入“利息”分项（12月31日）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="结息年度")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, year: int, json: bool, **options):
        run_batch(
            self, kind="contributions.post_interest", params={"year": year}, as_json=json,
            summary=lambda r: f"{r['year']} 年度结息完成：{r['accounts']} 个账户，利息合计 {r['total']} 元",
        )
