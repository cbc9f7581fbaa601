import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from contributions import selectors
from enrollment.models import Person


class Command(BaseCommand):
    help = "个人账户对账：余额、分项余额与缴费年限。"

    def add_arguments(self, parser):
        parser.add_argument("--id-number", required=True, help="身份证号")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, id_number: str, json: bool, **options):
        person = Person.objects.filter(id_number=id_number.strip().upper()).first()
        if person is None:
            raise CommandError(f"未找到身份证号为 {id_number} 的参保人")
        summary = selectors.account_summary(person=person)
        if json:
            self.stdout.write(jsonlib.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(f"{person.name} 账户余额 {summary['balance']} 元，缴费年限 {summary['contribution_years']} 年")
        for label, amount in summary["by_source"].items():
            self.stdout.write(f"  {label}：{amount} 元")
