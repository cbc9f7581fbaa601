"""Excel and PDF output shared by every app's reports.

Excel: openpyxl in write-only mode, a frozen header, number formats for 元 and a totals row.
PDF: an HTML template rendered by WeasyPrint, A4, with the CJK font shipped in static/fonts.
"""

import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0.00"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 14
    money: bool = False
    total: bool = False  # add to the totals row


def _cell(ws, value, *, bold=False, money=False, fill=None):
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=value)
    if bold:
        cell.font = Font(bold=True)
    if money:
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if fill:
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def add_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    heading_lines: Sequence[str] = (),
    totals_label: str = "合计",
) -> None:
    """A sheet with optional heading lines, a frozen header row, the rows and a totals row."""
    ws = wb.create_sheet(title=title[:31])
    for i, col in enumerate(columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = col.width
    ws.freeze_panes = f"A{len(heading_lines) + 2}"
    for line in heading_lines:
        ws.append([_cell(ws, line, bold=True)])
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    ws.append([_cell(ws, c.title, bold=True, fill=header_fill) for c in columns])
    totals = [Decimal("0.00") if c.total else None for c in columns]
    total_idx = [i for i, c in enumerate(columns) if c.total]
    # Only cells that need a number format are wrapped in WriteOnlyCell: wrapping every cell
    # costs several times the writing itself on long lists (bank files of 60,000 lines).
    styled = [i for i, c in enumerate(columns) if c.money]
    count = 0
    for row in rows:
        count += 1
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} values for {len(columns)} columns")
        out = list(row)
        for i in total_idx:
            if out[i] is not None:
                totals[i] += Decimal(out[i])
        for i in styled:
            out[i] = _cell(ws, out[i], money=True)
        for i, value in enumerate(out):
            if isinstance(value, date | datetime):
                out[i] = _cell(ws, value)
        ws.append(out)
    if any(c.total for c in columns):
        label_row = [None] * len(columns)
        label_row[0] = f"{totals_label}（{count} 条）"
        for i, col in enumerate(columns):
            if col.total:
                label_row[i] = totals[i]
        ws.append([_cell(ws, v, bold=True, money=columns[i].money) for i, v in enumerate(label_row)])


def new_workbook() -> Workbook:
    wb = Workbook(write_only=True)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render an HTML template to an A4 PDF with the shipped CJK font."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    context = {**context, "pdf_font_url": settings.PDF_FONT_PATH.as_uri()}
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def pdf_response(content: bytes, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def xlsx_response(wb: Workbook, filename: str) -> FileResponse:
    """Stream a (write-only) workbook: it is saved to a temporary file on disk, never to memory, and
    sent in chunks; the file is removed when the response is closed."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        wb.save(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type=XLSX_TYPE, as_attachment=True, filename=filename)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
