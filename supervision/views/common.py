"""Helpers every supervision page uses: refusals to fields or messages, one POST action shape."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from linggao_pension.forms_layout import apply_refusal  # noqa: F401 (the pages import it from here)

VIEW = "supervision.view_supervision"
MANAGE = "supervision.manage_supervision"
RESPOND = "supervision.respond_inspection"
CHECK = "supervision.check_suspects"
REPORTS = "supervision.handle_reports"
TRAINING = "supervision.manage_training"


def post_action(request, form: forms.Form, call: Callable[[dict], object], done: str, back: str,
                page: Callable[[dict], HttpResponse], **back_kwargs) -> HttpResponse:
    """Validate, call the service with the cleaned data; success: a message and back to the page;
    a refusal: the page again with the errors at their fields (nothing saved: one transaction)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, done)
            return redirect(back, **back_kwargs)
    messages.error(request, "未保存：请按提示修改")
    return page({form.prefix or "form": form})
