from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from linggao_pension.types import AuthedRequest


@permission_required("supervision.view_supervision", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "supervision/index.html")
