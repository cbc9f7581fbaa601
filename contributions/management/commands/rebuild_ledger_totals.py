from django.core.management.base import BaseCommand

from contributions.services import ledger_totals_rebuild


class Command(BaseCommand):
    help = "重算个人账户分录月汇总（统计月报使用）：按全部分录重新汇总。数据绕过记账服务批量导入后运行。"

    def handle(self, *args, **options):
        self.stdout.write(f"个人账户分录月汇总已重算：{ledger_totals_rebuild()} 行")
