from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from linggao_pension.types import AuthedRequest


@permission_required("contributions.view_accountentry", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "contributions/index.html")
