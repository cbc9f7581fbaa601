"""Check a restored database against the original: row counts and money sums per table.

    python manage.py verify_restore --against postgres://postgres@127.0.0.1:5432/linggao [--json]

The database of DATABASE_URL (this process's default) is the restored copy; --against names the
original. Every table of every installed model (history tables and many-to-many tables included)
is compared: its number of rows and the sum of each decimal (money) column. Differences are
printed and the command exits with status 1; identical databases exit 0. README "备份与恢复".
"""

import json
from decimal import Decimal

import dj_database_url
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections, models
from django.db.utils import load_backend

ALIAS = "verify_restore_original"


def _open(url: str):
    """A connection to the original, outside Django's connection list (used here only)."""
    parsed = dj_database_url.parse(url)
    settings = connections.configure_settings({"default": dict(connections.settings["default"]), ALIAS: parsed})
    return load_backend(settings[ALIAS]["ENGINE"]).DatabaseWrapper(settings[ALIAS], ALIAS)


def table_figures(conn) -> dict[str, dict]:
    """{table: {"rows": n, "sums": {column: "x.xx"}}} for every model table, or {"missing": True}.
    One SELECT COUNT(*), SUM(...) per table, in plain SQL so both databases answer the same query."""
    figures = {}
    quote = conn.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        money = [f for f in model._meta.concrete_fields if isinstance(f, models.DecimalField)]
        columns = ", ".join(["COUNT(*)", *(f"SUM({quote(f.column)})" for f in money)])
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT {columns} FROM {quote(table)}")
                row = cursor.fetchone()
        except DatabaseError:
            figures[table] = {"missing": True}
            if not conn.get_autocommit():
                conn.rollback()
            continue
        sums = {}
        for f, total in zip(money, row[1:], strict=True):
            sums[f.column] = str(Decimal(str(total or 0)).quantize(Decimal(1).scaleb(-f.decimal_places)))
        figures[table] = {"rows": row[0], "sums": sums}
    return dict(sorted(figures.items()))


def differences(original: dict, restored: dict) -> list[dict]:
    found = []
    for table, want in original.items():
        got = restored.get(table, {"missing": True})
        if want.get("missing") or got.get("missing"):
            if want.get("missing") != got.get("missing"):
                found.append({"table": table, "what": "表", "original": "缺失" if want.get("missing") else "存在",
                              "restored": "缺失" if got.get("missing") else "存在"})
            continue
        if want["rows"] != got["rows"]:
            found.append({"table": table, "what": "行数", "original": want["rows"], "restored": got["rows"]})
        for column, total in want["sums"].items():
            if got["sums"].get(column) != total:
                found.append({"table": table, "what": f"金额合计 {column}", "original": total,
                              "restored": got["sums"].get(column)})
    return found


class Command(BaseCommand):
    help = "核对恢复后的数据库（DATABASE_URL）与原库（--against）：每张表的行数与金额合计，有差异时以状态 1 退出"

    def add_arguments(self, parser):
        parser.add_argument("--against", required=True, metavar="DATABASE_URL", help="原库的连接地址")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出核对结果")

    def handle(self, *args, against: str, json: bool = False, **options):
        conn = None
        try:
            conn = _open(against)
            original = table_figures(conn)
        except (DatabaseError, ValueError, ImproperlyConfigured) as exc:
            raise CommandError(f"无法连接原库：{exc}") from None
        finally:
            if conn is not None:
                conn.close()
        restored = table_figures(connections["default"])
        found = differences(original, restored)
        if json:
            self.stdout.write(_dumps({"ok": not found, "tables": len(original), "differences": found,
                                      "original": original, "restored": restored}))
        else:
            for d in found:
                self.stdout.write(f"{d['table']}: {d['what']} 原库 {d['original']}，恢复库 {d['restored']}")
            rows = sum(t.get("rows", 0) for t in restored.values())
            self.stdout.write(f"核对 {len(original)} 张表、{rows} 行：" + (f"{len(found)} 处差异" if found else "一致"))
        if found:
            raise CommandError(f"恢复库与原库有 {len(found)} 处差异", returncode=1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
