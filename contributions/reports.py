"""Row builders for this app's Excel and PDF outputs: receipts, yearly account statements, the
month-end remittance voucher."""

from django.utils import timezone

from linggao_pension import exports, periods
from linggao_pension.exports import Column
from linggao_pension.money import chinese_capital
from linggao_pension.templatetags.formatting import id_masked

from . import selectors
from .models import Receipt, Remittance

TOWN_COLUMNS = [
    Column("镇/农场", 18),
    Column("票据数", 10),
    Column("个人缴费", 16, money=True, total=True),
    Column("集体补助", 14, money=True, total=True),
    Column("其他资助", 14, money=True, total=True),
    Column("合计", 16, money=True, total=True),
]
RECEIPT_COLUMNS = [
    Column("票据号", 20),
    Column("镇/农场", 16),
    Column("姓名", 10),
    Column("身份证号", 22),
    Column("缴费年度", 10),
    Column("缴费日期", 12),
    Column("缴费方式", 12),
    Column("个人缴费", 14, money=True, total=True),
    Column("集体补助", 12, money=True, total=True),
    Column("其他资助", 12, money=True, total=True),
    Column("合计", 14, money=True, total=True),
]


def remittance_heading(remittance: Remittance) -> list[str]:
    """What never changes once the remittance is generated (the Excel is written once and stored):
    the status and the bank voucher number are on the page and on the PDF, rewritten when remitted."""
    created = timezone.localtime(remittance.created_at)
    return [
        f"临高县城乡居民社会养老保险 保费上缴财政专户凭证（{periods.format_month(remittance.month)}）",
        f"票据 {remittance.receipts_count} 张　合计：{remittance.total_amount:,.2f} 元"
        f"（{chinese_capital(remittance.total_amount)}）　生成：{created:%Y-%m-%d %H:%M} {remittance.created_by or '系统定时'}",
    ]


def remittance_town_rows(town_rows: list[dict]):
    for r in town_rows:
        yield [r["town"], r["receipts"], r["personal"], r["collective"], r["sponsor"], r["total"]]


def remittance_receipt_rows(remittance: Remittance):
    """Every receipt of the remittance, by town then date: plain values (no model instances), as the
    month's list runs to 50,000 rows."""
    receipts = (
        Receipt.objects.filter(remittance=remittance)
        .order_by("town__sort_order", "paid_on", "pk")
        .values_list(
            "receipt_no", "town__name", "person__name", "person__id_number", "year", "paid_on", "method",
            "personal_amount", "collective_amount", "sponsor_amount",
        )
    )
    methods = dict(Receipt.Method.choices)
    for no, town, name, id_number, year, paid_on, method, personal, collective, sponsor in receipts.iterator(
        chunk_size=5000
    ):
        yield [
            no, town, name, id_masked(id_number), year, paid_on, methods[method], personal, collective, sponsor,
            personal + collective + sponsor,
        ]


def remittance_workbook(remittance: Remittance):
    wb = exports.new_workbook()
    heading = remittance_heading(remittance)
    town_rows = selectors.remittance_by_town(remittance=remittance)
    exports.add_sheet(wb, "分镇汇总", TOWN_COLUMNS, remittance_town_rows(town_rows), heading_lines=heading)
    exports.add_sheet(wb, "票据明细", RECEIPT_COLUMNS, remittance_receipt_rows(remittance), heading_lines=heading)
    return wb


def remittance_pdf(remittance: Remittance) -> bytes:
    return exports.render_pdf(
        "contributions/remittance_pdf.html",
        {
            "remittance": remittance,
            "town_rows": selectors.remittance_by_town(remittance=remittance),
            "total_capital": chinese_capital(remittance.total_amount),
            "printed_at": timezone.localtime(),
        },
    )


def receipt_pdf(receipt: Receipt, viewer=None) -> bytes:
    """viewer: who prints it (the masking rule, linggao_pension.masking)."""
    return exports.render_pdf(
        "contributions/receipt_pdf.html",
        {
            "receipt": receipt,
            "viewer": viewer,
            "amount_capital": chinese_capital(receipt.total_amount),
            "printed_at": timezone.localtime(),
        },
    )


def statement_pdf(person, year: int, viewer=None) -> bytes:
    return exports.render_pdf(
        "contributions/statement_pdf.html",
        {"person": person, "viewer": viewer, "statement": selectors.yearly_statement(person=person, year=year), "printed_at": timezone.localtime()},
    )


# --- Transfers and terminations: the refund bank file, the certificate, the approval form ---------------

REFUND_COLUMNS = [
    Column("序号", 8),
    Column("收款人", 12),
    Column("收款人身份证号", 22),
    Column("开户银行", 16),
    Column("银行账号", 24),
    Column("金额", 14, money=True, total=True),
    Column("支付类型", 10),
    Column("参保人", 12),
    Column("摘要", 30),
]


def refund_bank_rows(batch):
    refunds = batch.refunds.select_related("person", "exit").order_by("pk")
    for i, r in enumerate(refunds, 1):
        yield [
            i, r.payee_name, r.payee_id_number, r.bank_name, r.bank_account, r.amount, r.pay_type, r.person.name,
            r.exit.get_kind_display(),
        ]


def refund_bank_workbook(batch):
    """The bank's file: full ID numbers and accounts (the bank needs them); its download is logged."""
    wb = exports.new_workbook()
    heading = [f"临高县城乡居民社会养老保险 退款银行文件 第{batch.pk}批　{batch.count}笔　合计 {batch.total:,.2f} 元"]
    exports.add_sheet(wb, "退款明细", REFUND_COLUMNS, refund_bank_rows(batch), heading_lines=heading)
    return wb


def transfer_certificate_pdf(exit_) -> bytes:
    """参保缴费凭证 of a transfer out: the years and the amount by source."""
    rows = [
        {"label": selectors.SOURCE_LABELS.get(source, source), "amount": amount}
        for source, amount in exit_.by_source.items()
    ]
    return exports.render_pdf(
        "contributions/transfer_certificate_pdf.html",
        {"exit": exit_, "person": exit_.person, "rows": rows, "capital": chinese_capital(exit_.payable),
         "printed_at": timezone.localtime()},
    )
