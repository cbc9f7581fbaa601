"""The one review workflow: 草稿 → 镇初审通过 / 镇初审退回 → 县复核通过 / 县复核退回, or 已撤销.

Any record type that a town prepares and the county reviews plugs in (enrollment applications,
change requests; transfers, terminations, suspensions, deaths, write-offs...):

1. Its model inherits `Reviewable` (status, town, created_by, submitted_by, reviewed_by, opinions,
   and `status_changes`, its rows in the one org.StatusChange table) and names its flow:
   `review_flow = "myapp.services.things.THING_FLOW"`.
2. The app's services module defines the flow: `THING_FLOW = ReviewFlow(noun=..., submit_perm=...,
   review_perm=..., on_approve=_thing_approved, before_move=...)`. `on_approve(record, by)` does
   the record type's own work in the same transaction (creates the person, applies the change).
3. Its create/update services check their own data and call `review_mark_created(record, by=)` /
   `review_mark_edited(record, by=)`; every step is `review_move(record=, to=, by=, opinion=)`.
4. Pages show `review_actions(record, user)` buttons and post to the five routes of
   `linggao_pension.workflow_views.review_paths(...)`; templates include `review/_actions.html`
   and `review/_steps.html`.

`review_move` checks, in order: the permission of the step (submit_perm for the town's steps,
review_perm for the county's), the town (404 outside it), the allowed move, maker-checker (the
creator, the submitter and every user who edited the record never take a county step), the opinion
(required to return or withdraw), the flow's own checks; then it writes the fields, the history
and the status-change row.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from linggao_pension.org.access import can_act_for_town, has_perm, require_perm, require_town
from linggao_pension.states import Moves, state_move, state_record


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    TOWN_APPROVED = "town_approved", "镇初审通过"
    TOWN_RETURNED = "town_returned", "镇初审退回"
    COUNTY_APPROVED = "county_approved", "县复核通过"
    COUNTY_RETURNED = "county_returned", "县复核退回"
    CANCELLED = "cancelled", "已撤销"


RS = ReviewStatus
# A returned record is corrected and resubmitted (镇初审通过 again); a record never approved may be
# withdrawn (已撤销), which frees whatever it held (an ID number, a person's open change).
ReviewStatus.moves = Moves(
    ReviewStatus,
    {
        RS.DRAFT: {RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED},
        RS.TOWN_RETURNED: {RS.TOWN_APPROVED, RS.CANCELLED},
        RS.TOWN_APPROVED: {RS.COUNTY_APPROVED, RS.COUNTY_RETURNED},
        RS.COUNTY_RETURNED: {RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED},
    },
)
OPEN_REVIEW_STATUSES = [RS.DRAFT, RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.COUNTY_RETURNED]
EDITABLE_REVIEW_STATUSES = [RS.DRAFT, RS.TOWN_RETURNED, RS.COUNTY_RETURNED]
TOWN_STEPS = (RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED)
COUNTY_STEPS = (RS.COUNTY_APPROVED, RS.COUNTY_RETURNED)
NEEDS_OPINION = (RS.TOWN_RETURNED, RS.COUNTY_RETURNED, RS.CANCELLED)

# The verb of each step: in refusals ("不能撤销"), as the history's reason and the page's buttons.
STEP_VERBS = {
    RS.TOWN_APPROVED: "提交（镇初审通过）",
    RS.TOWN_RETURNED: "镇初审退回",
    RS.COUNTY_APPROVED: "县复核通过",
    RS.COUNTY_RETURNED: "县复核退回",
    RS.CANCELLED: "撤销",
}
DEFAULT_DONE = {
    RS.TOWN_APPROVED: "镇初审通过，已提交县局复核",
    RS.TOWN_RETURNED: "已镇初审退回",
    RS.COUNTY_APPROVED: "县复核通过",
    RS.COUNTY_RETURNED: "已县复核退回",
    RS.CANCELLED: "已撤销",
}


class Reviewable(models.Model):
    """A record that goes through 镇初审 → 县复核, with who did each step and their opinion.

    A subclass may redeclare `town` (its related_name, its label). `review_flow` is the dotted path
    of its ReviewFlow.
    """

    Status = ReviewStatus
    review_flow: str = ""

    status = models.CharField("状态", max_length=16, choices=ReviewStatus, default=ReviewStatus.DRAFT, db_index=True)
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    town_opinion = models.TextField("镇初审意见", blank=True)
    county_opinion = models.TextField("县复核意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="初审人"
    )
    submitted_at = models.DateTimeField("初审时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="复核人"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    status_changes = GenericRelation("org.StatusChange")

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_REVIEW_STATUSES


@dataclass(frozen=True)
class ReviewFlow:
    """What one record type brings to the workflow."""

    noun: str  # 参保登记申请, 信息变更 ... (in messages)
    submit_perm: str  # the town's steps: submit (镇初审通过), 镇初审退回, 撤销, and editing
    review_perm: str  # the county's steps: 县复核通过, 县复核退回
    on_approve: Callable | None = None  # (record, by) -> None, in the approval's transaction
    before_move: Callable | None = None  # (record, to) -> None: the type's own refusals (ValidationError)
    default_opinions: Mapping[str, str] = field(default_factory=dict)  # opinion when none is given
    done: Mapping[str, str] = field(default_factory=dict)  # the page's message after each step
    select_related: tuple[str, ...] = ()  # fetched with the locked record (for before_move/on_approve)
    # the buttons' words by step ("submit", "approve", "county_return" ...; review/_actions.html)
    labels: Mapping[str, str] = field(default_factory=dict)
    # A record recorded and submitted at once has no 镇初审退回: the refusal given for it (the button hidden).
    no_town_return: str = ""
    checker: str = "其他县局经办员"  # who must take the county step instead of a maker (in the refusal)
    done_for: Callable | None = None  # (record, to) -> str | None: a message that depends on the record

    def perm_for(self, to: str) -> str:
        return self.review_perm if to in COUNTY_STEPS else self.submit_perm

    def done_message(self, to: str, record=None) -> str:
        if self.done_for is not None and record is not None and (message := self.done_for(record, to)):
            return message
        return self.done.get(to) or DEFAULT_DONE[to]


def flow_of(record_or_model) -> ReviewFlow:
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    return import_string(model.review_flow)


def _lock(record, flow: ReviewFlow):
    qs = type(record).objects.select_for_update(of=("self",))
    if flow.select_related:
        qs = qs.select_related(*flow.select_related)
    return qs.get(pk=record.pk)


# --- maker-checker ---------------------------------------------------------------------------------


def review_makers(record) -> set[int]:
    """The users who prepared `record`: its creator, its submitter(s), everyone who edited it."""
    ids = {record.created_by_id, record.submitted_by_id}
    ids |= set(record.status_changes.filter(maker=True).values_list("by_id", flat=True))
    return {i for i in ids if i is not None}


def not_prepared_by(model, user) -> Q:
    """A filter for records `user` did not prepare (the county's to-do lists)."""
    from linggao_pension.org.models import StatusChange

    prepared = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), by=user, maker=True
    )
    return ~Q(created_by=user) & ~Q(submitted_by=user) & ~Exists(prepared)


