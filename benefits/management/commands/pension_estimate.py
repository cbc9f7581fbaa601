import json

from django.core.management.base import BaseCommand, CommandError

from benefits import selectors
from enrollment.models import Person
from linggao_pension import periods


class Command(BaseCommand):
    help = (
        "待遇测算：按参保人个人账户现有记录，计算若自指定年月起领取待遇时的缴费年限、个人账户储存额、"
        "个人账户养老金、基础养老金与月养老金（与县核定使用同一计算）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--id-number", required=True, help="身份证号")
        parser.add_argument("--start", required=True, help="待遇开始年月，YYYY-MM")
        parser.add_argument(
            "--json", action="store_true",
            help='输出 {"eligible", "reasons", "contribution_years", "account_balance", "account_pension", '
            '"basic_pension", "monthly_pension"}',
        )

    def handle(self, *args, id_number: str, start: str, json: bool, **options):
        try:
            start_month = periods.parse_month(start)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        person = Person.objects.filter(id_number=id_number.strip().upper()).first()
        if person is None:
            raise CommandError(f"未找到身份证号为 {id_number} 的参保人")
        calc = selectors.pension_calculation(person=person, start=start_month)
        data = calc.as_json()
        if json:
            self.stdout.write(_dumps(data))
            return
        self.stdout.write(f"{person.name}：自{periods.format_month(calc.start)}起领取的待遇测算")
        self.stdout.write(f"  累计缴费年限 {data['contribution_years']} 年（应缴 {calc.required_years} 年）")
        self.stdout.write(f"  个人账户储存额 {data['account_balance']} 元（含当年过渡期利息 {calc.snapshot.interim_interest} 元）")
        self.stdout.write(f"  个人账户养老金 {data['account_pension']} 元/月（储存额 ÷ {calc.divisor}）")
        self.stdout.write(f"  基础养老金 {data['basic_pension']} 元/月")
        self.stdout.write(f"  月养老金 {data['monthly_pension']} 元")
        if calc.eligible:
            self.stdout.write(self.style.SUCCESS("  符合领取条件"))
        for reason in calc.reasons:
            self.stdout.write(self.style.WARNING(f"  不符合：{reason}"))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
