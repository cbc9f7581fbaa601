"""监督检查's 待办 on the home page (linggao_pension.org.todos): for a town, the contributors a
verified suspicious-data check found dead whose termination is still to enter (6401), and the
supervision reports awaiting its written opinion (五(1)③: within 10 days, else 逾期视同无异议); for a
bureau leader, the penalty proposals awaiting approval that they did not prepare; for an auditor,
the proposals returned to be corrected."""

from django.urls import reverse

from linggao_pension.org.todos import Todo
from linggao_pension.workflow import RS, not_prepared_by

from . import selectors
from .models import Inspection, PenaltyProposal


def _list(name: str, status: str) -> str:
    return f"{reverse(name)}?status={status}"


def todos(user) -> list[Todo]:
    items = []
    if user.has_perm("enrollment.submit_relationshipapplication"):
        items.append(Todo("稽核核实死亡、待办理注销的缴费人员", selectors.deaths_awaiting_application(user).count(),
                          reverse("supervision:death_followups"), "录入参保人死亡注销申请，结算个人账户", "bad"))  # fmt: skip
    if user.has_perm("supervision.respond_inspection") and user.town_id is not None:
        waiting = Inspection.objects.filter(town_id=user.town_id, status=Inspection.Status.REPORT_SENT)
        items.append(Todo("待提出书面意见的监督报告", waiting.count(),
                          _list("supervision:inspection_list", Inspection.Status.REPORT_SENT),
                          f"接到监督报告{Inspection.OPINION_DAYS}日内提出书面意见，逾期视同无异议", "bad"))  # fmt: skip
    proposals = PenaltyProposal.objects.in_scope(user)
    if user.has_perm("supervision.approve_penalty"):
        awaiting = proposals.filter(status=RS.TOWN_APPROVED).filter(not_prepared_by(PenaltyProposal, user))
        items.append(Todo("待审批的行政处理处罚意见", awaiting.count(),
                          _list("supervision:penalty_list", RS.TOWN_APPROVED), "批准后送达执行，或附意见退回"))  # fmt: skip
    if user.has_perm("supervision.propose_penalty"):
        items.append(Todo("局领导退回的行政处理处罚意见", proposals.filter(status=RS.COUNTY_RETURNED).count(),
                          _list("supervision:penalty_list", RS.COUNTY_RETURNED), "修改后重新提交", "bad"))  # fmt: skip
    return items
