"""Browser tests: Playwright for Python driving Debian's chromium (/usr/bin/chromium, never a
downloaded browser) against the app served on 127.0.0.1 by pytest-django's live_server.

Skipped, with the reason, when chromium or Playwright is missing (`make test` on a machine
without them); `.ci/run` installs chromium and runs them. Screenshots of the key pages go to
E2E_SCREENSHOTS (default tests/e2e/screenshots/<journey>/NN-name.png), at 1366×768.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.reports.conftest import county  # noqa: F401 (journey 6: the reports tests' county, figures known by hand)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).parent / "screenshots"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "test-pass-123"  # tests.factories.UserFactory


def _why_no_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install '.[test]')"
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        return f"no browser at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_no_browser()
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


class Journey:
    """One browser session per user; screenshots numbered in the order taken."""

    def __init__(self, browser, base_url: str, name: str):
        self.browser, self.base_url, self.name = browser, base_url, name
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.contexts = []
        self.server_errors: list[str] = []  # every 5xx answer any page received

    def login(self, user):
        context = self.browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                           accept_downloads=True)  # fmt: skip
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("dialog", lambda dialog: dialog.accept())  # the app's data-confirm forms ask window.confirm
        page.on("response", lambda r: r.status >= 500 and self.server_errors.append(f"{r.status} {r.url}"))
        page.goto(self.base_url + "/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(self.base_url + "/")
        return page

    def shot(self, page, label: str, full_page: bool = False):
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=full_page)

    def download(self, page, locator) -> bytes:
        """Click a download link (an attachment) and return the file's bytes."""
        with page.expect_download() as info:
            locator.click()
        return Path(info.value.path()).read_bytes()

    def fetch(self, page, locator):
        """GET the address of a link that opens in a new tab (an inline PDF) with the page's session."""
        response = page.request.get(self.base_url + locator.get_attribute("href"))
        assert response.ok, f"{response.status} {response.url}"
        return response

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, browser, live_server, settings):
    settings.JOB_EAGER_MODE = "sync"
    j = Journey(browser, live_server.url, request.node.name.removeprefix("test_"))
    yield j
    j.close()
    assert not j.server_errors, f"server errors during the journey: {j.server_errors}"
