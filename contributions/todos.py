"""保费征缴's 待办 on the home page (linggao_pension.org.todos)."""

from django.urls import reverse

from linggao_pension.org.todos import Todo

from .models import Receipt


def todos(user) -> list[Todo]:
    items = []
    collected = Receipt.objects.in_scope(user).filter(status=Receipt.Status.COLLECTED)
    url = f"{reverse('contributions:receipt_list')}?status={Receipt.Status.COLLECTED}"
    if user.has_perm("contributions.confirm_receipt"):
        items.append(Todo("待划拨确认的缴费票据", collected.count(), url, "确认后保费和补贴才记入个人账户"))
    elif user.has_perm("contributions.add_receipt"):
        items.append(Todo("已收款、待县局确认的票据", collected.count(), url, "县局财务确认后记入个人账户"))
    return items
