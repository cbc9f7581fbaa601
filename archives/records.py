"""The business records a document may attach to, declared by the app that owns each one.

An app lists its records on its AppConfig (the same place as its other declarations):

    archive_record_types = {
        "enrollment.person": {"title": "参保人", "town": "town", "person": "", "perm": "enrollment.view_person",
                              "url": "enrollment:person_detail"},
        "benefits.benefitclaim": {"title": "待遇申领", "town": "person__town", "person": "person", ...},
    }

- `town`: the lookup from the record to its town (scoping: a record outside the user's town is 404);
- `person`: the lookup to the insured person ("" when the record is the person, None when none);
- `perm`: the permission a user needs to see the record (and so its documents);
- `url`: the URL name of the record's page (taking its pk), optional.

Archives reads these declarations and imports no app to scope a document.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from linggao_pension.org.access import scope_q as town_scope_q


@dataclass(frozen=True)
class RecordType:
    label: str  # "app_label.model_name"
    title: str
    town: str
    perm: str
    person: str | None = None
    url: str | None = None

    @property
    def model(self):
        return apps.get_model(self.label)

    def town_id_of(self, record) -> int:
        return _follow(record, self.town + "_id")

    def person_id_of(self, record) -> int | None:
        if self.person is None:
            return None
        if self.person == "":
            return record.pk
        return _follow(record, self.person + "_id")


def _follow(obj, path: str):
    """getattr along a lookup path: "person__town_id" is obj.person.town_id."""
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def record_types() -> dict[str, RecordType]:
    out: dict[str, RecordType] = {}
    for config in apps.get_app_configs():
        for label, spec in getattr(config, "archive_record_types", {}).items():
            out[label] = RecordType(label=label, **spec)
    return out


def record_type(label: str) -> RecordType:
    try:
        return record_types()[label]
    except KeyError:
        raise Http404("不能为该类业务记录归档") from None


def label_of(model_or_obj) -> str:
    return model_or_obj._meta.label_lower


def fetch_record(*, label: str, pk, user):
    """The record if `user` may see it (its permission and town); Http404 otherwise."""
    rtype = record_type(label)
    if not user.has_perm(rtype.perm):
        raise Http404("没有找到该业务记录")
    qs = rtype.model._default_manager.all()
    q = town_scope_q(user, rtype.town)
    if q is not None:
        qs = qs.filter(q)
    try:
        return rtype, qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该业务记录") from None
