"""What each app declares about itself, gathered in one place. Adding an app touches no central
list but INSTALLED_APPS: its AppConfig (apps.py) declares, as class attributes, any of

| attribute | shape | read by |
|---|---|---|
| `job_handlers` | {kind: "dotted.path.handler"} | org.services.jobrun_execute |
| `job_labels` | {kind: "中文名称"} | the job pages |
| `job_result_pages` | {kind: "app:url_name"} (takes the job's pk) | the job page links to it |
| `imports` | [linggao_pension.imports.ImportKind(...)] | the one import result page (org:import_result) |
| `job_file_permissions` | {kind: "app.perm"} to download the job's stored upload | org:jobrun_file |
| `beat_schedule` | {name: {"task": ..., "schedule": crontab(...)}} | Celery beat (org's ready()) |
| `person_page_sections` | ["dotted.path.section"] (request, person) -> dict or None | enrollment's person page |
| `demo_seeder`, `demo_order` | "dotted.path.seed", int (lower first) | manage.py seed_demo |
| `nav_sections` | [NavSection(...)] (linggao_pension.navigation) | the side menu |
| `role_permissions` | {role name: ["app.codename", ...]} (org.roles) | org.roles.sync_roles |
| `home_todos` | ["dotted.path"] (user) -> [org.todos.Todo(label, count, url, ...)] | the home page's 待办 (org.todos) |
| `kept_figures` | {key: "dotted.path"} () -> {town_id: {name: number}} | dashboards (org.figures.kept), refreshed by beat |
| `person_moved` | ["dotted.path"] (*, person, from_town_id) -> None | enrollment's services, in their transaction, when a person's town or village changed |

Values are read on each call (cheap), so a test may patch one AppConfig's attribute.
"""

from django.apps import apps
from django.utils.module_loading import import_string


def _declared(attr: str) -> list:
    return [getattr(config, attr) for config in apps.get_app_configs() if getattr(config, attr, None)]


def _merged(attr: str) -> dict:
    out: dict = {}
    for value in _declared(attr):
        clash = set(out) & set(value)
        if clash:
            raise ValueError(f"{attr}: declared twice: {sorted(clash)}")
        out |= value
    return out


def job_handlers() -> dict[str, str]:
    return _merged("job_handlers")


def job_labels() -> dict[str, str]:
    return _merged("job_labels")


def job_result_pages() -> dict[str, str]:
    """Each job's own result page; an import's is the one import result page unless it names its own."""
    return {kind: "org:import_result" for kind in imports()} | _merged("job_result_pages")


def imports() -> dict:
    """kind -> ImportKind of every import the apps declare."""
    return {spec.kind: spec for specs in _declared("imports") for spec in specs}


def job_file_permissions() -> dict[str, str]:
    return _merged("job_file_permissions")


def beat_schedule() -> dict[str, dict]:
    return _merged("beat_schedule")


def kept_figures() -> dict[str, str]:
    return _merged("kept_figures")


def person_moved() -> list[str]:
    """What the later apps keep by a person's town or village (the ledger's month totals, the
    pension's copy): enrollment calls each when it moves a person, so it imports none of them."""
    return [path for paths in _declared("person_moved") for path in paths]


def person_page_sections() -> list[str]:
    return [path for paths in _declared("person_page_sections") for path in paths]


def demo_seeders() -> list[str]:
    configs = [c for c in apps.get_app_configs() if getattr(c, "demo_seeder", None)]
    return [c.demo_seeder for c in sorted(configs, key=lambda c: getattr(c, "demo_order", 50))]


def nav_sections() -> list:
    sections = [section for sections in _declared("nav_sections") for section in sections]
    return sorted(sections, key=lambda s: s.order)  # stable: apps in INSTALLED_APPS order


def role_permissions() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for declared in _declared("role_permissions"):
        for role, names in declared.items():
            out.setdefault(role, []).extend(names)
    return out


def home_todos(user) -> list[dict]:
    """Every app's to-do items for `user` as dicts ({"label", "count", "url", "hint", "tone"}), apps in
    INSTALLED_APPS order; the home page shows those with a count (org.todos.todos_for)."""
    from dataclasses import asdict

    return [asdict(item) for paths in _declared("home_todos") for path in paths for item in import_string(path)(user)]
