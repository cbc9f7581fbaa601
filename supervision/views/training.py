"""Training sessions, guidance/check visits, and the yearly overview per town (duty 4)."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from linggao_pension.org.models import Town
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from .. import forms as F
from .. import selectors
from ..models import GuidanceVisit, TrainingSession
from ..services import training
from .common import TRAINING, post_action

VIEW_TRAINING = "supervision.view_trainingsession"


@permission_required(VIEW_TRAINING, raise_exception=True)
@require_GET
def training_list(request: AuthedRequest) -> HttpResponse:
    sessions = TrainingSession.objects.prefetch_related("attendances__town").order_by("-held_on", "-pk")
    page = paginate(request, sessions)
    visits = GuidanceVisit.objects.in_scope(request.user).select_related("town").order_by("-visited_on")[:20]
    return render(request, "supervision/training_list.html", {"page": page, "visits": visits,
                                                              "can_manage": request.user.has_perm(TRAINING)})


@permission_required(TRAINING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def training_create(request: AuthedRequest) -> HttpResponse:
    form = F.TrainingForm(request.POST or None)
    if request.method == "GET":
        return render(request, "supervision/form.html", {"form": form, "title": "登记培训班"})
    return post_action(request, form, lambda d: training.training_record(
        **{k: v for k, v in d.items() if not k.startswith("town_")}, attendance=form.attendance(), by=request.user),
        "已登记培训班", "supervision:training_list",
        lambda bound: render(request, "supervision/form.html", {"form": form, "title": "登记培训班"}))


@permission_required(TRAINING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def visit_create(request: AuthedRequest) -> HttpResponse:
    form = F.VisitForm(request.POST or None)
    if request.method == "GET":
        return render(request, "supervision/form.html", {"form": form, "title": "登记指导/检查"})
    return post_action(request, form, lambda d: training.visit_record(**d, by=request.user), "已登记",
                       "supervision:training_list",
                       lambda bound: render(request, "supervision/form.html", {"form": form, "title": "登记指导/检查"}))


@permission_required(VIEW_TRAINING, raise_exception=True)
@require_GET
def town_overview(request: AuthedRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows = selectors.town_overview(year=year, towns=Town.choices_for(request.user).order_by("sort_order"))
    return render(request, "supervision/town_overview.html", {"rows": rows, "year": year,
                                                              "years": range(timezone.localdate().year, 2019, -1)})
