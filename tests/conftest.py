"""Personas and fast settings for the whole suite.

Personas (healthchecks' alice/bob/charlie): a town agent of 临城镇 (`agent`), one of 波莲镇
(`agent_elsewhere`), two county clerks (`clerk`, `clerk2`, for maker-checker), finance,
an auditor, a manager and an admin.
"""

import pytest
from django.contrib.auth.models import Group

from linggao_pension.org import roles
from linggao_pension.org.models import Town

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Jobs started without a broker run inside the request (deterministic), with no heartbeat thread.
    settings.JOB_EAGER_MODE = "sync"
    settings.JOB_HEARTBEAT_SECONDS = 0
    # Dashboards count their figures on every view (tests/org/test_figures.py tests keeping them).
    settings.KEPT_FIGURES_MAX_AGE = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the migrated data's serialized copy on the connection class, not only on the object.

    Playwright's sync API (tests/e2e) runs the test code in another context, where Django's
    `connections` hands out a fresh connection object without `_test_serialized_contents`: the
    transactional tests after the first browser journey then found no towns, no roles (nothing
    restored after the previous test's flush). A class attribute reaches every connection object."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    yield


def make_user(username: str, role: str, town: Town | None = None):
    user = UserFactory(username=username, town=town)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def town(db) -> Town:
    return Town.objects.get(name="临城镇")


@pytest.fixture
def other_town(db) -> Town:
    return Town.objects.get(name="波莲镇")


@pytest.fixture
def agent(db, town):
    return make_user("agent", roles.TOWN_AGENT, town)


@pytest.fixture
def agent2(db, town):
    """A second agent of the same town."""
    return make_user("agent2", roles.TOWN_AGENT, town)


@pytest.fixture
def agent_elsewhere(db, other_town):
    return make_user("agent_elsewhere", roles.TOWN_AGENT, other_town)


@pytest.fixture
def clerk(db):
    return make_user("clerk", roles.CLERK)


@pytest.fixture
def clerk2(db):
    return make_user("clerk2", roles.CLERK)


@pytest.fixture
def finance(db):
    return make_user("finance", roles.FINANCE)


@pytest.fixture
def finance2(db):
    return make_user("finance2", roles.FINANCE)


@pytest.fixture
def auditor(db):
    return make_user("auditor", roles.AUDITOR)


@pytest.fixture
def manager(db):
    return make_user("manager", roles.MANAGER)


@pytest.fixture
def admin_user(db):
    user = make_user("sysadmin", roles.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def nobody(db):
    """Signed in, no role at all."""
    return UserFactory(username="nobody")


@pytest.fixture
def declare(monkeypatch):
    """Declare registry entries for one test, as an app's AppConfig would (linggao_pension.registry):
    declare(job_handlers={"kind": "dotted.path"}, job_labels={...}). A key an app already declares
    is replaced in that app's declaration; a new one is added to org's."""
    from django.apps import apps

    def _declare(**attrs):
        for attr, values in attrs.items():
            for key, value in values.items():
                owner = next(
                    (c for c in apps.get_app_configs() if key in (getattr(c, attr, None) or {})),
                    apps.get_app_config("org"),
                )
                monkeypatch.setattr(owner, attr, {**(getattr(owner, attr, None) or {}), key: value}, raising=False)

    return _declare


def pytest_collection_modifyitems(config, items):
    """A transactional test must keep the data the migrations load (towns, roles, scheme parameters).

    Without serialized_rollback its flush empties those tables and re-creates the roles under new ids
    (org's post_migrate), so every later transactional test on that worker fails: no 临城镇, or a
    UNIQUE clash on auth_group.name when the serialized copy is loaded again."""
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
            getattr(item, "fixturenames", ()))
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "django_db(transaction=True) needs serialized_rollback=True in this suite:\n  " + "\n  ".join(offenders))