def _check_not_maker(record, by, noun: str, checker: str = "其他县局经办员") -> None:
    if record.created_by_id == by.pk:
        raise ValidationError(f"录入人不能复核本人录入的申请，请由{checker}复核")
    steps = record.status_changes.filter(by=by, maker=True)
    if record.submitted_by_id == by.pk or steps.filter(to_status=RS.TOWN_APPROVED).exists():
        raise ValidationError(f"提交人不能复核本人提交的申请，请由{checker}复核")
    if steps.exists():
        raise ValidationError(f"修改过该{noun}的人不能复核，请由{checker}复核")


# --- the steps ---------------------------------------------------------------------------------------


def review_mark_created(record, *, by, opinion: str = "录入") -> None:
    """The creation step (草稿), written by the app's create service after it saved the record."""
    from linggao_pension.org.models import StatusChange

    state_record(record, by=by, action=StatusChange.Action.CREATE, opinion=opinion)


def review_check_editable(record, *, by, flow: ReviewFlow | None = None) -> None:
    """Refuse an edit: the town's permission, the town (404), an editable state."""
    flow = flow or flow_of(record)
    require_perm(by, flow.submit_perm, f"您没有修改{flow.noun}的权限")
    require_town(by, record.town_id)
    if not record.is_editable:
        raise ValidationError(f"当前状态为“{record.get_status_display()}”，不能修改")


