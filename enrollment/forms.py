"""Input shape and field checks with Chinese messages. Cross-object rules live in services."""

from django import forms
from django.utils import timezone

from linggao_pension.imports import SPREADSHEET_REFUSAL, SPREADSHEET_SUFFIXES
from linggao_pension.org.models import Town, Village
from linggao_pension.uploads import upload_size_limit

from . import rules
from .models import CHANGEABLE_FIELDS, EnrollmentApplication, IdentityCode, Person


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return f"{obj.town.name} · {obj.name}"


def _id_number(value: str) -> str:
    try:
        return rules.validate_id_number(value, today=timezone.localdate())
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


def _checked(check, value: str) -> str:
    try:
        return check(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class ApplicationForm(forms.ModelForm):
    """参保登记申请. 性别 and 出生日期 are not fields: they come from the ID number."""

    village = VillageChoiceField(queryset=Village.objects.none(), required=False, label="村/居委会")
    # Sections of the page (linggao_pension.forms_layout).
    fieldsets = [
        ("身份信息", ["id_number", "name", "ethnicity", "identity"]),
        ("户籍与联系方式", ["town", "village", "hukou_type", "hukou_address", "residential_address", "phone"]),
        ("银行账户（待遇发放）", ["bank_name", "bank_account"]),
        ("申请与资格核查", ["applied_on", "is_student", "in_employee_scheme", "is_public_servant",
                           "receives_state_pension", "land_expropriated", "old_rural_pension", "dismissed_teacher"]),
    ]

    class Meta:
        model = EnrollmentApplication
        fields = [
            "id_number", "name", "ethnicity", "hukou_type", "hukou_address", "residential_address", "phone",
            "town", "village", "identity", "land_expropriated", "old_rural_pension", "dismissed_teacher",
            "bank_name", "bank_account", "applied_on", "is_student", "in_employee_scheme",
            "is_public_servant", "receives_state_pension",
        ]  # fmt: skip
        widgets = {"applied_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "id_number": "18位，末位X不区分大小写；性别、出生日期由身份证号自动生成",
            "applied_on": "申请人提交申请之日，参保年龄按此日计算",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.choices_for(user)
        self.fields["village"].queryset = (
            Village.objects.in_scope(user).filter(is_active=True).select_related("town")
        )
        self.fields["identity"].queryset = IdentityCode.objects.filter(is_active=True)
        self.fields["identity"].empty_label = None
        if not self.instance.pk:
            self.initial.setdefault("applied_on", timezone.localdate())
            if user.town_id:
                self.initial.setdefault("town", user.town_id)

    def clean_id_number(self) -> str:
        raw = self.cleaned_data["id_number"]
        upgraded = rules.id_number_upgrade(raw)
        if upgraded:
            # Shown at the field with the converted number filled in; saved only when submitted again,
            # so no 15-digit number is ever changed without the agent seeing it.
            data = self.data.copy()
            data[self.add_prefix("id_number")] = upgraded
            self.data = data
            raise forms.ValidationError(rules.id_upgrade_warning(raw.strip(), upgraded) + "后再次保存")
        return _id_number(raw)

    def clean_phone(self) -> str:
        return _checked(rules.validate_phone, self.cleaned_data["phone"])

    def clean_bank_account(self) -> str:
        return _checked(rules.validate_bank_account, self.cleaned_data["bank_account"])

    def clean_applied_on(self):
        value = self.cleaned_data["applied_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("申请日期不能晚于今天")
        return value

    def clean(self):
        data = super().clean()
        town, village = data.get("town"), data.get("village")
        if town and village and village.town_id != town.pk:
            self.add_error("village", f"“{village.name}”不属于{town.name}")
        return data


class ChangeRequestForm(forms.Form):
    """信息变更: the form starts with the person's current values; change what needs changing."""

    phone = forms.CharField(label=CHANGEABLE_FIELDS["phone"], max_length=20, required=False)
    residential_address = forms.CharField(label=CHANGEABLE_FIELDS["residential_address"], max_length=120,
                                          required=False)  # fmt: skip
    hukou_address = forms.CharField(label=CHANGEABLE_FIELDS["hukou_address"], max_length=120, required=False)
    bank_name = forms.CharField(label=CHANGEABLE_FIELDS["bank_name"], max_length=40, required=False)
    bank_account = forms.CharField(label=CHANGEABLE_FIELDS["bank_account"], max_length=32, required=False)
    town = forms.ModelChoiceField(
        queryset=Town.objects.filter(is_active=True), label=CHANGEABLE_FIELDS["town"],
        help_text="在临高县内各镇/农场之间迁移时修改（非转移接续）",
    )  # fmt: skip
    village = VillageChoiceField(
        queryset=Village.objects.filter(is_active=True).select_related("town"), required=False,
        label=CHANGEABLE_FIELDS["village"],
    )  # fmt: skip
    identity = forms.ModelChoiceField(
        queryset=IdentityCode.objects.filter(is_active=True), label=CHANGEABLE_FIELDS["identity"], empty_label=None
    )
    reason = forms.CharField(label="变更原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        return {
            "phone": person.phone, "residential_address": person.residential_address,
            "hukou_address": person.hukou_address, "bank_name": person.bank_name,
            "bank_account": person.bank_account, "town": person.town_id, "village": person.village_id,
            "identity": person.identity_id,
        }  # fmt: skip

    def clean_phone(self) -> str:
        return _checked(rules.validate_phone, self.cleaned_data["phone"])

    def clean_bank_account(self) -> str:
        return _checked(rules.validate_bank_account, self.cleaned_data["bank_account"])

    def clean(self):
        data = super().clean()
        town, village = data.get("town"), data.get("village")
        if town and village and village.town_id != town.pk:
            self.add_error("village", f"“{village.name}”不属于{town.name}")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（.xlsx、.xls 或 .csv）",
                           help_text="请使用下载的模板填写，表头和列顺序不可改动；CSV 可为 UTF-8 或 GB18030 编码",
                           validators=[upload_size_limit])  # fmt: skip

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(SPREADSHEET_SUFFIXES):
            raise forms.ValidationError(SPREADSHEET_REFUSAL)
        return file
