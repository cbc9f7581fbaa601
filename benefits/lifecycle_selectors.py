"""Reads for the benefit lifecycle pages: certification due/overdue lists, the death page, recovery
cases, overdue instalments and the person-page sections."""

from datetime import date, timedelta

import django_filters
from django.db.models import Count, F, Q
from django.utils import timezone

from linggao_pension.filters import BaseFilterSet, town_choices
from linggao_pension.workflow import RS, not_prepared_by

from . import rules, selectors
from .models import (
    Certification,
    DeathReport,
    DelegatedPayee,
    DelegatedProgramme,
    HeirSettlement,
    Pension,
    RecoveryCase,
    RecoveryInstalment,
    Suspension,
    SuspensionRequest,
)

DUE_SOON_DAYS = 30
# A slice of the certification list up to this many rows (a page) is read keys first.
PAGE_KEYS_FIRST = 500


class CertificationFilter(BaseFilterSet):
    which = django_filters.ChoiceFilter(label="名单", choices=[("overdue", "已逾期"), ("due", "30日内到期")],
                                        method="pick", empty_label="已逾期及30日内到期")
    # The pension's copy of the person's town and village (kept by the services that move a person).
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="town", queryset=town_choices,
                                            empty_label="全部")
    village = django_filters.CharFilter(label="村/居委会", field_name="village__name", lookup_expr="contains")

    class Meta:
        model = Pension
        fields = ["which", "town", "village"]

    def pick(self, queryset, name, value):
        return queryset


def certification_rows(request):
    """Pensions paid or suspended whose next certification falls within 30 days or has passed, by
    town, village and due date (next due = last certified + cycle; one range of index
    pension_cert_due_idx). The order is the pension's copy of the person's town and village, so a
    page's 50 keys are sorted from the 5,600 due pensions alone, without joining the registry."""
    today = timezone.localdate()
    cycle = selectors.pension_tables().cycle_months
    overdue_before = rules.shift_months(today, -cycle)
    soon_until = rules.shift_months(today + timedelta(days=DUE_SOON_DAYS), -cycle)
    qs = (Pension.objects.in_scope(request.user).filter(status=Pension.Status.ACTIVE)
          .select_related("person__town", "person__village")
          .order_by("town__sort_order", "village__name", "last_certified_on", "pk"))
    which = request.GET.get("which")
    if which == "overdue":
        qs = qs.filter(last_certified_on__lt=overdue_before)
    elif which == "due":
        qs = qs.filter(last_certified_on__gte=overdue_before, last_certified_on__lte=soon_until)
    else:
        qs = qs.filter(last_certified_on__lte=soon_until)
    filterset = CertificationFilter(request.GET, queryset=qs, request=request)
    rows = filterset.qs.annotate(cycle_start=F("last_certified_on"))
    for_page = _Rows(rows, cycle, today)
    return filterset, for_page


class _Rows:
    """A lazily sliced queryset whose rows carry the next due date and whether it passed."""

    def __init__(self, qs, cycle: int, today: date):
        self.qs, self.cycle, self.today = qs, cycle, today

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice) and index.stop is not None and index.stop - (index.start or 0) <= PAGE_KEYS_FIRST:
            # A page: its keys first (pension, town and village only), then those rows with the person.
            keys = list(self.qs.values_list("pk", flat=True)[index])
            rows = {p.pk: p for p in self.qs.filter(pk__in=keys).order_by()}
            return [self._row(rows[pk]) for pk in keys]
        if isinstance(index, slice):  # the export: one read
            return [self._row(p) for p in self.qs[index]]
        return self._row(self.qs[index])

    def __iter__(self):
        return (self._row(p) for p in self.qs.iterator())

    def _row(self, pension):
        pension.next_due = rules.shift_months(pension.last_certified_on, self.cycle)
        pension.overdue = pension.next_due < self.today
        return pension


def death_page(report, user) -> dict:
    """The death page's reads beyond the review (linggao_pension.workflow_views.review_context)."""
    settlement = HeirSettlement.objects.filter(death=report).select_related("recovery_case").first()
    can_heirs = (settlement is not None and user.has_perm("benefits.record_death")
                 and settlement.status in (settlement.Status.AWAITING_HEIRS, settlement.Status.READY))
    return {"report": report, "settlement": settlement, "can_heirs": can_heirs,
            "by_source": [{"label": selectors.SOURCE_LABELS.get(s, s), "amount": a}
                          for s, a in (settlement.by_source.items() if settlement else [])]}


class RecoveryFilter(BaseFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RecoveryCase.Status.choices, empty_label="全部")
    source = django_filters.ChoiceFilter(label="来源", choices=RecoveryCase.Source.choices, empty_label="全部")
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="person__town", queryset=town_choices,
                                            empty_label="全部")

    class Meta:
        model = RecoveryCase
        fields = ["status", "source", "town"]


def recovery_cases(request):
    qs = RecoveryCase.objects.in_scope(request.user).select_related("person__town").order_by("-opened_at", "-pk")
    filterset = RecoveryFilter(request.GET, queryset=qs, request=request)
    return filterset, filterset.qs


