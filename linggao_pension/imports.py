"""All-or-nothing spreadsheet imports (residents, contributions, pensioners, suspect lists).

One shape for every import:
1. a parser module per file kind (its HEADERS and a row check returning RowErrors, reading only:
   e.g. enrollment/resident_import.py), using read_rows / text / cell_date here;
2. one write service, all or nothing (the whole file is validated first; if any row is bad nothing
   is written and every bad row is reported with its Excel row number, column and a Chinese reason);
3. run as a job: `<thing>_import_start(*, upload, by)` checks the permission and calls
   org.services.job_start; the handler is `import_job(job=..., run=..., ...)`;
4. declared by the app (AppConfig.imports = [ImportKind(...)]), so the one result page
   (org:import_result, templates/imports/result.html) shows progress, the count or every bad row,
   and offers them as an Excel file (org:import_errors).
"""

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from linggao_pension.exports import Column, add_sheet, new_workbook, workbook_bytes


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        data = {"imported": self.imported, "errors": [asdict(e) for e in self.errors]}
        if self.warnings:
            data["warnings"] = [asdict(w) for w in self.warnings]
        return data

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


class FileFormatError(ValueError):
    """The file itself is unusable (not an xlsx, wrong headers): one message, no rows read."""


@dataclass
class SheetRow:
    number: int  # the row number a person sees in Excel (header is row 1)
    values: dict  # header -> raw cell value


# The formats older systems and banks export, read as well as .xlsx (issue 16).
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".csv")
SPREADSHEET_REFUSAL = "请上传 Excel（.xlsx 或 97-2003 的 .xls）或 CSV 文件，可先下载模板填写"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (BIFF in an OLE2 container)


def _xlsx_rows(data: bytes):
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def _xls_rows(data: bytes):
    """.xls through xlrd: dates as datetime, numbers as float (text() drops a trailing .0), text as str."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        out = []
        for cell in sheet.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                out.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                out.append(None)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                out.append(bool(cell.value))
            else:
                out.append(cell.value)
        yield tuple(out)


def _csv_rows(data: bytes):
    """CSV in UTF-8 (with or without BOM) or GB18030 (what Excel and bank systems in China write)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileFormatError("无法读取 CSV 文件：编码应为 UTF-8 或 GB18030")
    sample = decoded[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for row in csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter):
        yield tuple(cell if cell.strip() else None for cell in row)


def sheet_rows(file):
    """The first sheet's rows (tuples of cell values) of an .xlsx, .xls or .csv file, told by its
    content, not its name. The one reading function of every import."""
    data = file.read() if hasattr(file, "read") else open(file, "rb").read()
    try:
        if data[:4] == b"PK\x03\x04":
            return list(_xlsx_rows(data))
        if data[:8] == _OLE2:
            return list(_xls_rows(data))
        if b"\x00" not in data[:4096]:
            return list(_csv_rows(data))
    except FileFormatError:
        raise
    except Exception:
        pass
    raise FileFormatError("无法读取文件：" + SPREADSHEET_REFUSAL)


def read_rows(file, headers: Sequence[str]) -> list[SheetRow]:
    """Read the first sheet (.xlsx, .xls or .csv): the header row must be exactly `headers`, in order."""
    rows = iter(sheet_rows(file))
    header = next(rows, None)
    actual = [str(h).strip() if h is not None else "" for h in (header or [])]
    while actual and not actual[-1]:
        actual.pop()
    if actual != list(headers):
        raise FileFormatError(
            "表头不正确：应为“" + "、".join(headers) + "”（顺序一致），实际为“" + "、".join(actual) + "”"
        )
    out = []
    for number, row in enumerate(rows, start=2):
        values = list(row[: len(headers)]) + [None] * (len(headers) - len(row))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append(SheetRow(number, dict(zip(headers, values, strict=True))))
    return out


def text(value) -> str:
    """A cell as trimmed text; numbers typed into text columns lose a trailing '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value) -> date:
    """A date cell, or text as 2024-03-15 / 2024/3/15 / 20240315. Raises ValueError in Chinese."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"“{raw}”不是有效的日期，应为 2024-03-15 格式" if raw else "不能为空")


def template_bytes(headers: Sequence[str], example: Sequence | None = None, widths: dict | None = None) -> bytes:
    """A downloadable template: the header row (bold) and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "导入模板"
    ws.append(list(headers))
    for i, _ in enumerate(headers, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(headers[i - 1], 16)
        ws.cell(row=1, column=i).number_format = "@"
    if example:
        ws.append(list(example))
    # Text format for the whole of the ID and account columns, so Excel keeps every digit.
    for i, h in enumerate(headers, start=1):
        if "身份证" in h or "账号" in h or "电话" in h or "票据" in h:
            for r in range(2, 2002):
                ws.cell(row=r, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)


# --- one shape for every import: a parser module per file kind, one write service, a job ------------


@dataclass(frozen=True)
class ImportKind:
    """An import as its app declares it (AppConfig.imports, linggao_pension.registry): the job kind
    its write service runs as, and what the one result page (org:import_result) needs."""

    kind: str  # the JobRun kind, also in the app's job_handlers
    label: str  # 历史参保人员导入 ...
    perm: str  # who uploads and sees the results
    upload_url: str  # URL name of the app's upload page ("重新上传")
    done_url: str = ""  # URL name of the list to look at after a success
    done_label: str = ""
    success: str = "已导入 {imported} 条记录。"


def import_job(*, job, run, path: str = "", stored: str = "", count_warnings: bool = False) -> dict:
    """The body of every import's job handler: open the file (a path on disk from the command, or a
    name in default storage from the upload page), `run(file)` the app's all-or-nothing write
    service, and record the outcome. A refused file fails the job with every bad row in its result
    (the result page lists them and offers them as an Excel file)."""
    from django.core.exceptions import ValidationError
    from django.core.files.storage import default_storage

    from linggao_pension.org.models import JobRun

    opener = (lambda: default_storage.open(stored, "rb")) if stored else (lambda: open(path, "rb"))
    with opener() as file:
        result = run(file)
    data = result.as_dict()
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=data, counts={"imported": 0, "errors": len(result.errors)})
        raise ValidationError(f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据")
    job.counts = {"imported": result.imported} | ({"warnings": len(result.warnings)} if count_warnings else {})
    return data


def import_outcome(job) -> dict:
    """What the result page shows of an import job: every bad row of a refused file (as the import
    reported them), the warnings, the number imported, or why the job stopped otherwise (the
    first line of its error; the traceback stays in the log)."""
    result = job.result or {}
    errors = result.get("errors") or []
    failure = ""
    if job.status == job.Status.FAILED and not errors:
        failure = (job.error or "").strip().splitlines()[0] if job.error else "导入失败"
    return {
        "job": job, "errors": errors, "warnings": result.get("warnings") or [],
        "imported": result.get("imported", 0), "failure": failure,
    }  # fmt: skip


ERROR_COLUMNS = [Column("行号", 8), Column("列", 14), Column("错误原因", 70)]


def errors_workbook(errors: list[dict]):
    """Every bad row of a refused file (行号, 列, 错误原因), one line each, to correct the file row by row."""
    wb = new_workbook()
    rows = ((e.get("row"), e.get("column", ""), e.get("message", "")) for e in errors)
    add_sheet(wb, "导入错误", ERROR_COLUMNS, rows,
              heading_lines=[f"发现 {len(errors)} 处错误，未导入任何数据；请按行号修改原文件后重新上传"])  # fmt: skip
    return wb
