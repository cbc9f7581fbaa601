"""Row builders for the registry's outputs: the 参保登记表 PDF and the import template."""

import io

from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.styles import Font

from linggao_pension.imports import template_bytes

from .models import EnrollmentApplication
from .resident_import import HEADERS
from .selectors import personal_display

IMPORT_NOTES = [
    ("身份证号", "18位，末位X不区分大小写；请保持文本格式，以免 Excel 把数字改成科学计数法"),
    ("姓名", "必填"),
    ("民族", "民族名称（汉族、黎族……）或国标代码（01、19……）"),
    ("镇/农场", "必填，临高县镇/农场全称，如 临城镇、国营红华农场"),
    ("村/居委会", "可空；填写时必须是该镇/农场下的村/居委会"),
    ("联系电话", "可空；手机号或固定电话"),
    ("户籍性质", "城镇 / 农村，或代码 10 / 20"),
    ("户籍地址", "可空"),
    ("参保身份", "代码，如 011 普通参保人员、021 残一级；空白按 011"),
    ("参保日期", "必填，如 2014-07-01；参保时须年满{min_age}周岁"),
    ("银行名称", "可空"),
    ("银行账号", "可空；8至32位数字"),
]


def import_template_bytes(*, min_age: int) -> bytes:
    """The template: header row on the first sheet, and a sheet explaining each column."""
    widths = {"身份证号": 22, "户籍地址": 30, "银行账号": 24, "镇/农场": 16, "村/居委会": 16}
    wb = load_workbook(io.BytesIO(template_bytes(HEADERS, widths=widths)))
    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "填写要求"])
    notes["A1"].font = notes["B1"].font = Font(bold=True)
    for column, note in IMPORT_NOTES:
        notes.append([column, note.format(min_age=min_age)])
    notes.append([])
    notes.append(["说明", "整个文件校验通过才会导入；任何一行有错误则不导入任何数据，并列出每个错误的行号、列和原因"])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def application_form_context(application: EnrollmentApplication, *, full: bool) -> dict:
    """What the printed 参保登记表 shows (the application, its review opinions and signature blocks);
    ID number, phone and account masked unless the user may see them in full."""
    a = application
    shown = personal_display(record=a, full=full)
    rows = [
        [("姓名", a.name), ("性别", a.get_sex_display()), ("民族", a.get_ethnicity_display())],
        [("公民身份号码", shown["id_number"]), ("出生日期", f"{a.birth_date:%Y年%m月%d日}"), ("户籍性质", a.get_hukou_type_display())],
        [("镇/农场", a.town.name), ("村/居委会", a.village.name if a.village else ""), ("联系电话", shown["phone"])],
        [("户籍地址", a.hukou_address), ("居住地址", a.residential_address), ("参保身份", str(a.identity))],
        [("开户银行", a.bank_name), ("银行/社保卡账号", shown["bank_account"]), ("申请日期", f"{a.applied_on:%Y年%m月%d日}")],
    ]
    flags = [
        ("被征地农民", a.land_expropriated), ("老农保", a.old_rural_pension), ("原辞退民办教师", a.dismissed_teacher),
    ]  # fmt: skip
    declarations = [
        ("在校学生", a.is_student), ("已参加职工基本养老保险", a.in_employee_scheme),
        ("机关事业单位工作人员", a.is_public_servant), ("已领取国家规定的基本养老保障待遇", a.receives_state_pension),
    ]  # fmt: skip
    return {
        "application": a,
        "rows": rows,
        "flags": [(label, "是" if value else "否") for label, value in flags],
        "declarations": [(label, "是" if value else "否") for label, value in declarations],
        "insured_no": a.person.insured_no if a.person_id else "",
        "printed_at": timezone.localtime(),
    }
