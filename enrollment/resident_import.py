"""The legacy registry file (go-live import): its columns and the check of every row.

Reads only; services.residents_import does the writing. The look-up tables are loaded once, so
checking 10,000 rows costs a handful of queries.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from linggao_pension.imports import RowError, SheetRow, cell_date, text
from linggao_pension.org.models import Town, Village

from . import rules, selectors
from .models import ETHNICITIES, OPEN_REVIEW_STATUSES, EnrollmentApplication, IdentityCode, Person

HEADERS = [
    "身份证号", "姓名", "民族", "镇/农场", "村/居委会", "联系电话", "户籍性质", "户籍地址",
    "参保身份", "参保日期", "银行名称", "银行账号",
]  # fmt: skip
DEFAULT_IDENTITY = "011"
HUKOU_WORDS = {"城镇": "10", "城市": "10", "非农": "10", "非农业": "10", "10": "10",
               "农村": "20", "农业": "20", "20": "20"}  # fmt: skip
QUERY_CHUNK = 900


@dataclass
class ImportContext:
    today: date
    towns: dict[str, int]  # name -> id
    villages: dict[tuple[int, str], int]  # (town id, name) -> id
    town_names: dict[int, str]
    identities: set[str]  # active codes
    ethnicities: dict[str, str]  # name (with and without 族) or code -> code
    age_table: list[tuple[date, int]]
    village_names: dict[int, list[str]] = field(default_factory=dict)  # town id -> its villages' names
    village_towns: dict[str, list[int]] = field(default_factory=dict)  # village name -> town ids
    # Not errors: 15-digit IDs converted to 18 digits, reported on their row.
    warnings: list[RowError] = field(default_factory=list)

    @classmethod
    def load(cls) -> "ImportContext":
        towns = dict(Town.objects.filter(is_active=True).values_list("name", "pk"))
        villages = {
            (town_id, name): pk
            for pk, town_id, name in Village.objects.filter(is_active=True).values_list("pk", "town_id", "name")
        }
        names: dict[int, list[str]] = {}
        towns_of: dict[str, list[int]] = {}
        for (town_id, name) in sorted(villages, key=lambda k: (k[0], villages[k])):
            names.setdefault(town_id, []).append(name)
            towns_of.setdefault(name, []).append(town_id)
        ethnicities = {}
        for code, name in ETHNICITIES:
            ethnicities[code] = code
            ethnicities[str(int(code))] = code
            ethnicities[name] = code
            ethnicities[name.removesuffix("族")] = code
        return cls(
            today=timezone.localdate(),
            towns=towns,
            villages=villages,
            town_names={pk: name for name, pk in towns.items()},
            identities=set(IdentityCode.objects.filter(is_active=True).values_list("code", flat=True)),
            ethnicities=ethnicities,
            age_table=selectors.enrolment_age_table(),
            village_names=names,
            village_towns=towns_of,
        )


VILLAGE_HOW_TO_ADD = (
    "如确为新设或未登记的村（居）委会，请系统管理员在“档案与服务 → 村/居委会名单导入”上传村名单"
    "（或运行 python manage.py import_villages 文件.xlsx），再重新导入本文件"
)
VILLAGES_LISTED = 12


def unknown_village_message(ctx: ImportContext, town_id: int, town_name: str, village_name: str) -> str:
    """A village that is not one of the town's: where it is registered instead, a close name of the
    town's, or the town's villages; and how to add a missing one (issue 14)."""
    head = f"村/居委会“{village_name}”不属于{town_name}"
    elsewhere = [ctx.town_names.get(t, "") for t in ctx.village_towns.get(village_name, []) if t != town_id]
    if elsewhere:
        return f"{head}（登记在{'、'.join(sorted(elsewhere))}），请核对该行的镇/农场或村/居委会"
    known = ctx.village_names.get(town_id, [])
    if not known:
        return f"{head}：{town_name}尚未登记任何村/居委会；{VILLAGE_HOW_TO_ADD}"
    close = [n for n in known if village_name in n or n in village_name]
    if close:
        return f"{head}，是否为“{'”或“'.join(close[:3])}”？请按已登记的名称填写；{VILLAGE_HOW_TO_ADD}"
    listed = "、".join(known[:VILLAGES_LISTED]) + (f"等 {len(known)} 个" if len(known) > VILLAGES_LISTED else "")
    return f"{head}（{town_name}已登记：{listed}）；{VILLAGE_HOW_TO_ADD}"


def _row(row: SheetRow, ctx: ImportContext) -> tuple[dict, list[RowError]]:
    """One row: the Person field values, and the errors (column, Chinese reason)."""
    v = row.values
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row.number, column, message))

    values: dict = {}
    raw_id = v["身份证号"]
    upgraded = rules.id_number_upgrade(text(raw_id))  # 15 digits fit a number cell exactly
    if upgraded:
        ctx.warnings.append(RowError(row.number, "身份证号", rules.id_upgrade_warning(text(raw_id), upgraded)))
        raw_id = upgraded
    try:
        if isinstance(raw_id, float):
            # Excel keeps 15 significant digits of a number: the last digits of an 18-digit ID typed
            # as a number are lost, and what is left may even pass the check digit by chance.
            raise ValueError("身份证号是数字格式，Excel 只保留15位有效数字，末几位可能已改变")
        values["id_number"] = rules.validate_id_number(text(raw_id), today=ctx.today)
    except ValueError as exc:
        hint = "（请将身份证号列设为文本格式后重新填写）" if isinstance(raw_id, int | float) else ""
        bad("身份证号", f"{exc}{hint}")
    else:
        values["sex"] = rules.id_sex(values["id_number"])
        values["birth_date"] = rules.id_birth_date(values["id_number"])

    name = text(v["姓名"])
    if not name:
        bad("姓名", "姓名不能为空")
    elif len(name) > 30:
        bad("姓名", "姓名不能超过30个字")
    values["name"] = name

    ethnicity = text(v["民族"])
    if not ethnicity:
        bad("民族", "民族不能为空")
    elif ethnicity.zfill(2) not in ctx.ethnicities and ethnicity not in ctx.ethnicities:
        bad("民族", f"未知的民族“{ethnicity}”，应为民族名称（如 汉族、黎族）或国标代码")
    else:
        values["ethnicity"] = ctx.ethnicities.get(ethnicity) or ctx.ethnicities[ethnicity.zfill(2)]

    town_name = text(v["镇/农场"])
    town_id = ctx.towns.get(town_name)
    if not town_name:
        bad("镇/农场", "镇/农场不能为空")
    elif town_id is None:
        bad("镇/农场", f"未知的镇/农场“{town_name}”")
    values["town_id"] = town_id

    village_name = text(v["村/居委会"])
    values["village_id"] = None
    if village_name and town_id is not None:
        village_id = ctx.villages.get((town_id, village_name))
        if village_id is None:
            bad("村/居委会", unknown_village_message(ctx, town_id, town_name, village_name))
        values["village_id"] = village_id

    try:
        values["phone"] = rules.validate_phone(text(v["联系电话"]))
    except ValueError as exc:
        bad("联系电话", str(exc))

    hukou = text(v["户籍性质"])
    if hukou not in HUKOU_WORDS:
        bad("户籍性质", f"户籍性质“{hukou}”应为 城镇/农村 或 10/20" if hukou else "户籍性质不能为空")
    else:
        values["hukou_type"] = HUKOU_WORDS[hukou]

    address = text(v["户籍地址"])
    if len(address) > 120:
        bad("户籍地址", "户籍地址不能超过120个字")
    values["hukou_address"] = address

    identity = text(v["参保身份"]) or DEFAULT_IDENTITY
    identity = identity.zfill(3) if identity.isdigit() else identity
    if identity not in ctx.identities:
        bad("参保身份", f"未知的参保身份代码“{identity}”")
    values["identity_id"] = identity

    try:
        enrolled_on = cell_date(v["参保日期"])
    except ValueError as exc:
        bad("参保日期", f"参保日期{exc}" if str(exc) == "不能为空" else str(exc))
    else:
        values["enrolled_on"] = enrolled_on
        if enrolled_on > ctx.today:
            bad("参保日期", "参保日期不能晚于今天")
        elif "birth_date" in values:
            min_age = rules.min_age_on(ctx.age_table, enrolled_on)
            age = rules.age_on(values["birth_date"], enrolled_on)
            if age < min_age:
                bad("参保日期", f"未满{min_age}周岁（参保日期 {enrolled_on:%Y-%m-%d} 时 {max(age, 0)} 周岁）")

    bank_name = text(v["银行名称"])
    if len(bank_name) > 40:
        bad("银行名称", "银行名称不能超过40个字")
    values["bank_name"] = bank_name
    try:
        values["bank_account"] = rules.validate_bank_account(text(v["银行账号"]))
    except ValueError as exc:
        bad("银行账号", str(exc))
    return values, errors


def validate(rows: list[SheetRow], ctx: ImportContext) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Every row checked on its own, then duplicates within the file, then against the registry.
    Returns the good rows' values (row number, Person fields) and every error found."""
    persons: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    rows_by_id: dict[str, list[int]] = {}
    for row in rows:
        values, row_errors = _row(row, ctx)
        if "id_number" in values:
            rows_by_id.setdefault(values["id_number"], []).append(row.number)
        if row_errors:
            errors += row_errors
        else:
            persons.append((row.number, values))
    for numbers in rows_by_id.values():
        if len(numbers) > 1:
            for number in numbers:
                others = "、".join(str(n) for n in numbers if n != number)
                errors.append(RowError(number, "身份证号", f"文件内重复（与第 {others} 行身份证号相同）"))
    errors += registry_conflicts([(numbers[0], id_number) for id_number, numbers in rows_by_id.items()])
    return persons, errors


def registry_conflicts(rows: list[tuple[int, str]]) -> list[RowError]:
    """Rows (row number, ID number) whose person is already registered or has an open application."""
    row_by_id = {id_number: number for number, id_number in rows}
    ids = list(row_by_id)
    errors = []
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start : start + QUERY_CHUNK]
        for id_number, insured_no in Person.objects.filter(id_number__in=chunk).values_list("id_number", "insured_no"):
            errors.append(RowError(row_by_id[id_number], "身份证号", f"已登记（参保编号 {insured_no}）"))
        open_apps = EnrollmentApplication.objects.filter(id_number__in=chunk, status__in=OPEN_REVIEW_STATUSES)
        for id_number, pk in open_apps.values_list("id_number", "pk"):
            errors.append(
                RowError(row_by_id[id_number], "身份证号", f"已有未办结的参保登记申请（DJ{pk:08d}）")
            )
    return errors


def sort_errors(errors: list[RowError]) -> list[RowError]:
    def key(error: RowError):
        return error.row, HEADERS.index(error.column) if error.column in HEADERS else -1

    return sorted(errors, key=key)
