"""Reads that feed supervision's pages."""

from django.db.models import Count, Q, Sum

from linggao_pension.org.models import Town

from .models import (
    DataRequest,
    GuidanceVisit,
    Inspection,
    Rectification,
    SuspectItem,
    TrainingAttendance,
    WhistleReport,
)  # fmt: skip


def inspections_for(user):
    return Inspection.objects.in_scope(user).select_related("town", "village", "plan_item")


def dashboard(*, user) -> dict:
    """The counts an auditor, a manager or a town agent sees on the module's page."""
    inspections = Inspection.objects.in_scope(user)
    by_status = dict(inspections.values_list("status").annotate(n=Count("pk")))
    data = {
        "inspection_counts": [(s.label, by_status.get(s.value, 0), s.value) for s in Inspection.Status],
        "opinion_waiting": inspections.filter(status=Inspection.Status.REPORT_SENT).count(),
        "rectifications_open": Rectification.objects.filter(inspection__in=inspections)
        .exclude(status=Rectification.Status.VERIFIED).count(),
        "requests_open": DataRequest.objects.in_scope(user)
        .filter(status__in=[DataRequest.Status.REQUESTED, DataRequest.Status.RESUBMIT]).count(),
    }
    if user.has_perm("supervision.view_suspectitem"):
        data["suspects_open"] = SuspectItem.objects.filter(status=SuspectItem.Status.OPEN).count()
    if user.has_perm("supervision.view_whistlereport"):
        data["reports_open"] = WhistleReport.objects.exclude(status=WhistleReport.Status.ANSWERED).count()
    return data


def inspection_page(*, inspection: Inspection) -> dict:
    return {
        "steps": inspection.steps.select_related("by"),
        "work_records": inspection.work_records.select_related("created_by", "released_by"),
        "findings": inspection.findings.all(),
        "stop_orders": inspection.stop_orders.all(),
        "rectifications": inspection.rectifications.select_related("reported_by", "verified_by"),
        "follow_ups": inspection.follow_ups.select_related("created_by"),
        "referrals": inspection.referrals.all(),
        "penalties": inspection.penalty_proposals.all(),
    }


def town_overview(*, year: int, towns=None) -> list[dict]:
    """Per town, the year's training (sessions attended, people trained), guidance and check visits,
    inspections (and closed), data requests and rectifications still open: duty 4's yearly view."""
    towns = list(towns if towns is not None else Town.objects.filter(is_active=True).order_by("sort_order"))
    ids = [t.pk for t in towns]
    trained = {r["town"]: r for r in TrainingAttendance.objects.filter(session__held_on__year=year, town__in=ids)
               .values("town").annotate(sessions=Count("session", distinct=True), people=Sum("attendees"))}
    visits = {r["town"]: r for r in GuidanceVisit.objects.filter(visited_on__year=year, town__in=ids).values("town")
              .annotate(guidance=Count("pk", filter=Q(kind="guidance")), checks=Count("pk", filter=Q(kind="check")))}
    insp = {r["town"]: r for r in Inspection.objects.filter(year=year, town__in=ids).exclude(status="cancelled")
            .values("town").annotate(n=Count("pk"), closed=Count("pk", filter=Q(status="closed")))}
    reqs = dict(DataRequest.objects.filter(year=year, town__in=ids).values_list("town").annotate(n=Count("pk")))
    rect = dict(Rectification.objects.filter(inspection__year=year, inspection__town__in=ids)
                .exclude(status="verified").values_list("inspection__town").annotate(n=Count("pk")))
    rows = []
    for town in towns:
        t, v, i = trained.get(town.pk, {}), visits.get(town.pk, {}), insp.get(town.pk, {})
        rows.append({
            "town": town, "sessions": t.get("sessions", 0), "people": t.get("people") or 0,
            "guidance": v.get("guidance", 0), "checks": v.get("checks", 0), "inspections": i.get("n", 0),
            "closed": i.get("closed", 0), "requests": reqs.get(town.pk, 0), "rectifications_open": rect.get(town.pk, 0),
        })  # fmt: skip
    return rows


# --- contributors found dead: the town's termination to follow (benefit_actions._contributor_died) ---


def _deaths_verified(user):
    return SuspectItem.objects.in_scope(user).filter(kind=SuspectItem.Kind.CONTRIBUTOR_DIED,
                                                     status=SuspectItem.Status.VERIFIED)


def deaths_awaiting_application(user):
    """Verified contributor deaths whose town has not yet entered the termination (参保人死亡): the
    person is still insured and has no open death application."""
    from enrollment.models import ApplicationKind, Person
    from linggao_pension.workflow import OPEN_REVIEW_STATUSES

    return (_deaths_verified(user).exclude(person__status=Person.Status.TERMINATED)
            .exclude(person__relationship_applications__kind=ApplicationKind.DEATH,
                     person__relationship_applications__status__in=OPEN_REVIEW_STATUSES))  # fmt: skip


def death_followups(user) -> list[dict]:
    """Every verified contributor death in the user's scope with where its settlement stands: the
    town's application (read from enrollment, never written here) and the person's status."""
    from enrollment.models import ApplicationKind, Person, RelationshipApplication
    from linggao_pension.workflow import RS

    items = list(_deaths_verified(user).select_related("person", "person__town").order_by("-decided_at", "-pk"))
    latest = {}
    for application in (RelationshipApplication.objects.filter(person__in=[i.person_id for i in items],
                                                                kind=ApplicationKind.DEATH)
                        .exclude(status=RS.CANCELLED).order_by("pk")):  # fmt: skip
        latest[application.person_id] = application
    rows = []
    for item in items:
        application = latest.get(item.person_id)
        if item.person.status == Person.Status.TERMINATED:
            stage, tone = "已终止参保，个人账户已结算", "good"
        elif application is not None:
            stage, tone = f"注销申请{application.get_status_display()}", ""
        else:
            stage, tone = "待镇/农场录入注销申请", "bad"
        rows.append({"item": item, "application": application, "stage": stage, "tone": tone,
                     "to_apply": application is None and item.person.status != Person.Status.TERMINATED})
    return rows
