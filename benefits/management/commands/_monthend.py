"""What the month-end commands share: the month's run, the acting user, errors as CommandError."""

import json

from django.core.management.base import CommandError

from benefits.models import PayrollRun
from linggao_pension import periods
from linggao_pension.org.models import User


def run_for(month: str) -> PayrollRun:
    try:
        pay_month = periods.parse_month(month)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    run = PayrollRun.objects.filter(month=pay_month).first()
    if run is None:
        raise CommandError(f"{periods.format_month(pay_month)}的发放尚未生成")
    return run


def user_for(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户不存在：{username}")
    return user


def refusal(exc) -> CommandError:
    return CommandError("；".join(getattr(exc, "messages", None) or [str(exc)]))


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
