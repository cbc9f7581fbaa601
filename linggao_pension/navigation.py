"""The navigation each role sees. An item shows when the user holds its permission.

Each app declares its sections in its AppConfig (`nav_sections`, linggao_pension.registry); the permission is the same one their views check, so the menu
never offers a page that would answer 403. (Hiding a link is never the check itself.)
"""

from dataclasses import dataclass

from django.urls import reverse

from linggao_pension import registry


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None  # None: every signed-in user


@dataclass(frozen=True)
class NavSection:
    title: str
    items: tuple[NavItem, ...]
    order: int = 50  # 工作台 first (0), 系统 last (100); apps in between in INSTALLED_APPS order


def _active_url(path: str, urls: list[str]) -> str | None:
    """The one menu address the page belongs to: the longest one the path starts with
    ("/" only for itself), so 参保人员 lights up on a person's page and 参保登记 does not."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections = []
    for section in registry.nav_sections():
        items = [
            {"label": item.label, "url": reverse(item.url_name)}
            for item in section.items
            if item.perm is None or user.has_perm(item.perm)
        ]
        if items:
            sections.append({"title": section.title, "items": items})
    active = _active_url(request.path, [item["url"] for s in sections for item in s["items"]])
    for section in sections:
        for item in section["items"]:
            item["active"] = item["url"] == active
    return {"nav_sections": sections}
