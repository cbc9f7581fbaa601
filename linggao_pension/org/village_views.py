"""The admin's upload page for the village list (村/居委会名单导入)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from linggao_pension.exports import XLSX_TYPE, file_response
from linggao_pension.imports import template_bytes
from linggao_pension.types import AuthedRequest

from . import village_import, villages
from .models import JobRun


class VillageImportForm(forms.Form):
    file = forms.FileField(label="村/居委会名单（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
                           error_messages={"required": "请选择要导入的 Excel 文件"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel（.xlsx）文件，可先下载模板填写")
        return upload


@permission_required("org.import_villages", raise_exception=True)
@require_http_methods(["GET", "POST"])
def village_import_upload(request: AuthedRequest) -> HttpResponse:
    form = VillageImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        job = villages.villages_import_start(by=request.user, upload=form.cleaned_data["file"])
        messages.info(request, f"已上传（导入任务 #{job.pk}），整个文件校验通过才会导入，结果见本页")
        return redirect("org:import_result", pk=job.pk)  # the one import result page (archives declares it)
    jobs = JobRun.objects.filter(kind=villages.IMPORT_KIND).select_related("started_by")[:10]
    return render(request, "org/village_import.html", {"form": form, "jobs": jobs, "headers": village_import.HEADERS},
                  status=400 if form.is_bound else 200)


@permission_required("org.import_villages", raise_exception=True)
@require_GET
def village_import_template(request: AuthedRequest) -> HttpResponse:
    content = template_bytes(village_import.HEADERS, village_import.EXAMPLE)
    return file_response(content, "村居委会名单导入模板.xlsx", XLSX_TYPE)
