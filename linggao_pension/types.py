"""Typed requests for views (healthchecks' AuthenticatedHttpRequest)."""

from django.http import HttpRequest

from linggao_pension.org.models import User


class AuthedRequest(HttpRequest):
    user: User
