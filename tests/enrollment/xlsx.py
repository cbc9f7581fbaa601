"""Build resident import files for the tests and the benchmark."""

import io
import random
from datetime import date

from openpyxl import Workbook

from enrollment.resident_import import HEADERS
from enrollment.rules import id_check_char


def workbook_bytes(rows, headers=HEADERS) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("参保人员")
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def valid_rows(count: int, *, town="临城镇", seed: int = 1, start_year: int = 1940) -> list[list]:
    """`count` good rows with distinct, valid ID numbers (adults, enrolled in 2015)."""
    rng = random.Random(seed)
    rows, seen = [], set()
    i = 0
    while len(rows) < count:
        i += 1
        birth = date(start_year + i % 50, 1 + i % 12, 1 + i % 28)
        first17 = f"469024{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + id_check_char(first17)
        if number in seen:
            continue
        seen.add(number)
        rows.append([number, f"王{i}", "汉族", town, "", f"138{i:08d}", "农村", "临高县临城镇", "",
                     date(2015, 7, 1), "海南农信", f"6217{i:012d}"])  # fmt: skip
    return rows
