"""非现场监督: requests (scoped to the unit), submissions uploaded by the unit, review, report, escalation."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from .. import forms as F
from ..filters import DataRequestFilter
from ..models import DataRequest, DataSubmission
from ..services import offsite
from .common import MANAGE, RESPOND, apply_refusal, post_action
from .files import serve_stored

VIEW_REQUEST = "supervision.view_datarequest"
FORMS = {"upload": F.SubmissionForm, "review": F.SubmissionReviewForm, "report": F.OffsiteReportForm,
         "escalate": F.EscalateForm}  # fmt: skip


def _requests(request):
    return DataRequest.objects.in_scope(request.user).select_related("town", "created_by")


@permission_required(VIEW_REQUEST, raise_exception=True)
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    filterset = DataRequestFilter(request.GET, queryset=_requests(request), request=request)
    page = paginate(request, filterset.qs.order_by("-created_at", "-pk"))
    return render(request, "supervision/request_list.html", {"filter": filterset, "page": page,
                                                             "can_manage": request.user.has_perm(MANAGE)})


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest) -> HttpResponse:
    form = F.DataRequestForm(request.POST or None)
    if form.is_valid():
        try:
            created = offsite.data_request_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已通知被监督单位报送数据（{created.number}）")
            return redirect("supervision:request_detail", pk=created.pk)
    return render(request, "supervision/form.html", {"form": form, "title": "新建非现场监督（数据报送通知）"})


def _page(request, data_request, bound=None) -> HttpResponse:
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    forms.update(bound or {})
    user, status = request.user, data_request.status
    S = DataRequest.Status
    actions = {
        "upload": user.has_perm(RESPOND) and user.town_id == data_request.town_id and status in (S.REQUESTED, S.RESUBMIT),
        "review": user.has_perm(MANAGE) and status == S.SUBMITTED,
        "report": user.has_perm(MANAGE) and status == S.ACCEPTED,
        "escalate": user.has_perm(MANAGE) and status == S.REPORTED and data_request.serious,
    }  # fmt: skip
    submissions = data_request.submissions.select_related("uploaded_by", "reviewed_by")
    return render(request, "supervision/request_detail.html", {"req": data_request, "forms": forms,
                  "actions": actions, "submissions": submissions, "escalations": data_request.escalations.all()})


@permission_required(VIEW_REQUEST, raise_exception=True)
@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_requests(request), pk=pk))


def _step(request, pk, name, call, done) -> HttpResponse:
    data_request = get_object_or_404(_requests(request), pk=pk)
    form = FORMS[name](request.POST, request.FILES or None, prefix=name)
    return post_action(request, form, lambda d: call(data_request, d), done, "supervision:request_detail",
                       lambda bound: _page(request, data_request, bound), pk=pk)


@permission_required(RESPOND, raise_exception=True)
@require_POST
def submission_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "upload", lambda r, d: offsite.submission_upload(request=r, **d, by=request.user),
                 "已报送，等待县局审核")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def submission_review(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(data_request, d):
        pending = data_request.submissions.filter(status=DataSubmission.Status.PENDING).first()
        if pending is None:
            raise ValidationError("没有待审核的报送")
        return offsite.submission_review(submission=pending, **d, by=request.user)

    return _step(request, pk, "review", call, "已审核")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def request_report(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "report", lambda r, d: offsite.data_request_report(request=r, **d, by=request.user),
                 "已出具非现场监督报告")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def request_escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "escalate", lambda r, d: offsite.data_request_escalate(request=r, **d, by=request.user),
                 "已转现场监督")


@permission_required(VIEW_REQUEST, raise_exception=True)
@require_GET
def submission_file(request: AuthedRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(DataSubmission.objects.filter(request__in=_requests(request)), pk=pk)
    return serve_stored(request, submission, submission.file, submission.filename,
                        town_id=submission.request.town_id, perm=VIEW_REQUEST)
