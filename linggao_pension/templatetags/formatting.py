"""Display filters used by every template: money, periods, masked personal data."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import format_html

from linggao_pension import money as money_lib
from linggao_pension import periods

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 -> '1,234.50' (元, two places)."""
    if value in (None, ""):
        return ""
    amount = money_lib.quantize(Decimal(value))
    return f"{amount:,.2f}"


@register.filter
def money_capital(value) -> str:
    if value in (None, ""):
        return ""
    return money_lib.chinese_capital(Decimal(value))


@register.filter
def period(value) -> str:
    """A month start date -> '2026年03月'."""
    if not isinstance(value, date):
        return value or ""
    return periods.format_month(value)


def mask(text: str, keep_start: int, keep_end: int) -> str:
    text = text or ""
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


@register.filter
def id_masked(value) -> str:
    """身份证号: 460028********1234 (first 6 and last 4 shown)."""
    return mask(str(value or ""), 6, 4)


@register.filter
def phone_masked(value) -> str:
    """联系电话: 138****5678."""
    return mask(str(value or ""), 3, 4)


@register.filter
def account_masked(value) -> str:
    """银行账号: last 4 digits only."""
    return mask(str(value or ""), 0, 4)


# The one rule (linggao_pension.masking): full for users with the full-view permission, masked otherwise.
@register.filter
def id_for(value, user) -> str:
    from linggao_pension.masking import shown_id

    return shown_id(value, user)


@register.filter
def phone_for(value, user) -> str:
    from linggao_pension.masking import shown_phone

    return shown_phone(value, user)


@register.filter
def account_for(value, user) -> str:
    from linggao_pension.masking import shown_account

    return shown_account(value, user)


@register.filter
def sees_full(user) -> bool:
    from linggao_pension.masking import sees_full as rule

    return rule(user)


@register.simple_tag
def status_badge(label: str, tone: str = "") -> str:
    return format_html('<span class="badge {}">{}</span>', tone, label)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links); a parameter
    given as None is dropped, and so are the keyset cursors (after, before) unless given."""
    params = context["request"].GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    for key, value in kwargs.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_link(context, link: dict) -> str:
    """The current query string with the page parameters of a keyset page's link (KeysetPage.next_link)."""
    return query_with(context, **{"page": None, **link})
