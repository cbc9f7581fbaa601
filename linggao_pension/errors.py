"""Error pages in Chinese. They render without a database query so they work when things are down.

Django answers a wrong method (a POST-only address opened in the browser) with an empty 405;
`MethodNotAllowedPageMiddleware` gives it the project's page, keeping the Allow header.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)


METHOD_LABELS = {"GET": "打开", "POST": "提交", "HEAD": "打开"}


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            page = render(
                request, "405.html", {"post_only": allowed == ["POST"], "allowed": allowed}, status=405
            )
            page["Allow"] = response["Allow"]
            return page
        return response
