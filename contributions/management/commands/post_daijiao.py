from django.core.management.base import BaseCommand

from ._batch import run_batch


class Command(BaseCommand):
    help = "政府代缴入账：为代缴对象记入该年度的政府代缴（已入账的不重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="代缴年度")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, year: int, json: bool, **options):
        run_batch(
            self, kind="contributions.post_daijiao", params={"year": year}, as_json=json,
            summary=lambda r: f"{r['year']} 年度政府代缴入账：{r['credited']} 人，合计 {r['total']} 元",
        )
