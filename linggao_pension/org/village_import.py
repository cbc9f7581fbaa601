"""The village list file (村/居委会名单): its columns and the check of every row.

Reads only; villages.villages_import does the writing.
"""

from dataclasses import dataclass

from linggao_pension.imports import RowError, SheetRow, text

from .models import Town, Village

HEADERS = ["镇/农场", "村/居委会", "区划代码"]
EXAMPLE = ["临城镇", "美鳌村", "469024100201"]
MAX_NAME = 40
MAX_CODE = 15


@dataclass(frozen=True)
class PlannedVillage:
    row: int
    town_id: int
    name: str
    code: str  # "" when one is to be assigned


def validate(rows: list[SheetRow]) -> tuple[list[PlannedVillage], int, list[RowError]]:
    """The villages to add, the number of rows already present (skipped), and every error.

    A row whose village already exists in its town with the same code (or with an empty code in
    the file) is skipped, so a rerun adds nothing twice; a different code, or a code that belongs
    to another village, is an error (nothing is changed silently)."""
    towns = {t.name: t for t in Town.objects.all()}
    by_short = {t.name.removeprefix("国营"): t for t in towns.values()}
    existing = {(v.town_id, v.name): v.code for v in Village.objects.only("town_id", "name", "code")}
    code_owner = {code: (town_id, name) for (town_id, name), code in existing.items()}
    planned: list[PlannedVillage] = []
    errors: list[RowError] = []
    skipped = 0
    seen_names: dict[tuple[int, str], int] = {}
    seen_codes: dict[str, int] = {}
    for row in rows:
        v = row.values
        town_name, name, code = text(v["镇/农场"]), text(v["村/居委会"]), text(v["区划代码"])
        bad = []
        town = towns.get(town_name) or by_short.get(town_name)
        if not town_name:
            bad.append(("镇/农场", "镇/农场不能为空"))
        elif town is None:
            bad.append(("镇/农场", f"未知的镇/农场“{town_name}”，应为：" + "、".join(towns)))
        if not name:
            bad.append(("村/居委会", "村/居委会名称不能为空"))
        elif len(name) > MAX_NAME:
            bad.append(("村/居委会", f"名称不能超过{MAX_NAME}个字"))
        if code and (not code.isdigit() or len(code) > MAX_CODE):
            bad.append(("区划代码", f"区划代码“{code}”应为不超过{MAX_CODE}位的数字（可留空，由系统编码）"))
        elif code and town is not None and not code.startswith(town.code):
            bad.append(("区划代码", f"区划代码“{code}”应以{town.name}的代码 {town.code} 开头"))
        if bad:
            errors += [RowError(row.number, column, message) for column, message in bad]
            continue
        key = (town.pk, name)
        if key in seen_names:
            errors.append(RowError(row.number, "村/居委会", f"文件内重复（与第 {seen_names[key]} 行相同）"))
            continue
        seen_names[key] = row.number
        if code:
            if code in seen_codes:
                errors.append(RowError(row.number, "区划代码", f"文件内重复（与第 {seen_codes[code]} 行区划代码相同）"))
                continue
            seen_codes[code] = row.number
        if key in existing:
            if code and code != existing[key]:
                errors.append(RowError(row.number, "区划代码", f"{town.name}{name}已登记，区划代码为 {existing[key]}，与文件中的 {code} 不同"))
            else:
                skipped += 1
            continue
        if code and code in code_owner:
            owner_town, owner_name = code_owner[code]
            owner = next((t.name for t in towns.values() if t.pk == owner_town), "")
            errors.append(RowError(row.number, "区划代码", f"区划代码 {code} 已属于{owner}{owner_name}"))
            continue
        planned.append(PlannedVillage(row=row.number, town_id=town.pk, name=name, code=code))
    return planned, skipped, errors
