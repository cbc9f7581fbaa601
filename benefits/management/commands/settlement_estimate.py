import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.services.settlement import SETTLEMENT_REASONS, settlement_estimate
from enrollment.models import Person


class Command(BaseCommand):
    help = "按现有记录测算终止时的个人账户结算（死亡：继承额、多发待遇、应追回金额），不保存任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("--id-number", required=True, help="身份证号")
        parser.add_argument("--reason", required=True, help="结算原因：" + "、".join(sorted(SETTLEMENT_REASONS)))
        parser.add_argument("--date", required=True, help="死亡（或终止）日期 YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, id_number: str, reason: str, date: str, json: bool, **options):
        from datetime import date as date_type

        try:
            day = date_type.fromisoformat(date)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from None
        person = Person.objects.filter(id_number=id_number.strip().upper()).first()
        if person is None:
            raise CommandError(f"未找到身份证号为 {id_number} 的参保人")
        try:
            result = settlement_estimate(person=person, reason=reason, on=day)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        data = result.as_json()
        if json:
            self.stdout.write(_dumps(data))
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {value}")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
