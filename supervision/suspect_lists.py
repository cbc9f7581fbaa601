"""The external lists of 疑点核查 (三(2)①): one parser per kind, with its columns and row errors.

deaths: 身份证号, 姓名, 死亡日期; employee_pensions: 身份证号, 姓名, 职工养老金开始年月;
prison: 身份证号, 姓名, 服刑开始日期, 服刑结束日期 (blank: still serving).
"""

from dataclasses import dataclass
from datetime import date

from enrollment.rules import validate_id_number
from linggao_pension import periods
from linggao_pension.imports import RowError, cell_date, read_rows, text

HEADERS: dict[str, list[str]] = {
    "deaths": ["身份证号", "姓名", "死亡日期"],
    "employee_pensions": ["身份证号", "姓名", "职工养老金开始年月"],
    "prison": ["身份证号", "姓名", "服刑开始日期", "服刑结束日期"],
}
EXAMPLES: dict[str, list[str]] = {
    "deaths": ["460028195001011234", "张三", "2026-03-15"],
    "employee_pensions": ["460028195001011234", "张三", "2024-07"],
    "prison": ["460028195001011234", "张三", "2025-10-08", "2027-10-07"],
}


@dataclass(frozen=True)
class ListRow:
    row: int
    id_number: str
    name: str
    start: date  # 死亡日期 / 职工养老金开始年月 (first of the month) / 服刑开始日期
    end: date | None = None  # 服刑结束日期


def _month_cell(value) -> date:
    if isinstance(value, date):
        return periods.month_start(value if not hasattr(value, "date") else value.date())
    raw = text(value).replace("/", "-").replace("年", "-").replace("月", "").replace(".", "-").strip("-")
    if raw.isdigit() and len(raw) == 6:
        raw = f"{raw[:4]}-{raw[4:]}"
    if not raw:
        raise ValueError("不能为空")
    if raw.count("-") == 2:  # a full date typed as text: its month
        raw = raw.rsplit("-", 1)[0]
    return periods.parse_month(raw)


def parse(kind: str, file, *, today: date) -> tuple[list[ListRow], list[RowError]]:
    """Every row of the file, or every bad row (row number as Excel shows it, column, reason).
    Raises FileFormatError for a file that is not an xlsx with exactly these headers."""
    headers = HEADERS[kind]
    rows, errors, seen = [], [], {}
    for sheet_row in read_rows(file, headers):
        values, bad = sheet_row.values, []
        try:
            id_number = validate_id_number(text(values["身份证号"]), today=today)
        except ValueError as exc:
            bad.append(RowError(sheet_row.number, "身份证号", str(exc)))
            id_number = ""
        name = text(values["姓名"])
        if not name:
            bad.append(RowError(sheet_row.number, "姓名", "不能为空"))
        start_col = headers[2]
        start = end = None
        try:
            start = _month_cell(values[start_col]) if kind == "employee_pensions" else cell_date(values[start_col])
            if start > today:
                bad.append(RowError(sheet_row.number, start_col, "不能晚于今天"))
        except ValueError as exc:
            bad.append(RowError(sheet_row.number, start_col, str(exc)))
        if kind == "prison" and text(values["服刑结束日期"]):
            try:
                end = cell_date(values["服刑结束日期"])
                if start and end < start:
                    bad.append(RowError(sheet_row.number, "服刑结束日期", "不能早于服刑开始日期"))
            except ValueError as exc:
                bad.append(RowError(sheet_row.number, "服刑结束日期", str(exc)))
        if id_number and id_number in seen:
            bad.append(RowError(sheet_row.number, "身份证号", f"与第 {seen[id_number]} 行重复"))
        elif id_number:
            seen[id_number] = sheet_row.number
        if bad:
            errors.extend(bad)
        else:
            rows.append(ListRow(sheet_row.number, id_number, name, start, end))
    return rows, errors
