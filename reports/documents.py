"""Excel and PDF of a built report, and the per-village disclosure sheets.

The report table is small (12 towns and the county row), so Excel is written in normal mode
with merged group headers, frozen panes, 元 number formats, a totals row and A4-landscape print
setup. The PDF prints one table per group (the full width would not fit on A4) with page numbers
and the 制表人/审核人/单位负责人 line.
"""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from linggao_pension.exports import MONEY_FORMAT, render_pdf

from .figures import COUNT, Group, figures_of

BUREAU = "临高县城乡居民社会养老保险局"
TITLES = {"monthly": "临高县城乡居民基本养老保险统计月报", "fund": "临高县城乡居民基本养老保险基金收支月报"}
SIGNATURES = ("制表人", "审核人", "单位负责人")
_THIN = Side(style="thin", color="555555")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def report_xlsx(*, kind: str, month: date, groups: list[Group], towns: list[dict], total: dict, version: int,
                issued_on: date) -> bytes:
    figs = figures_of(groups)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{_month_label(month)}"[:31]
    last_col = len(figs) + 1
    ws.cell(1, 1, TITLES[kind]).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.cell(2, 1, f"填报单位：{BUREAU}　　报表月份：{_month_label(month)}　　第{version}版　　单位：人、笔、元")
    # Two header rows: the groups merged over their figures, then the figures (cells styled
    # first, merged after: the covered cells of a merge are read-only).
    _head(ws.cell(3, 1, "镇/农场"))
    _head(ws.cell(4, 1))
    merges = [(1, 1, 1, last_col), (2, 1, 2, last_col), (3, 1, 4, 1)]
    col = 2
    for group in groups:
        width = len(group.figures)
        if width > 1:
            merges.append((3, col, 3, col + width - 1))
        for i, figure in enumerate(group.figures):
            _head(ws.cell(3, col + i, group.title if i == 0 else None))
            _head(ws.cell(4, col + i, figure.name))
            ws.column_dimensions[get_column_letter(col + i)].width = 14 if figure.kind == COUNT else 16
        col += width
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    ws.column_dimensions["A"].width = 16
    ws.row_dimensions[4].height = 42
    for r, row in enumerate([*towns, {**total, "town": "全县合计"}], start=5):
        is_total = r == 5 + len(towns)
        cell = ws.cell(r, 1, row["town"])
        cell.border = _BORDER
        cell.font = Font(bold=is_total)
        for c, figure in enumerate(figs, start=2):
            cell = ws.cell(r, c, row[figure.name])
            cell.number_format = "#,##0" if figure.kind == COUNT else MONEY_FORMAT
            cell.border = _BORDER
            cell.font = Font(bold=is_total)
    foot = 6 + len(towns) + 1
    ws.cell(foot, 1, "　　　　".join(f"{s}：" for s in SIGNATURES) + f"　　　　报出日期：{issued_on:%Y-%m-%d}")
    ws.freeze_panes = "B5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToHeight = 0
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:4"
    ws.print_title_cols = "A:A"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _head(cell) -> None:
    cell.font = Font(bold=True)
    cell.fill = _HEAD_FILL
    cell.alignment = _CENTER
    cell.border = _BORDER


def report_pdf(*, kind: str, month: date, groups: list[Group], towns: list[dict], total: dict, version: int,
               issued_on: date) -> bytes:
    rows = [*towns, {**total, "town": "全县合计", "is_total": True}]
    tables = [
        {"title": g.title, "figures": g.figures,
         "rows": [{"town": r["town"], "is_total": r.get("is_total"), "values": [(f, r[f.name]) for f in g.figures]}
                  for r in rows]}
        for g in groups
    ]
    return render_pdf("reports/pdf/report.html", {
        "title": TITLES[kind], "bureau": BUREAU, "month_label": _month_label(month), "version": version,
        "tables": tables, "signatures": SIGNATURES, "today": issued_on,
    })


def disclosure_pdf(*, town, villages: list[dict], as_of: date, year: int) -> bytes:
    """The 待遇领取人员公示表 and 缴费公示 of each village: no ID number, no bank account (R20)."""
    return render_pdf("reports/pdf/disclosure.html", {
        "bureau": BUREAU, "town": town, "villages": villages, "as_of": as_of, "year": year,
    })
