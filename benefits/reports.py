"""File builders for the benefits outputs: the 到龄名单 workbook, the 养老金计算表 PDF, the bank files
and the bank return template."""

from decimal import Decimal

from linggao_pension import exports, periods
from linggao_pension.masking import shown_id
from linggao_pension.money import ZERO

from . import rules, selectors
from .models import PayrollLine, PayrollRun, Pension
from .selectors import BankRow

DUE_COLUMNS = [
    exports.Column("镇/农场", 12), exports.Column("村/居委会", 12), exports.Column("姓名", 10),
    exports.Column("身份证号", 21), exports.Column("出生日期", 12), exports.Column("待遇开始年月", 12),
    exports.Column("应缴年限", 9), exports.Column("已缴年限", 9), exports.Column("差缴年限", 9),
    exports.Column("核查结果", 20), exports.Column("申领状态", 10),
]


def due_workbook(rows: list[selectors.DueRow], month, viewer=None):
    """到龄名单 as Excel: the full ID number for those who may see it (the town follows up), masked for
    the others (linggao_pension.masking)."""
    wb = exports.new_workbook()
    exports.add_sheet(
        wb, f"{month:%Y-%m}到龄名单", DUE_COLUMNS,
        (
            [
                r.person.town.name, r.person.village.name if r.person.village else "", r.person.name,
                shown_id(r.person.id_number, viewer), r.person.birth_date, f"{r.start_month:%Y-%m}", r.required_years,
                r.contribution_years, r.shortfall, r.result_label, r.claim_status,
            ]
            for r in rows
        ),
        heading_lines=[f"临高县城乡居民养老保险 {periods.format_month(month)}到龄人员名单（共 {len(rows)} 人）"],
    )
    return wb


def pension_sheet_context(pension: Pension) -> dict:
    """Everything the 养老金计算表 shows, precomputed (no logic in the template)."""
    person = pension.person
    by_source = selectors.pension_by_source(pension)
    long_years = max(0, pension.contribution_years - selectors.pension_tables().params.minimum_years)
    return {
        "pension": pension,
        "person": person,
        "by_source": by_source,
        "before_interest": pension.account_balance - pension.interim_interest,
        "interim_months": pension.start_month.month - 1,
        "rate_percent": (pension.interest_rate * 100).quantize(Decimal("0.01")) if pension.interest_rate else None,
        "age_at_start": rules.age_at_month(person.birth_date, pension.start_month),
        "long_years": long_years,
        "long_per_year": (pension.long_extra / long_years).quantize(Decimal("0.01")) if long_years else Decimal("0.00"),
        "monthly": pension.monthly_pension,
        "claim": pension.claim,
    }


def pension_sheet_pdf(pension: Pension, viewer=None) -> bytes:
    """viewer: who prints it (the masking rule, linggao_pension.masking)."""
    return exports.render_pdf("benefits/pension_sheet.html", {**pension_sheet_context(pension), "viewer": viewer})


# --- the bank files and the return template -------------------------------------------------------

BANK_FILE_COLUMNS = [
    exports.Column("流水号", 10), exports.Column("姓名", 10), exports.Column("身份证号", 21),
    exports.Column("银行账号", 22), exports.Column("金额", 12, money=True, total=True),
    exports.Column("费款所属期", 11), exports.Column("类型", 7),
]
UNNAMED_BANK = "未注明银行"
KIND_LABELS = dict(PayrollLine.Kind.choices)


def bank_file_bytes(*, run: PayrollRun, bank_name: str, lines: list[BankRow]) -> tuple[bytes, int, Decimal]:
    count, total = len(lines), sum((ln.amount for ln in lines), ZERO)
    wb = exports.new_workbook()
    exports.add_sheet(
        wb, "代发明细", BANK_FILE_COLUMNS,
        (
            [ln.pk, ln.name, ln.id_number, ln.bank_account, ln.amount, f"{ln.month:%Y-%m}", KIND_LABELS[ln.kind]]
            for ln in lines
        ),
        heading_lines=[
            "临高县城乡居民基本养老保险待遇代发",
            f"开户银行：{bank_name}　发放年月：{run.month:%Y-%m}",
            f"笔数：{count}",
            f"金额合计：{total}",
        ],
    )
    return exports.workbook_bytes(wb), count, total




RETURN_HEADERS = ["流水号", "身份证号", "银行账号", "金额", "结果", "失败原因"]
RESULT_OK, RESULT_FAILED = "成功", "失败"


def return_template(rows: list[BankRow]) -> bytes:
    """The return-file template for the bank: every exported line, 结果 and 失败原因 to fill in.
    Write-only workbook; the ID and account cells are text ("@") so Excel keeps every digit."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("回盘")
    for col, width in zip("ABCDEF", (10, 22, 24, 12, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.append(RETURN_HEADERS)

    def as_text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "@"
        return cell

    for row in rows:
        ws.append([row.pk, as_text(row.id_number), as_text(row.bank_account), row.amount, "", ""])
    return exports.workbook_bytes(wb)


# --- the lifecycle: certification list, settlement sheet, 责令退回通知书 ----------------------------------

CERT_COLUMNS = [
    exports.Column("镇/农场", 12), exports.Column("村/居委会", 12), exports.Column("姓名", 10),
    exports.Column("身份证号", 21), exports.Column("联系电话", 14), exports.Column("最近认证日期", 12),
    exports.Column("应认证日期", 12), exports.Column("状态", 8),
]


def certification_workbook(rows, *, today) -> bytes:
    """The due/overdue list for the town agents who go and find them (full ID and phone: logged)."""
    wb = exports.new_workbook()
    exports.add_sheet(
        wb, "领取资格认证", CERT_COLUMNS,
        (
            [p.person.town.name, p.person.village.name if p.person.village else "", p.person.name, p.person.id_number,
             p.person.phone, p.last_certified_on, p.next_due, "已逾期" if p.overdue else "即将到期"]
            for p in rows
        ),
        heading_lines=[f"临高县城乡居民养老保险 领取资格认证名单（{today:%Y-%m-%d}，共 {len(rows)} 人）"],
    )
    return exports.workbook_bytes(wb)


def settlement_sheet_pdf(settlement, viewer=None) -> bytes:
    """viewer: who prints it; the ID numbers and the heir's account follow the masking rule."""
    by_source = [{"label": selectors.SOURCE_LABELS.get(s, s), "amount": Decimal(a)}
                 for s, a in settlement.by_source.items()]
    return exports.render_pdf("benefits/lifecycle/settlement_sheet.html", {
        "s": settlement, "person": settlement.person, "death": settlement.death, "by_source": by_source,
        "less_overpaid": settlement.balance - settlement.overpaid_account, "viewer": viewer,
    })


def recovery_notice_pdf(case) -> bytes:
    return exports.render_pdf("benefits/lifecycle/recovery_notice.html", {"case": case, "person": case.person})
