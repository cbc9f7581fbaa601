"""参保登记's 待办 on the home page (linggao_pension.org.todos)."""

from django.urls import reverse

from linggao_pension.org.todos import Todo

from .models import ChangeRequest, EnrollmentApplication, ReviewStatus

RS = ReviewStatus


def _list(name: str, status: str) -> str:
    return f"{reverse(name)}?status={status}"


def todos(user) -> list[Todo]:
    items = []
    apps_ = EnrollmentApplication.objects.in_scope(user)
    changes = ChangeRequest.objects.in_scope(user)
    if user.has_perm("enrollment.submit_enrollmentapplication"):
        for status, label in ((RS.COUNTY_RETURNED, "县局退回的参保登记申请"), (RS.TOWN_RETURNED, "镇初审退回的参保登记申请")):
            items.append(Todo(label, apps_.filter(status=status).count(),
                              _list("enrollment:application_list", status), "修改后重新提交", "bad"))  # fmt: skip
        items.append(Todo("未提交的参保登记申请（草稿）", apps_.filter(status=RS.DRAFT).count(),
                          _list("enrollment:application_list", RS.DRAFT), "镇初审后提交县局"))  # fmt: skip
    if user.has_perm("enrollment.submit_changerequest"):
        items.append(Todo("退回的信息变更", changes.filter(status__in=[RS.TOWN_RETURNED, RS.COUNTY_RETURNED]).count(),
                          _list("enrollment:changerequest_list", RS.COUNTY_RETURNED), "", "bad"))  # fmt: skip
    if user.has_perm("enrollment.review_enrollmentapplication"):
        items.append(Todo("待县复核的参保登记申请", apps_.filter(status=RS.TOWN_APPROVED).count(),
                          _list("enrollment:application_list", RS.TOWN_APPROVED), "县复核通过后生成参保编号"))  # fmt: skip
    if user.has_perm("enrollment.review_changerequest"):
        items.append(Todo("待县复核的信息变更", changes.filter(status=RS.TOWN_APPROVED).count(),
                          _list("enrollment:changerequest_list", RS.TOWN_APPROVED)))  # fmt: skip
    return items
