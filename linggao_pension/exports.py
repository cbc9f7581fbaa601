"""Excel and PDF output shared by every app's reports.

Excel: openpyxl in write-only mode, a frozen header, number formats for 元 and a totals row.
PDF: an HTML template rendered by WeasyPrint, A4, with the CJK font shipped in static/fonts.
"""

import base64
import functools
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import unescape

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


_FONT_TOKEN = "pdf-font-placeholder"
# Characters a page may draw that its HTML does not spell out: page numbers, CSS generated content,
# case changes, and the replacement glyph.
_FONT_EXTRA = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u3000\ufffd…—–·•×÷，。、；：？！（）《》“”‘’"


@functools.lru_cache(maxsize=8)
def _pdf_font_subset(chars: frozenset[str]) -> bytes:
    """The shipped CJK font cut down to `chars`, as TrueType bytes.

    WeasyPrint subsets the font itself, once per size and weight the page uses (four on a report),
    and without HarfBuzz-Subset each cut parses the whole 4 MB font with fontTools: about 0.5 s
    each. Cutting it once here, to the characters of the page, leaves WeasyPrint a font of a few
    hundred glyphs (the same glyphs, so the same PDF text). Cached: a monthly report's characters
    are the same from month to month."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(hinting=False, notdef_outline=True, ignore_missing_glyphs=True,
                             ignore_missing_unicodes=True, name_IDs=["*"], name_languages=["*"])
    # Layout tables: WeasyPrint drops GSUB and GPOS from the embedded font anyway, and reading them
    # (and GDEF) back was most of its remaining subsetting time; CJK text needs no shaping from them.
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    font = TTFont(str(settings.PDF_FONT_PATH), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def pdf_font_url(html: str) -> str:
    """A data: URL of the CJK font holding every character of `html` (its text and markup alike)."""
    chars = set(html) | set(unescape(html)) | set(_FONT_EXTRA)
    chars |= {c.upper() for c in chars} | {c.lower() for c in chars}
    data = base64.b64encode(_pdf_font_subset(frozenset(c for c in chars if len(c) == 1))).decode("ascii")
    return f"data:font/ttf;base64,{data}"


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render an HTML template to an A4 PDF with the shipped CJK font (cut to the page's characters)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_to_string(template_name, {**context, "pdf_font_url": _FONT_TOKEN})
    if _FONT_TOKEN in html:
        html = html.replace(_FONT_TOKEN, pdf_font_url(html))
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
