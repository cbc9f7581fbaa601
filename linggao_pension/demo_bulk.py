"""Bulk loading for the demo seeders (manage.py seed_demo): COPY ... FROM STDIN on PostgreSQL, the
shared multi-row INSERTs elsewhere (the small SQLite demo of `make run`), and history rows written
by the database with one INSERT ... SELECT.

At county scale (250,000 residents: a million receipts, three million ledger entries) the
seeding time is the database's per-row cost: COPY is several times cheaper than parameterised
multi-row INSERTs, and while a seeder's transaction loads generated rows the foreign-key triggers
are skipped when the role may do so (session_replication_role = replica, a superuser's right):
the rows are made here from rows just read, so the checks could only pass. Unique and CHECK
constraints are still enforced. The COPY helpers themselves live in linggao_pension/db.py (the
resident import uses them too) and are re-exported here; fast_session is for seeders only.
"""

from django.db import connection

from .db import copy_objects, copy_rows, history_insert_select, is_postgresql, text  # noqa: F401  (the seeders' API)


def fast_session() -> None:
    """For the current transaction on PostgreSQL: no wait for the WAL flush at each commit, and no
    foreign-key triggers when the role is a superuser. Call inside transaction.atomic()."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role TO replica")
