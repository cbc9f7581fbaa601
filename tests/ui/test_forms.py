"""The one form layout: a field's label, input, help and error stay in that field's group,
checkboxes line up, long forms come in sections; filter forms use the same groups."""

import pytest
from django import forms
from django.urls import reverse

from enrollment.models import EnrollmentApplication
from linggao_pension.forms_layout import form_sections

from .html import doc, field_group, text

pytestmark = pytest.mark.django_db


def _application_post(town, **overrides) -> dict:
    data = {
        "id_number": "46002819800517123X", "name": "符海生", "ethnicity": "01", "hukou_type": "20",
        "hukou_address": "海南省临高县临城镇美鳌村12号", "phone": "13800138000", "town": town.pk,
        "identity": "", "bank_name": "海南农信", "bank_account": "6217000012345678", "applied_on": "2026-11-02",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_wrong_id_number_error_stands_in_the_id_number_group(client, agent, town):
    client.force_login(agent)
    response = client.post(reverse("enrollment:application_create"), _application_post(town, id_number="460028198005171230"))
    assert response.status_code == 200
    page = doc(response)
    group = field_group(page, "id_number")
    assert "身份证号" in text(group.xpath(".//label")[0])
    errors = group.xpath('.//ul[contains(@class, "errorlist")]')
    assert [text(e) for e in errors] == ["身份证号校验位错误"]
    # The error is in no other field's group, and the neighbour (姓名) has none.
    assert not field_group(page, "name").xpath('.//ul[contains(@class, "errorlist")]')
    assert "has-error" in group.get("class")
    assert not EnrollmentApplication.objects.exists()


def test_every_error_lands_in_its_own_field(client, agent, town):
    client.force_login(agent)
    response = client.post(reverse("enrollment:application_create"),
                           _application_post(town, phone="12", bank_account="abc", name=""))
    page = doc(response)
    for name in ("phone", "bank_account", "name"):
        assert field_group(page, name).xpath('.//ul[contains(@class, "errorlist")]'), name
    assert not field_group(page, "hukou_address").xpath('.//ul[contains(@class, "errorlist")]')


def test_application_form_is_grouped_in_sections_with_checkboxes_in_line(client, agent):
    client.force_login(agent)
    page = doc(client.get(reverse("enrollment:application_create")))
    legends = [text(legend) for legend in page.xpath('//fieldset[contains(@class, "form-section")]/legend')]
    assert legends[:2] == ["身份信息", "户籍与联系方式"]
    assert any("银行" in legend for legend in legends)
    box = field_group(page, "is_student")
    # The checkbox sits inside its own label, before the text.
    label = box.xpath("./label")[0]
    assert label.xpath('./input[@type="checkbox"]') and "在校学生" in text(label)


def test_help_text_is_in_the_group_and_described_by():
    class F(forms.Form):
        code = forms.CharField(label="代码", help_text="六位数字")

    html = str(F()["code"].as_field_group())
    assert 'class="field field-text"' in html and "六位数字" in html and 'aria-describedby="id_code_helptext"' in html


def test_sections_keep_unlisted_fields_last():
    class F(forms.Form):
        a = forms.CharField()
        b = forms.CharField()
        c = forms.CharField()
        fieldsets = [("第一组", ["b"])]

    sections = form_sections(F())
    assert [s["title"] for s in sections] == ["第一组", "其他"]
    assert [f.name for f in sections[1]["fields"]] == ["a", "c"]


def test_filter_form_fields_are_groups(client, clerk):
    client.force_login(clerk)
    page = doc(client.get(reverse("enrollment:person_list")))
    group = field_group(page, "town")
    assert "镇/农场" in text(group.xpath(".//label")[0])