def overdue_instalments(user):
    """Instalments past their due date and not fully paid, oldest first."""
    return (RecoveryInstalment.objects.filter(due_date__lt=timezone.localdate(), paid__lt=F("amount"),
                                              case__in=RecoveryCase.objects.in_scope(user))
            .select_related("case__person").order_by("due_date", "pk"))


def recovery_page(case, user) -> dict:
    moves = RecoveryCase.MOVES.get(case.status, set())
    manage = user.has_perm("benefits.manage_recovery")
    S = RecoveryCase.Status
    return {
        "case": case, "changes": case.status_changes.select_related("by"), "postings": case.postings.all(),
        "instalments": case.instalments.all(), "month_amounts": case.month_amounts.all(),
        "can": {
            "verify": manage and S.VERIFIED in moves, "notify": manage and S.NOTIFIED in moves,
            "repay": manage and case.outstanding > 0 and case.status in (S.VERIFIED, S.NOTIFIED, S.INSTALMENT,
                                                                          S.OFFSET, S.DEFAULTED),
            "instalments": manage and S.INSTALMENT in moves and not case.instalments.exists(),
            "offset": manage and S.OFFSET in moves, "write_off": manage and S.WRITE_OFF_PENDING in moves,
            "approve_write_off": user.has_perm("benefits.approve_writeoff") and case.status == S.WRITE_OFF_PENDING
                                 and case.write_off_requested_by_id != user.pk,
            "fraud": manage and not case.fraud, "close": manage and S.CLOSED in moves,
        },
    }


def person_lifecycle(person) -> dict:
    """The person page's lifecycle part: certifications, suspensions, recovery cases, delegated payments."""
    return {
        "certifications": list(Certification.objects.filter(person=person)[:10]),
        "suspensions": list(Suspension.objects.filter(person=person)[:10]),
        "recovery_cases": list(RecoveryCase.objects.filter(person=person)[:10]),
        "delegated": list(DelegatedPayee.objects.filter(person=person).select_related("programme")[:10]),
        "settlement": HeirSettlement.objects.filter(person=person).first(),
    }


class ReviewFilter(BaseFilterSet):
    """The lists of reviewed records (deaths, suspension requests): by state and town, and 待我复核:
    awaiting the county's review and not prepared by the user (maker-checker, as the home to-do counts)."""

    status = django_filters.ChoiceFilter(label="状态", choices=RS.choices, empty_label="全部")
    review = django_filters.ChoiceFilter(label="复核", choices=[("mine", "待我复核")], empty_label="全部",
                                         method="awaiting_me")
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="town", queryset=town_choices, empty_label="全部")

    def awaiting_me(self, queryset, name, value):
        return queryset.filter(not_prepared_by(queryset.model, self.request.user), status=RS.TOWN_APPROVED)


class SuspensionRequestFilter(ReviewFilter):
    action = django_filters.ChoiceFilter(label="申请事项", choices=SuspensionRequest.Action.choices, empty_label="全部")

    class Meta:
        model = SuspensionRequest
        fields = ["status", "review", "action", "town"]


class DeathReportFilter(ReviewFilter):
    class Meta:
        model = DeathReport
        fields = ["status", "review", "town"]


def suspension_requests(request):
    """The suspension/resumption requests the user may see (a town agent: their town's), newest first."""
    qs = (SuspensionRequest.objects.in_scope(request.user)
          .select_related("pension__person", "town", "created_by", "reviewed_by").order_by("-created_at", "-pk"))
    filterset = SuspensionRequestFilter(request.GET, queryset=qs, request=request)
    return filterset, filterset.qs


def death_reports(request):
    """The death reports the user may see, newest first."""
    qs = DeathReport.objects.in_scope(request.user).select_related("person", "town", "created_by")
    filterset = DeathReportFilter(request.GET, queryset=qs.order_by("-created_at", "-pk"), request=request)
    return filterset, filterset.qs


def suspension_request_page(record, user) -> dict:
    """The request page's reads beyond the review (linggao_pension.workflow_views.review_context)."""
    return {"record": record, "person": record.pension.person}


def open_suspension(pension):
    return Suspension.objects.filter(pension=pension, end_month__isnull=True).first()


def delegated_programmes(user):
    """Every programme with the number of payees the user may see, by status."""
    visible = Q(payees__in=DelegatedPayee.objects.in_scope(user))
    S = DelegatedPayee.Status
    return DelegatedProgramme.objects.annotate(
        normal=Count("payees", filter=visible & Q(payees__status=S.NORMAL)),
        pending=Count("payees", filter=visible & Q(payees__status=S.PENDING)),
        others=Count("payees", filter=visible & Q(payees__status__in=[S.SUSPENDED, S.TERMINATED])),
    ).order_by("code")


class PayeeFilter(BaseFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=DelegatedPayee.Status.choices, empty_label="全部")
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="person__town", queryset=town_choices,
                                            empty_label="全部")

    class Meta:
        model = DelegatedPayee
        fields = ["status", "town"]


def delegated_payees(request, programme):
    """A programme's payees the user may see (a town agent: their town's)."""
    qs = (DelegatedPayee.objects.in_scope(request.user).filter(programme=programme)
          .select_related("person__town", "created_by", "confirmed_by").order_by("person__town__sort_order", "pk"))
    filterset = PayeeFilter(request.GET, queryset=qs, request=request)
    return filterset, filterset.qs
