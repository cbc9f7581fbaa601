"""The one benchmark table: every page's p50, p95, requests per second and query count (one user,
then 20 concurrent users, measured from this second process against gunicorn with 2 workers on
127.0.0.1, DEBUG off), and each batch job beside its floor (the job's own bench script).

    bench/run --residents 250000                 # seed a county into PostgreSQL bench_county, then measure
    bench/run --reuse                            # measure the county already in bench_county
    bench/run --reuse --skip-jobs --requests 20  # pages only, fewer requests

The database must be PostgreSQL and its name must contain "bench" (it is dropped and made again
unless --reuse). Pages: the core list, filter, deep-page, detail and dashboard pages below, plus
every list page the apps add to bench/pages.py. The home page is the floor of a signed-in page;
the 20-user p95 of every page is printed as a ratio to the floor's 20-user p95 of the same run.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PORT = 8791
PASSWORD = "Linggao#2026"
TARGET_MS = 100  # 1-user p95 of every page (issue 10)
TARGET_RATIO = 2  # 20-user p95 within this many times the floor page's
ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the in-process query count
    "SECURE_COOKIES": "false",
    "SECURE_SSL_REDIRECT": "false",
    "AXES_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
}
JOB_BENCHES = [
    ("bench_payroll.py", "payroll generation, bank-file export"),
    ("bench_interest.py", "interest posting"),
    ("bench_remittance.py", "remittance and voucher Excel"),
    ("bench_import_residents.py", "10,000-row resident import"),
]

# label, path (with {person}, {run}, {town}, {id_number} filled from the data), user
CORE_PAGES = [
    ("首页（基准）", "/", "clerk"),
    ("参保人员 第1页", "/enrollment/persons/", "clerk"),
    ("参保人员 按镇+姓名", "/enrollment/persons/?town={town}&name=王", "clerk"),
    ("参保人员 第5000页", "/enrollment/persons/?page=5000", "clerk"),
    ("参保人员（镇经办）", "/enrollment/persons/", "agent_lc"),
    ("参保人详情", "/enrollment/persons/{person}/", "clerk"),
    ("缴费票据 第1页", "/contributions/receipts/", "finance"),
    ("缴费票据 按身份证号", "/contributions/receipts/?q={id_number}", "finance"),
    # Past page 100 the receipts are paged by the key of the last row shown (下一页 = ?after=<pk>):
    # this is the page a user reaches at the 20,000th page's position (its cursor from the data).
    ("缴费票据 深翻页（游标，第20000页处）", "/contributions/receipts/?after={receipt_cursor}", "finance"),
    ("月度发放批次", "/benefits/payroll/{run}/", "finance"),
    ("领取人员", "/benefits/pensions/", "clerk"),
    ("参保登记看板", "/enrollment/dashboard/", "clerk"),
    ("待遇看板", "/benefits/", "clerk"),
    ("局领导看板", "/reports/dashboard/", "manager"),
    ("统计报表", "/reports/", "manager"),
    # detail pages: the newest record of each kind (the person page above is the registry's)
    ("待遇详情", "/benefits/pensions/{pension}/", "clerk"),
    ("待遇申领详情", "/benefits/claims/{claim}/", "clerk"),
    ("参保登记申请详情", "/enrollment/applications/{application}/", "clerk"),
    ("信息变更详情", "/enrollment/changes/{change}/", "clerk"),
    ("缴费票据详情", "/contributions/receipts/{receipt}/", "finance"),
    ("现场监督详情", "/supervision/inspections/{inspection}/", "auditor"),
]


def env(url: str) -> dict:
    return {**os.environ, **ENV, "DATABASE_URL": url}


def prepare(url: str, residents: int) -> float:
    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: use a database name containing 'bench'")
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            f'DROP DATABASE IF EXISTS "{name}"',
            "-c",
            f'CREATE DATABASE "{name}"',
        ],
        check=True,
    )
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(url), check=True)
    t0 = time.perf_counter()
    subprocess.run(
        [PY, "manage.py", "seed_demo", "--residents", str(residents)], cwd=ROOT, env=env(url), check=True
    )
    return time.perf_counter() - t0


def resolve_and_count(url: str) -> list[dict]:
    """In a Django process: fill the page paths from the data and count each page's queries."""
    out = subprocess.run(
        [PY, __file__, "--count-queries"], cwd=ROOT, env=env(url), check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_queries() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benefits.models import BenefitClaim, PayrollRun, Pension
    from contributions.models import Receipt
    from enrollment.models import ChangeRequest, EnrollmentApplication, Person
    from linggao_pension.org.models import Town, User
    from supervision.models import Inspection

    sys.path.insert(0, str(ROOT / "bench"))
    from pages import PAGES

    keys = Receipt.objects.order_by("-paid_on", "-pk").values_list("pk", flat=True)
    values = {
        "person": Person.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "run": PayrollRun.objects.order_by("-month").values_list("pk", flat=True).first(),
        "town": Town.objects.get(name="临城镇").pk,
        "id_number": Person.objects.order_by("-pk").values_list("id_number", flat=True).first(),
        # The last receipt of page 19,999 (50 a page, newest first): ?after= it shows page 20,000
        # (in a smaller county, the last 50 receipts).
        "receipt_cursor": (list(keys[19999 * 50 - 1 : 19999 * 50]) or list(keys.reverse()[50:51]))[0],
        "pension": Pension.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "claim": BenefitClaim.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "application": EnrollmentApplication.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "change": ChangeRequest.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "receipt": keys.first(),
        "inspection": Inspection.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }
    rows = []
    for label, path, username in [*CORE_PAGES, *PAGES]:
        path = path.format(**values)
        client = Client()
        client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(path).status_code
        rows.append({"label": label, "path": path, "user": username, "queries": len(ctx), "status": status})
    print(json.dumps(rows, ensure_ascii=False))


def login(username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/login/")
    resp = conn.getresponse()
    resp.read()
    csrf = re.search(r"csrftoken=([^;]+)", resp.getheader("Set-Cookie", "")).group(1)
    body = f"username={username}&password={PASSWORD.replace('#', '%23')}&csrfmiddlewaretoken={csrf}"
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{PORT}/login/",
        },
    )
    resp = conn.getresponse()
    resp.read()
    session = re.search(r"sessionid=([^;]+)", resp.getheader("Set-Cookie", "") or "")
    if not session:
        sys.exit(f"login as {username} failed (status {resp.status})")
    return f"csrftoken={csrf}; sessionid={session.group(1)}"


