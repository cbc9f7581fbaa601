"""Input shape of transfer and termination applications (Chinese messages); the rules are in
enrollment.services_relationships."""

from django import forms

from .models import ApplicationKind, RelationshipApplication

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RelationshipApplicationForm(forms.ModelForm):
    years_in = forms.CharField(label="转入缴费年度", required=False, help_text="转出地凭证所列年度，逗号分隔，如 2016,2017")
    kind = forms.ChoiceField(label="业务类型", choices=ApplicationKind.choices)

    class Meta:
        model = RelationshipApplication
        fields = [
            "kind", "event_on", "other_area", "certificate_no", "amount_in", "years_in", "employee_years",
            "employee_start", "overlap_year", "overlap_months", "payee_name", "payee_id_number", "payee_relation",
            "bank_name", "bank_account", "note",
        ]
        widgets = {"event_on": DATE, "employee_start": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.initial["years_in"] = ",".join(str(y) for y in self.instance.years_in or [])

    def _post_clean(self):  # the service validates and saves (one atomic write), not the ModelForm
        pass


class DocumentForm(forms.Form):
    title = forms.CharField(label="材料名称", max_length=60)
    file = forms.FileField(label="文件")
