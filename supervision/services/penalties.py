"""行政处理处罚意见（报批）, the seed's 六(2): proposed by the audit section, approved by a bureau
leader before it is sent (报有权处理的行政主管部门审批后执行).

An auditor drafts a proposal (`penalty_create`, from an inspection or a 举报), corrects it
(`penalty_update`) and submits it; a bureau leader approves it or returns it with an opinion. Every
step is `review_move(record=proposal, to=RS.X, by=, opinion=)` with PENALTY_FLOW (the shared
workflow, linggao_pension.workflow): submit = 镇初审通过 (the drafting side's step, permission
supervision.propose_penalty), approve = 县复核通过 and return = 县复核退回 (permission
supervision.approve_penalty); the drafter, any editor and the submitter never approve it. The
approval creates the proposal's Referral (已移送/已批准送达), whose answer is recorded like any
other referral's (onsite.referral_answer).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
)

from ..models import Inspection, PenaltyProposal, Referral, WhistleReport
from .common import next_number, require_perm, require_town, required_text

PROPOSE = "supervision.propose_penalty"
APPROVE = "supervision.approve_penalty"
DEFAULT_RECIPIENT = "临高县人力资源和社会保障局"
FIELDS = ("subject", "facts", "proposal", "recipient")


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values = {}
    for name, message in (("subject", "请填写涉及单位或个人"), ("facts", "请填写事实与依据"),
                          ("proposal", "请写明处理处罚意见（如责令退回、处骗取金额2-5倍罚款）")):  # fmt: skip
        try:
            values[name] = required_text(data.get(name, ""), name, message)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    values["recipient"] = (data.get("recipient") or "").strip() or DEFAULT_RECIPIENT
    return values


@transaction.atomic
def penalty_create(
    *, data: dict, by, inspection: Inspection | None = None, report: WhistleReport | None = None
) -> PenaltyProposal:
    """A draft (草稿) proposal about the town of its inspection or 举报; the drafter submits it."""
    require_perm(by, PROPOSE, "只有稽核股可以拟定行政处理处罚意见")
    source = inspection or report
    if source is None:
        raise ValidationError("行政处理处罚意见须来自现场监督或举报")
    require_town(by, source.town_id)
    if inspection is not None and inspection.status == Inspection.Status.CANCELLED:
        raise ValidationError("该现场监督已撤销，不能拟定处理处罚意见")
    proposal = PenaltyProposal.objects.create(
        number=next_number("罚", timezone.localdate().year), town_id=source.town_id, inspection=inspection,
        report=report, created_by=by, **_clean(data),
    )  # fmt: skip
    review_mark_created(proposal, by=by)
    return proposal


@transaction.atomic
def penalty_update(*, proposal: PenaltyProposal, data: dict, by) -> PenaltyProposal:
    """Correct a draft or a returned proposal; whoever edits it never approves it."""
    require_perm(by, PROPOSE, "您没有修改行政处理处罚意见的权限")
    proposal = PenaltyProposal.objects.select_for_update().get(pk=proposal.pk)
    review_check_editable(proposal, by=by, flow=PENALTY_FLOW)
    for name, value in _clean(data).items():
        setattr(proposal, name, value)
    proposal._history_user = by
    proposal.save()
    review_mark_edited(proposal, by=by)
    return proposal


def _approved(proposal: PenaltyProposal, by) -> None:
    """批准: the proposal is sent, as the Referral of kind 行政处理处罚意见 (dated today, its 经办人
    the drafter), which then receives its answer like any referral."""
    today = timezone.localdate()
    proposal.referral = Referral.objects.create(
        number=next_number("移", today.year), kind=Referral.Kind.PENALTY, inspection_id=proposal.inspection_id,
        report_id=proposal.report_id, town_id=proposal.town_id, subject=proposal.subject, facts=proposal.facts,
        proposal=proposal.proposal, recipient=proposal.recipient, sent_on=today, created_by_id=proposal.created_by_id,
    )  # fmt: skip


PENALTY_FLOW = ReviewFlow(
    noun="行政处理处罚意见",
    # the drafting side has no one to return it to: the drafter corrects and resubmits it
    no_town_return="行政处理处罚意见由拟稿人修改后重新报批，没有初审退回",
    submit_perm=PROPOSE,
    review_perm=APPROVE,
    on_approve=_approved,
    checker="其他局领导",
    default_opinions={RS.TOWN_APPROVED: "拟定完毕，报请局领导审批", RS.COUNTY_APPROVED: "同意，送达执行"},
    done={
        RS.TOWN_APPROVED: "已报局领导审批",
        RS.COUNTY_APPROVED: "已批准，处理处罚意见已送达（可打印送达函、登记反馈结果）",
        RS.COUNTY_RETURNED: "已退回拟稿人修改",
        RS.CANCELLED: "处理处罚意见已撤销",
    },
    labels={"submit": "提交局领导审批", "approve": "批准（送达执行）", "county_return": "退回修改"},
)
