"""Reference data: the six public services of the bureau (seed 四、公共服务事项登记表), the document
types with their category and retention, and the registers of 表、单、证、卡、册 (seed duty 5)."""

from django.db import migrations

PHONE = "28278663"
SERVICES = [
    # number, name, content (the seed's 主要内容), unit, co-unit
    (1, "参保政策咨询", "城乡居民参保政策咨询服务：负责宣传城乡居保政策、办理参保条件及转保、退保等参保业务经办流程咨询服务", "业务股", ""),
    (2, "老农保政策咨询", "关于老农保政策咨询服务：接受老农保两委干部及村民参保政策咨询服务", "业务股特殊业务部门", ""),
    (3, "被征地农民参保咨询", "关于被征地农民参保政策咨询：接受被征地农民参保政策咨询服务", "业务股", ""),
    (4, "原辞退民办教师遗留问题咨询", "解决原辞退民办教师遗留问题咨询服务：接受原辞退民办教师的养老待遇政策咨询服务", "业务股特殊业务部门", ""),
    (5, "特殊人群参保咨询", "关于特殊人群参保政策咨询：接受特殊人群参保政策咨询服务", "业务股特殊业务部门", ""),
    (6, "养老待遇追回政策咨询", "养老待遇追回政策咨询服务：接受被冒领或误发养老金待遇咨询服务", "稽核股", "业务股"),
]

DOCUMENT_TYPES = [
    # code, name, category, retention
    ("enroll_form", "参保登记表", "CB", "Y"),
    ("id_copy", "居民身份证复印件", "CB", "Y"),
    ("hukou_copy", "户口簿复印件", "CB", "Y"),
    ("change_form", "信息变更申请表", "CB", "D30"),
    ("receipt_stub", "缴费票据存根", "JF", "D30"),
    ("bank_voucher", "银行代收凭证", "JF", "D30"),
    ("claim_form", "待遇申领表", "DY", "Y"),
    ("pension_calc", "养老金计算表", "DY", "Y"),
    ("certification", "领取资格认证材料", "DY", "D10"),
    ("transfer_form", "转移接续申请表", "ZY", "Y"),
    ("death_proof", "死亡证明", "ZY", "Y"),
    ("termination_form", "终止参保（退保）申请表", "ZY", "Y"),
    ("inspection_report", "稽核（监督检查）报告", "JC", "Y"),
    ("recovery_decision", "待遇追回决定书", "JC", "Y"),
    ("rectification", "整改意见书", "JC", "D30"),
    ("other", "其他材料", "ZH", "D10"),
]

REGISTERS = [
    # code, name, kind, description
    ("enrollment_form", "参保登记表", "表", "参保登记表的缮制、复核与归档"),
    ("statistics_report", "统计报表", "表", "城乡居民养老保险统计报表（月报、年报）的缮制、复核与报送"),
    ("premium_receipt", "保费缴费票据", "单", "缴费票据的领用、核销与存根保管"),
    ("remittance_voucher", "保费上缴凭证", "单", "保费上缴财政专户凭证"),
    ("certificate_contribution", "参保缴费证明", "证", "参保缴费证明的签发台账（系统签发时自动登记）"),
    ("certificate_benefit", "待遇领取证明", "证", "待遇领取证明的签发台账（系统签发时自动登记）"),
    ("social_security_card", "社会保障卡领取登记", "卡", "社会保障卡的发放与领取登记"),
    ("account_card", "个人账户卡", "卡", "个人账户卡的建立与登记"),
    ("pensioner_roster", "待遇领取人员花名册", "册", "月度待遇领取人员花名册"),
    ("insured_roster", "参保人员花名册", "册", "各镇/农场参保人员花名册"),
]


def load(apps, schema_editor):
    Service = apps.get_model("archives", "ConsultationService")
    for number, name, content, unit, co_unit in SERVICES:
        Service.objects.update_or_create(
            number=number, defaults={"name": name, "content": content, "unit": unit, "co_unit": co_unit, "phone": PHONE}
        )
    DocumentType = apps.get_model("archives", "DocumentType")
    for order, (code, name, category, retention) in enumerate(DOCUMENT_TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "retention": retention, "sort_order": order}
        )
    Register = apps.get_model("archives", "Register")
    for order, (code, name, kind, description) in enumerate(REGISTERS, start=1):
        Register.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "description": description, "sort_order": order,
                      "custody_location": "县局档案室"},
        )


class Migration(migrations.Migration):
    dependencies = [("archives", "0002_documents_certificates_desk")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
