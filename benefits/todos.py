"""待遇's 待办 on the home page (linggao_pension.org.todos)."""

from django.urls import reverse
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.org.todos import Todo
from linggao_pension.workflow import RS, flow_of, not_prepared_by

from .models import BenefitClaim, DeathReport, DelegatedPayee, PayrollRun, Pension, SuspensionRequest
from .selectors import scheme_parameters

CS = BenefitClaim.Status


def _review_todos(user, model, noun: str, list_name: str, *, returned: str, waiting: str) -> list[Todo]:
    """A reviewed record type's two to-dos: the town's returned records, the county's records awaiting
    review that the user did not prepare (maker-checker: those are left for another clerk)."""
    flow, records, url = flow_of(model), model.objects.in_scope(user), reverse(f"benefits:{list_name}")
    items = []
    if user.has_perm(flow.submit_perm):
        items.append(Todo(f"退回的{noun}", records.filter(status=RS.COUNTY_RETURNED).count(),
                          f"{url}?status={RS.COUNTY_RETURNED}", returned, "bad"))  # fmt: skip
    if user.has_perm(flow.review_perm):
        waiting_qs = records.filter(not_prepared_by(model, user), status=RS.TOWN_APPROVED)
        items.append(Todo(f"待县复核的{noun}", waiting_qs.count(), f"{url}?review=mine", waiting))
    return items


def todos(user) -> list[Todo]:
    items = []
    claims = BenefitClaim.objects.in_scope(user)
    claim_list = reverse("benefits:claim_list")
    if user.has_perm("benefits.submit_claim"):
        items.append(Todo("退回的待遇申领", claims.filter(status=CS.RETURNED).count(),
                          f"{claim_list}?status={CS.RETURNED}", "补齐材料后重新申报", "bad"))  # fmt: skip
    if user.has_perm("benefits.determine_claim"):
        items.append(Todo("待县核定的待遇申领", claims.filter(status=CS.TOWN_REVIEWED).count(),
                          f"{claim_list}?status={CS.TOWN_REVIEWED}", "核定后打印养老金计算表"))  # fmt: skip
    items += _review_todos(user, SuspensionRequest, "暂停/恢复领取申请", "suspension_request_list",
                           returned="按复核意见修改后重新提交，或撤销", waiting="核对依据和证明材料后复核")
    items += _review_todos(user, DeathReport, "死亡登记", "death_list",
                           returned="按复核意见修改后重新提交，或撤销", waiting="核实死亡信息后复核，复核通过即停发")
    if user.has_perm("benefits.manage_delegated"):
        pending = (DelegatedPayee.objects.in_scope(user).filter(status=DelegatedPayee.Status.PENDING)
                   .exclude(created_by=user))
        first = pending.order_by("programme_id").first()
        url = (reverse("benefits:programme_detail", args=[first.programme_id]) + "?status=0" if first
               else reverse("benefits:programme_list"))
        items.append(Todo("待复核的代发对象", pending.count(), url, "核对服务年限后复核，复核通过才发放"))
    if user.has_perm("benefits.review_payroll"):
        # Maker-checker: a payroll waits for a finance user who did not generate it.
        waiting = PayrollRun.objects.filter(status=PayrollRun.Status.GENERATED).exclude(generated_by=user)
        run = waiting.order_by("month").first()
        url = reverse("benefits:payroll_detail", args=[run.pk]) if run else reverse("benefits:payroll_list")
        items.append(Todo("待复核的月度发放", waiting.count(), url, "复核后导出银行代发文件"))
    if user.has_perm("benefits.view_pension"):
        cycle = scheme_parameters().certification_cycle_months
        due_before = periods.add_months(timezone.localdate(), -cycle)
        overdue = Pension.objects.in_scope(user).filter(status=Pension.Status.ACTIVE, last_certified_on__lt=due_before)
        items.append(Todo("超期未认证的领取人员", overdue.count(), reverse("benefits:pension_list"),
                          f"最近认证已超过{cycle}个月", "bad"))  # fmt: skip
    return items
