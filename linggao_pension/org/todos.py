"""The home page's 待办: each app lists what its users have to do next, with counts and links.

An app declares `home_todos = ["<app>.todos.todos"]` on its AppConfig (the registry's hook); each
function takes the user and returns Todo items, already scoped to the user's town and permissions.
Only items with something to do are shown. One COUNT query per item.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    hint: str = ""
    tone: str = ""  # "bad" for what is late


def todos_for(user) -> list[Todo]:
    items: list[Todo] = []
    for config in apps.get_app_configs():
        for path in getattr(config, "home_todos", ()) or ():
            items += [t for t in import_string(path)(user) if t.count]
    return items