def hammer(path: str, cookie: str, *, users: int, per_user: int) -> tuple[list[float], float]:
    path = urllib.parse.quote(path, safe="/?&=%+")  # 姓名 filters: a request line is ASCII
    times: list[float] = []
    statuses: set[int] = set()
    lock = threading.Lock()

    def one_user():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        mine, seen = [], set()
        for _ in range(per_user):
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - t0)
            seen.add(resp.status)
        with lock:
            times.extend(mine)
            statuses.update(seen)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=one_user) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hammer.statuses = statuses
    return times, time.perf_counter() - t0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def measure_pages(url: str, rows: list[dict], requests: int) -> None:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "linggao_pension.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(url),
    )
    try:
        for _ in range(60):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=2).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.5)
        cookies = {u: login(u) for u in {r["user"] for r in rows}}
        for r in rows:
            hammer(r["path"], cookies[r["user"]], users=1, per_user=2)  # warm up
            one, one_wall = hammer(r["path"], cookies[r["user"]], users=1, per_user=requests)
            served = hammer.statuses
            many, many_wall = hammer(r["path"], cookies[r["user"]], users=20, per_user=max(2, requests // 4))
            served = served | hammer.statuses
            # The status gunicorn answered (every request), else the in-process one.
            r["status"] = served.pop() if len(served) == 1 else r["status"] if not served else 0
            r |= {
                "p50": statistics.median(one),
                "p95": p95(one),
                "rps": len(one) / one_wall,
                "p95_20": p95(many),
                "rps_20": len(many) / many_wall,
            }
    finally:
        server.terminate()
        server.wait()
    floor = rows[0]["p95_20"]
    print(
        f"\npages: {requests} requests for 1 user, then 20 users x {max(2, requests // 4)} (closed loop); "
        f"targets: 1-user p95 < {TARGET_MS} ms, 20-user p95 <= {TARGET_RATIO}x the floor's ({floor * 1000:.0f} ms)"
    )
    head = [
        ("page", 38),
        ("user", 10),
        ("HTTP", 5),
        ("queries", 8),
        ("p50 ms", 8),
        ("p95 ms", 8),
        ("rps", 6),
        ("20u p95 ms", 11),
        ("/floor", 7),
        ("20u rps", 8),
        ("target", 0),
    ]
    print("".join(pad(h, w, right=i > 2 and w) for i, (h, w) in enumerate(head)))
    for r in rows:
        ok = r["status"] == 200 and r["p95"] * 1000 < TARGET_MS and r["p95_20"] <= TARGET_RATIO * floor
        cells = [
            r["label"],
            r["user"],
            str(r["status"]),
            str(r["queries"]),
            f"{r['p50'] * 1000:.0f}",
            f"{r['p95'] * 1000:.0f}",
            f"{r['rps']:.0f}",
            f"{r['p95_20'] * 1000:.0f}",
            f"{r['p95_20'] / floor:.1f}",
            f"{r['rps_20']:.0f}",
            "ok" if ok else "MISSED",
        ]
        print(
            "".join(
                pad(c, w, right=i > 2 and w) for i, (c, (_, w)) in enumerate(zip(cells, head, strict=True))
            )
        )


def pad(text: str, width: int, *, right=False) -> str:
    """Pad to a terminal width where CJK characters take two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(1, width - shown) if width else ""
    return fill + text if right else text + fill


def run_job_benches(seed_seconds: float | None) -> None:
    """Each job bench on its own database, one after the other; then one table of every job beside
    its floor (the JOB lines the scripts print, bench/jobtable.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from jobtable import TARGET_RATIO as JOB_RATIO
    from jobtable import parse

    jobs = []
    if seed_seconds is not None:
        jobs.append({"job": "seed_demo --residents (this run)", "seconds": seed_seconds, "floor": None,
                     "floor_what": "target under 600 s"})
    for script, what in JOB_BENCHES:
        db = f"postgres://postgres@127.0.0.1:5432/bench_{script[6:-3]}"
        out = subprocess.run([PY, f"bench/{script}"], cwd=ROOT, env={**env(db)}, capture_output=True, text=True)
        found = parse((out.stdout or "").splitlines())
        if out.returncode or not found:
            print(f"-- {what} ({script}) failed:")
            for line in (out.stderr or out.stdout).strip().splitlines()[-14:]:
                print("   " + line)
        else:  # what the script checked and measured, then its jobs in the table below
            print(f"-- {what} ({script})")
            for line in out.stdout.strip().splitlines():
                if not line.startswith("JOB "):
                    print("   " + line)
        jobs.extend(found)
    print("\nbatch jobs (each script builds its own data; its floor measured in the same run, on the same data):")
    head = [("job", 52), ("time s", 9), ("floor s", 9), ("ratio", 7), ("  target", 10), ("floor", 0)]
    print("".join(pad(h, w, right=0 < i < 4 and w) for i, (h, w) in enumerate(head)))
    for j in jobs:
        if j["floor"]:
            ratio = j["seconds"] / j["floor"]
            target = "ok" if ratio <= JOB_RATIO else "MISSED"
        else:
            ratio = None
            target = ("ok" if j["seconds"] < 600 else "MISSED") if j["job"].startswith("seed_demo") else ""
        cells = [j["job"], f"{j['seconds']:.2f}", f"{j['floor']:.2f}" if j["floor"] else "",
                 f"{ratio:.1f}x" if ratio else "", f"  {target}", j["floor_what"]]
        print("".join(pad(c, w, right=0 < i < 4 and w) for i, (c, (_, w)) in enumerate(zip(cells, head, strict=True))))


def main() -> None:
    if "--count-queries" in sys.argv:
        return count_queries()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=250000)
    parser.add_argument("--db", default="bench_county")
    parser.add_argument("--reuse", action="store_true", help="measure the county already in the database")
    parser.add_argument("--requests", type=int, default=40, help="requests per page for one user")
    parser.add_argument("--skip-jobs", action="store_true")
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    seed_seconds = None
    if not args.reuse:
        seed_seconds = prepare(url, args.residents)
        print(f"seed_demo --residents {args.residents}: {seed_seconds:.0f} s")
    # DEBUG off serves hashed static names: without the manifest every page answers 500 (the query
    # count below renders the pages too).
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env(url), check=True)
    rows = resolve_and_count(url)
    measure_pages(url, rows, args.requests)
    if not args.skip_jobs:
        run_job_benches(seed_seconds)


if __name__ == "__main__":
    main()
