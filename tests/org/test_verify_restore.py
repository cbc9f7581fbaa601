"""verify_restore: a restored copy is checked table by table (row counts and money sums); a
changed sum or a lost row is printed and the command exits non-zero. On SQLite the copy is made
with SQLite's backup API, on PostgreSQL with the README's pg_dump / pg_restore procedure."""

import json
import shutil
import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contributions.models import AccountEntry
from tests.factories import AccountEntryFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def copy_url(tmp_path):
    """A copy of the test database as it is now; yields a function making it and returning its URL."""
    made = []

    def make() -> str:
        if connection.vendor == "sqlite":
            import sqlite3

            path = tmp_path / "copy.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            return f"sqlite:///{path}"
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump is not installed")
        db = connection.settings_dict
        name = f"{db['NAME']}_restored"
        base = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
        subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
        subprocess.run(["createdb", *base, name], check=True)
        made.append((base, name))
        dump = tmp_path / "linggao.dump"
        subprocess.run(["pg_dump", *base, "-Fc", "-f", str(dump), db["NAME"]], check=True)
        subprocess.run(["pg_restore", *base, "--no-owner", "-d", name, str(dump)], check=True)
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"

    yield make
    for base, name in made:
        subprocess.run(["dropdb", *base, "--if-exists", name], check=False)


def run(url: str, *extra) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("verify_restore", "--against", url, *extra, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_an_identical_copy_passes_and_a_changed_sum_or_a_lost_row_fails(copy_url):
    entries = AccountEntryFactory.create_batch(3, amount=Decimal("100.00"))
    PersonFactory()
    url = copy_url()

    out, code = run(url)
    assert code == 0, out
    assert "一致" in out

    AccountEntry.objects.filter(pk=entries[0].pk).update(amount=Decimal("100.01"))
    out, code = run(url, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["differences"] == [{
        "table": "contributions_accountentry", "what": "金额合计 amount", "original": "300.00", "restored": "300.01",
    }]
    assert report["original"]["contributions_accountentry"] == {"rows": 3, "sums": {"amount": "300.00"}}

    AccountEntry.objects.filter(pk=entries[1].pk).delete()
    out, code = run(url)
    assert code == 1
    assert "contributions_accountentry: 行数 原库 3，恢复库 2" in out
    assert "contributions_accountentry: 金额合计 amount 原库 300.00，恢复库 200.01" in out
    assert out.strip().endswith("2 处差异")


def test_an_unreachable_original_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法连接原库"):
        call_command("verify_restore", "--against", "nosuchscheme://x", stdout=StringIO())
