"""The review workflow's page pieces, shared by every record type (linggao_pension.workflow).

- `review_paths("applications/", "application", view)`: the five POST routes of the steps, named
  `<name>_submit`, `<name>_town_return`, `<name>_approve`, `<name>_county_return`, `<name>_cancel`;
  `view(request, pk, to)` calls `review_step`.
- `review_context(record, user, name)`: what `templates/review/_actions.html` (the buttons with the
  opinion field) and `templates/review/_steps.html` (the record's steps) need.
- `review_step(...)`: one posted step; a missing opinion is shown at its field on the record's page,
  any other refusal as a message after a redirect to it.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from linggao_pension.org.access import require_perm
from linggao_pension.workflow import RS, flow_of, review_actions, review_move

# (URL name suffix, route, target state)
STEPS = (
    ("submit", "submit", RS.TOWN_APPROVED),
    ("town_return", "town-return", RS.TOWN_RETURNED),
    ("approve", "approve", RS.COUNTY_APPROVED),
    ("county_return", "county-return", RS.COUNTY_RETURNED),
    ("cancel", "cancel", RS.CANCELLED),
)


class OpinionForm(forms.Form):
    """The opinion given with a review step (审核意见). Required when returning or withdrawing."""

    opinion = forms.CharField(label="意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def review_paths(route_prefix: str, name: str, view: Callable) -> list:
    return [
        path(f"{route_prefix}<int:pk>/{route}/", view, {"to": to}, name=f"{name}_{suffix}")
        for suffix, route, to in STEPS
    ]


def review_urls(namespace_name: str, pk: int) -> dict[str, str]:
    """The URL each step's button posts to ("enrollment:application" -> {"submit": ..., ...})."""
    return {suffix: reverse(f"{namespace_name}_{suffix}", args=[pk]) for suffix, _, _ in STEPS}


def review_context(record, user, namespace_name: str, opinion_form: OpinionForm | None = None) -> dict:
    return {
        "actions": review_actions(record, user),
        "steps": record.status_changes.select_related("by"),
        "opinion_form": opinion_form or OpinionForm(),
        "urls": review_urls(namespace_name, record.pk),
        "labels": flow_of(record).labels,
    }


def _opinion_refused(form: OpinionForm, exc: ValidationError) -> bool:
    if not hasattr(exc, "error_dict") or set(exc.error_dict) != {"opinion"}:
        return False
    for error in exc.error_dict["opinion"]:
        form.add_error("opinion", error)
    return True


def review_step(request, *, queryset, pk: int, to: str, page: Callable, detail_url: str) -> HttpResponse:
    """Perform step `to` on the record `pk` of `queryset` (already limited to the user's scope).
    `page(request, record, opinion_form)` renders the record's page with the form's error."""
    require_perm(request.user, flow_of(queryset.model).perm_for(to))  # 403 before the lookup
    record = get_object_or_404(queryset, pk=pk)
    form = OpinionForm(request.POST)
    form.is_valid()
    try:
        review_move(record=record, to=to, by=request.user, opinion=form.cleaned_data.get("opinion", ""))
    except ValidationError as exc:
        if _opinion_refused(form, exc):
            return page(request, record, form)
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, flow_of(record).done_message(to, record))
    return redirect(detail_url, pk=record.pk)
