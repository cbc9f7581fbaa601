"""监督检查's 待办 on the home page (linggao_pension.org.todos): the contributors a verified
suspicious-data check found dead, whose town still has to enter the termination (6401)."""

from django.urls import reverse

from linggao_pension.org.todos import Todo

from . import selectors


def todos(user) -> list[Todo]:
    if not user.has_perm("enrollment.submit_relationshipapplication"):
        return []
    return [Todo("稽核核实死亡、待办理注销的缴费人员", selectors.deaths_awaiting_application(user).count(),
                 reverse("supervision:death_followups"), "录入参保人死亡注销申请，结算个人账户", "bad")]