def review_mark_edited(record, *, by, opinion: str = "修改") -> None:
    """Record that `by` edited the record (call after saving the edit): they are a maker from now on."""
    from linggao_pension.org.models import StatusChange

    state_record(record, by=by, action=StatusChange.Action.EDIT, opinion=opinion)


def _opinion(flow: ReviewFlow, to: str, opinion: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion and to in NEEDS_OPINION:
        raise ValidationError({"opinion": f"{STEP_VERBS[to]}时必须填写意见"})
    return opinion or flow.default_opinions.get(to, "")


def _write_step_fields(record, to: str, by, opinion: str) -> None:
    now = timezone.now()
    if to == RS.TOWN_APPROVED:
        record.town_opinion, record.submitted_by, record.submitted_at = opinion, by, now
        record.county_opinion, record.reviewed_by, record.reviewed_at = "", None, None
    elif to == RS.TOWN_RETURNED:
        record.town_opinion = opinion
    elif to in COUNTY_STEPS:
        record.county_opinion, record.reviewed_by, record.reviewed_at = opinion, by, now


@transaction.atomic
def review_move(*, record, to: str, by, opinion: str = ""):
    """One step of the review workflow on `record` (see the module's docstring); returns the record."""
    flow = flow_of(record)
    require_perm(by, flow.perm_for(to), f"您没有{STEP_VERBS[to]}{flow.noun}的权限")
    record = _lock(record, flow)
    require_town(by, record.town_id)
    RS.moves.check(record.status, to, verb=STEP_VERBS[to])
    if to == RS.TOWN_RETURNED and flow.no_town_return:
        raise ValidationError(flow.no_town_return)
    if to in COUNTY_STEPS:
        _check_not_maker(record, by, flow.noun, flow.checker)
    opinion = _opinion(flow, to, opinion)
    if flow.before_move is not None:
        flow.before_move(record, to)
    _write_step_fields(record, to, by, opinion)
    if to == RS.COUNTY_APPROVED and flow.on_approve is not None:
        flow.on_approve(record, by)
    verb = STEP_VERBS[to] if to != RS.TOWN_APPROVED else "镇初审通过"
    state_move(record, to, by=by, opinion=opinion, verb=verb, moves=RS.moves, maker=to == RS.TOWN_APPROVED)
    return record


def review_actions(record, user) -> dict[str, bool]:
    """The buttons `user` sees on a record's page. Hiding a button is never the check: review_move
    checks role, town, state and maker-checker again."""
    flow = flow_of(record)
    allowed = RS.moves.allowed(record.status)
    in_town = can_act_for_town(user, record.town_id)
    town_side = in_town and has_perm(user, flow.submit_perm)
    county_side = (
        in_town and has_perm(user, flow.review_perm) and RS.COUNTY_APPROVED in allowed
        and user.pk not in review_makers(record)
    )  # fmt: skip
    return {
        "edit": town_side and record.is_editable,
        "submit": town_side and RS.TOWN_APPROVED in allowed,
        "town_return": town_side and RS.TOWN_RETURNED in allowed and not flow.no_town_return,
        "cancel": town_side and RS.CANCELLED in allowed,
        "review": county_side,
    }
