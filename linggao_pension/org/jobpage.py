"""How the job page (org:jobrun_detail) shows a run: its parameters in words (月份 2026年11月, not
`run=4`), its result with amounts in 元 with separators, and a link back to the record it worked on
(the payroll, the remittance, the import). Read-only presentation; apps' models are looked up by
name so org imports no app.
"""

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.urls import reverse

from linggao_pension import periods

PARAM_LABELS = {
    "month": "月份", "year": "年度", "run": "发放批次", "filename": "文件名", "paid_on": "银行支付日期",
    "kind": "类型",
}  # fmt: skip
# Where a file was put on disk or in storage says nothing to the user.
HIDDEN_PARAMS = {"stored", "path", "discarded"}

RESULT_LABELS = {
    "imported": "导入条数", "errors": "错误", "warnings": "提示", "lines": "明细条数", "total": "合计金额（元）",
    "created": "本次新增", "receipts": "票据数", "year": "年度", "month": "月份", "credited": "入账人数",
    "accounts": "账户数", "persons": "人数", "skipped": "跳过", "paid": "支付成功", "failed": "支付失败",
    "rate": "利率", "files": "文件数", "report": "报表编号", "version": "版本", "label": "报表",
}  # fmt: skip
MONEY_KEYS = {"total", "amount", "paid_total", "failed_total"}


def _money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _month(value) -> str:
    try:
        return periods.format_month(periods.parse_month(str(value)))
    except (ValueError, TypeError):
        return str(value)


def _payroll_run(pk=None, month=None):
    model = apps.get_model("benefits", "PayrollRun")
    if pk is not None:
        return model.objects.filter(pk=pk).only("pk", "month").first()
    try:
        return model.objects.filter(month=periods.parse_month(str(month))).only("pk", "month").first()
    except (ValueError, TypeError):
        return None


def param_rows(job) -> list[dict]:
    rows = []
    for key, value in (job.params or {}).items():
        if key in HIDDEN_PARAMS:
            continue
        if key == "run":
            run = _payroll_run(pk=value)
            value = f"{periods.format_month(run.month)}发放" if run else f"第 {value} 批"
        elif key == "month":
            value = _month(value)
        elif key == "year":
            value = f"{value}年度"
        elif key == "kind" and job.kind == "reports.build":
            value = _report_kind_label(value)
        rows.append({"label": PARAM_LABELS.get(key, key), "value": value})
    return rows


def result_rows(result: dict) -> tuple[list[dict], list[dict]]:
    """The job's result as label/value rows, and any per-row messages (errors, warnings) as a table."""
    rows, messages = [], []
    for key, value in (result or {}).items():
        label = RESULT_LABELS.get(key, key)
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            rows.append({"label": label, "value": f"{len(value)} 条"})
            messages += [{"kind": label, **v} for v in value[:500]]
        elif key in MONEY_KEYS:
            rows.append({"label": label, "value": _money(value), "num": True})
        elif key == "month":
            rows.append({"label": label, "value": _month(value)})
        elif isinstance(value, int) and not isinstance(value, bool):
            rows.append({"label": label, "value": f"{value:,}", "num": True})
        else:
            rows.append({"label": label, "value": value})
    return rows, messages


def _payroll_link(job):
    params = job.params or {}
    run = _payroll_run(pk=params["run"]) if "run" in params else _payroll_run(month=params.get("month"))
    if run:
        return f"返回{periods.format_month(run.month)}月度发放", reverse("benefits:payroll_detail", args=[run.pk])
    return "返回月度发放", reverse("benefits:payroll_list")


def _remittance_link(job):
    model = apps.get_model("contributions", "Remittance")
    try:
        remittance = model.objects.filter(month=periods.parse_month(str(job.params.get("month")))).first()
    except (ValueError, TypeError):
        remittance = None
    if remittance:
        return (f"返回{periods.format_month(remittance.month)}上缴单",
                reverse("contributions:remittance_detail", args=[remittance.pk]))  # fmt: skip
    return "返回上缴财政专户", reverse("contributions:remittance_list")


def _report_kind_label(value) -> str:
    model = apps.get_model("reports", "BuiltReport")
    return dict(model.Kind.choices).get(value, value)


def _report_link(job):
    """A built report's page (its Excel and PDF downloads); before it is built, the reports page."""
    report = (job.result or {}).get("report")
    if report:
        return f"查看{(job.result or {}).get('label', '报表')}（下载 Excel、PDF）", reverse("reports:report_detail", args=[report])
    return "返回统计报表", reverse("reports:index")


RECORD_LINKS = {
    "benefits.payroll": _payroll_link,
    "benefits.payroll_export": _payroll_link,
    "benefits.payroll_close": _payroll_link,
    "contributions.remit_premiums": _remittance_link,
    "contributions.post_interest": lambda job: ("返回年度结息与代缴", reverse("contributions:year_end")),
    "contributions.post_daijiao": lambda job: ("返回年度结息与代缴", reverse("contributions:year_end")),
    "reports.build": _report_link,
}
RESULT_PAGE_LABELS = {"import_residents": "查看导入结果", "benefits.import_pensioners": "查看导入结果"}


def record_link(job) -> dict | None:
    """The page of the record the job belongs to: {"label", "url"}, or None."""
    if job.result_page_url:
        return {"label": RESULT_PAGE_LABELS.get(job.kind, "查看结果"), "url": job.result_page_url}
    make = RECORD_LINKS.get(job.kind)
    if make is None:
        return None
    label, url = make(job)
    return {"label": label, "url": url}
