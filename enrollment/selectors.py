"""Reads of the registry that span relations or feed pages: parameters, the person page, the dashboard."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from linggao_pension import registry
from linggao_pension.masking import sees_full
from linggao_pension.org.access import can_act_for_town
from linggao_pension.org.figures import for_user, kept
from linggao_pension.org.models import Town, Village
from linggao_pension.templatetags.formatting import account_masked, id_masked, phone_masked
from linggao_pension.workflow import not_prepared_by

from . import rules
from .models import (
    CHANGEABLE_FIELDS,
    EDITABLE_REVIEW_STATUSES,
    ChangeRequest,
    EnrollmentApplication,
    EnrollmentParameter,
    IdentityCode,
    Person,
    ReviewStatus,
)

RS = ReviewStatus


# --- parameters ------------------------------------------------------------------------------


def enrolment_age_table() -> list[tuple[date, int]]:
    """(effective_from, minimum age) rows, oldest first (binding default: 16 full years)."""
    table = list(EnrollmentParameter.objects.order_by("effective_from").values_list("effective_from", "min_enrolment_age"))
    if not table:
        raise ValidationError("未配置最低参保年龄（参保登记参数），请联系系统管理员")
    return table


def min_enrolment_age(on: date) -> int:
    return rules.min_age_on(enrolment_age_table(), on)


# --- who may do what (for links; the services check again) ------------------------------------


def person_page_open_for(user, person: Person) -> bool:
    """Whether the person page opens for `user` (Person.objects.in_scope): after a move to another
    town the old town still sees its applications and change requests, but no longer the person."""
    return can_act_for_town(user, person.town_id)


# --- the person page -------------------------------------------------------------------------


def personal_display(*, record, full: bool) -> dict:
    """ID number, phone and bank account of a person or application: complete for users allowed
    to see them, masked (460028********1234) for everyone else."""
    return {
        "id_number": record.id_number if full else id_masked(record.id_number),
        "phone": record.phone if full else phone_masked(record.phone),
        "bank_account": record.bank_account if full else account_masked(record.bank_account),
    }


def sees_application_in_full(user) -> bool:
    """County staff with view_person_full, and the town agents who enter and print applications."""
    return user.has_perm("enrollment.view_person_full") or user.has_perm("enrollment.submit_enrollmentapplication")


SENSITIVE = {"id_number": id_masked, "phone": phone_masked, "bank_account": account_masked}
HISTORY_HIDDEN = {"updated_at", "created_at"}
HISTORY_LIMIT = 50  # the person page shows the latest records of the person's history


def person_history(*, person: Person, full: bool, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The person's history records, newest first, each with its changes as readable lines."""
    records = list(person.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    towns = dict(Town.objects.values_list("pk", "name"))
    identities = dict(IdentityCode.objects.values_list("code", "name"))
    village_ids = {r.village_id for r in records if r.village_id}
    villages = dict(Village.objects.filter(pk__in=village_ids).values_list("pk", "name"))
    labels = {f.attname: f.verbose_name for f in Person._meta.concrete_fields}
    choices = {f.attname: dict(f.choices) for f in Person._meta.concrete_fields if f.choices}

    def show(attname, value):
        if value in (None, ""):
            return "（空）"
        if attname == "town_id":
            return towns.get(value, value)
        if attname == "village_id":
            return villages.get(value, value)
        if attname == "identity_id":
            return f"{value} {identities.get(value, '')}"
        if attname in choices:
            return choices[attname].get(value, value)
        name = attname.removesuffix("_id")
        if not full and name in SENSITIVE:
            return SENSITIVE[name](value)
        return str(value)

    rows = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            for attname, label in labels.items():
                if attname in HISTORY_HIDDEN:
                    continue
                old, new = getattr(older, attname), getattr(record, attname)
                if old != new:
                    changes.append(f"{label}：{show(attname, old)} → {show(attname, new)}")
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user.display_name if record.history_user else "系统",
                "type": {"+": "建档", "~": "变更", "-": "删除"}[record.history_type],
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


def person_sections(*, request, person: Person) -> list[dict]:
    """Sections other apps add to the person page (their `person_page_sections`, linggao_pension.registry): each is
    section(request, person) -> {"title", "template", "context"} or None; rendered here."""
    out = []
    for path in registry.person_page_sections():
        section = import_string(path)(request, person)
        if not section:
            continue
        html = render_to_string(section["template"], section.get("context", {}), request=request)
        out.append({"title": section["title"], "html": html})
    return out


def person_page(*, person: Person, user) -> dict:
    full = sees_full(user)  # the one masking rule (linggao_pension.masking)
    history = person_history(person=person, full=full)
    return {
        "person": person,
        "display": personal_display(record=person, full=full),
        "show_full": full,
        "age": rules.age_on(person.birth_date, timezone.localdate()),
        "application": EnrollmentApplication.objects.filter(person=person).first(),
        "change_requests": list(
            person.change_requests.select_related("town", "created_by", "reviewed_by").order_by("-created_at", "-pk")
        ),
        "history": history,
        "history_note": f"仅显示最近 {HISTORY_LIMIT} 条记录" if len(history) >= HISTORY_LIMIT else "",
        "can_request_change": (
            user.has_perm("enrollment.submit_changerequest")
            and can_act_for_town(user, person.town_id)
            and person.status != Person.Status.TERMINATED
        ),
    }


# --- change requests -------------------------------------------------------------------------


def change_lines(*, change_request: ChangeRequest, full: bool) -> list[dict]:
    """Each changed item of a change request: label, value before, value after."""
    person = change_request.person
    lines = []
    for name in change_request.changed_fields:
        label = CHANGEABLE_FIELDS[name]
        if name in ("town", "village", "identity"):
            new_obj = getattr(change_request, f"new_{name}")
            new = str(new_obj) if new_obj else "（空）"
            current = getattr(person, name)
            old = str(current) if current else "（空）"
        else:
            new = getattr(change_request, f"new_{name}") or "（空）"
            old = getattr(person, name) or "（空）"
            if not full and name in SENSITIVE:
                new, old = SENSITIVE[name](new), SENSITIVE[name](old)
        if change_request.status == RS.COUNTY_APPROVED:
            old = change_request.before.get(name, old)
            if not full and name in SENSITIVE and old != "（空）":
                old = SENSITIVE[name](old)
        lines.append({"label": label, "old": old, "new": new})
    return lines


# --- the dashboard ---------------------------------------------------------------------------


def dashboard(*, user) -> dict:
    figures = kept("enrollment.person_status")  # kept by a job: no count of the registry per view
    by_status = for_user(figures, user)
    status_counts = [
        {"value": value, "label": label, "count": by_status.get(value, 0)} for value, label in Person.Status.choices
    ]
    out = {"status_counts": status_counts, "total": sum(by_status.values()), "figures_at": figures.computed_at}

    apps = EnrollmentApplication.objects.in_scope(user).select_related("town", "created_by")
    changes = ChangeRequest.objects.in_scope(user).select_related("person", "town", "created_by")
    # Work waiting for this user: county review (never what they entered or submitted), and the
    # town's drafts and returned records.
    panels = []

    def panel(title: str, kind: str, qs, list_url_status: str, order: tuple[str, ...]) -> None:
        panels.append(
            {"title": title, "kind": kind, "rows": list(qs.order_by(*order)[:10]), "count": qs.count(),
             "status": list_url_status}
        )  # fmt: skip

    if user.has_perm("enrollment.review_enrollmentapplication"):
        waiting = apps.filter(not_prepared_by(EnrollmentApplication, user), status=RS.TOWN_APPROVED)
        panel("待我县复核的参保登记申请", "application", waiting, RS.TOWN_APPROVED, ("submitted_at", "pk"))
    if user.has_perm("enrollment.review_changerequest"):
        waiting = changes.filter(not_prepared_by(ChangeRequest, user), status=RS.TOWN_APPROVED)
        panel("待我县复核的信息变更", "change", waiting, RS.TOWN_APPROVED, ("submitted_at", "pk"))
    if user.has_perm("enrollment.submit_enrollmentapplication"):
        todo = apps.filter(status__in=EDITABLE_REVIEW_STATUSES)
        panel("待处理的参保登记申请（草稿、退回）", "application", todo, "", ("-updated_at", "-pk"))
    if user.has_perm("enrollment.submit_changerequest"):
        todo = changes.filter(status__in=EDITABLE_REVIEW_STATUSES)
        panel("待处理的信息变更（草稿、退回）", "change", todo, "", ("-updated_at", "-pk"))
    out["panels"] = panels
    out["can_create_application"] = user.has_perm("enrollment.submit_enrollmentapplication")
    out["can_import"] = user.has_perm("enrollment.import_persons")
    app_counts = dict(apps.order_by().values_list("status").annotate(n=Count("pk")))
    out["applications_by_status"] = [
        {"value": value, "label": label, "count": app_counts[value]} for value, label in RS.choices if value in app_counts
    ]
    return out


