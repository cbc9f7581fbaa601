"""年度监督计划: the plans, a plan with its items and the 3-5 warning, adding an item."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.types import AuthedRequest

from .. import selectors
from ..forms import PlanForm, PlanItemForm
from ..models import SupervisionPlan
from ..services import plans
from .common import MANAGE, VIEW, apply_refusal, post_action


@permission_required(VIEW, raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "supervision/index.html", selectors.dashboard(user=request.user))


@permission_required("supervision.view_inspection", raise_exception=True)
@require_GET
def plan_list(request: AuthedRequest) -> HttpResponse:
    rows = SupervisionPlan.objects.annotate(n_items=Count("items")).order_by("-year")[:30]
    return render(request, "supervision/plan_list.html", {"plans": rows, "form": PlanForm(),
                                                          "can_manage": request.user.has_perm(MANAGE)})


@permission_required(MANAGE, raise_exception=True)
@require_POST
def plan_create(request: AuthedRequest) -> HttpResponse:
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = plans.plan_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已建立{plan.title}")
            return redirect("supervision:plan_detail", year=plan.year)
    rows = SupervisionPlan.objects.annotate(n_items=Count("items")).order_by("-year")[:30]
    return render(request, "supervision/plan_list.html", {"plans": rows, "form": form, "can_manage": True})


def _plan_page(request, plan, forms=None) -> HttpResponse:
    items = plan.items.annotate(n=Count("inspections")).order_by("kind", "start")
    context = {
        "plan": plan, "items": items, "warnings": plans.plan_warnings(plan=plan),
        "can_manage": request.user.has_perm(MANAGE), "form": PlanItemForm(initial={"start": None}),
        **(forms or {}),
    }  # fmt: skip
    return render(request, "supervision/plan_detail.html", context)


@permission_required("supervision.view_inspection", raise_exception=True)
@require_GET
def plan_detail(request: AuthedRequest, year: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(SupervisionPlan, year=year))


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["POST"])
def plan_item_add(request: AuthedRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(SupervisionPlan, year=year)
    form = PlanItemForm(request.POST)
    return post_action(
        request, form, lambda d: plans.plan_item_add(plan=plan, **d, by=request.user), "已加入年度计划，并为每个被检查单位建立现场监督",
        "supervision:plan_detail", lambda f: _plan_page(request, plan, f), year=year,
    )  # fmt: skip
