"""The one masking rule for personal data (身份证号, 联系电话, 银行账号) on every page, PDF and Excel.

A user sees the full numbers when they hold `enrollment.view_person_full` (county clerks, auditors,
and town agents, who only ever see their own town's people: the querysets scope them); every other
role (finance, managers, anyone without the permission) sees them masked:

- 身份证号 460028********1234 (first 6 and last 4), 电话 138****5678, 账号 ************1234.

Templates: `{{ person.id_number|id_for:user }}`, `|phone_for:user`, `|account_for:user` (PDFs get the
user as `viewer`). Python (Excel): `shown_id(value, user)` etc. Documents that legally need the full
number whoever prints them (the bank's payment file and its return template, a certificate issued
to the person) do not go through here: they say so on the page and in the access log.
"""

from linggao_pension.templatetags.formatting import account_masked, id_masked, phone_masked

FULL_VIEW_PERM = "enrollment.view_person_full"
MASKED_NOTE = "身份证号、电话、账号已部分隐藏（需“查看参保人完整信息”权限）"


def sees_full(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(FULL_VIEW_PERM))


def shown_id(value, user) -> str:
    return str(value or "") if sees_full(user) else id_masked(value)


def shown_phone(value, user) -> str:
    return str(value or "") if sees_full(user) else phone_masked(value)


def shown_account(value, user) -> str:
    return str(value or "") if sees_full(user) else account_masked(value)
