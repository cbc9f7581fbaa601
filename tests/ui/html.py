"""Reading rendered pages as a browser would: the element around a field, its text."""

import lxml.html


def doc(response):
    return lxml.html.fromstring(response.content.decode())


def field_group(page, name: str):
    """The one element of the form layout holding the input named `name` (templates/forms/field.html)."""
    groups = page.xpath(f'//div[contains(concat(" ", @class, " "), " field ")][.//*[@name="{name}"]]')
    assert len(groups) == 1, f"field {name}: {len(groups)} groups"
    return groups[0]


def text(element) -> str:
    return " ".join(element.text_content().split())
