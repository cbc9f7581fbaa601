"""Every URL × every role (issue 9): generated from the URL patterns, so a new URL cannot slip in.

For each URL pattern (the admin excepted: Django's admin checks is_staff itself) and each demo role
(town agent of 临城镇, county clerk, finance, auditor, manager, admin) and an anonymous visitor, GET
and POST are sent, with a record of the agent's own town and with one of another town (波莲镇), and
the answer must be what the expectation table says:

- anonymous: a redirect to the login page (unless the URL is PUBLIC);
- a user without the URL's permission: 403;
- a town agent and another town's record: 404 (never 403: a record of elsewhere does not exist);
- a permitted user: `get` (200 by default) for GET; any of 200/302 for POST (never 403/404/500);
  a method the view does not take: 405.

**Adding a URL** (required: a URL without an expectation fails `test_every_url_has_an_expectation`):
add one line to EXPECT below (or to the app's tests/<app>/url_roles.py EXPECT_KWARGS, where
supervision, archives, the benefits lifecycle and transfers keep theirs with their record makers),
keyed by the URL name:

    "app:name": U("app.permission", "record", methods="GET"),

- the permission the view requires (None: any signed-in user; PUBLIC: anonymous too);
- the record whose pk fills the URL's `pk` / `person_pk` argument (a key of `world()`; add a maker
  there for a new kind of record), or None for a URL without arguments;
- methods: "GET", "POST" or "GET POST" (what the view accepts); `get=` when a permitted GET answers
  something else than 200 (e.g. 302); `scoped=False` when the record is county-wide (no town);
  `post=` the set a permitted POST may answer when it is not {200, 302};
- `post_perm=` when a POST needs another permission than the page's GET (e.g. a page that shows a
  register to whoever may view it, and records an entry only for who may add one);
- `args=` the URL's other arguments: a fixed value ("fmt": "xlsx"), or "@kind" for the pk of the
  record of that kind in the same town; `query=` a query string, "{pk}" replaced by the record's pk.

Every POST is empty ({}): a view that reads its form as `Form(request.POST or None)` sees an unbound
form and shows the page again (200, nothing saved), one that binds `Form(request.POST)` refuses at the
fields (400). Pages a permitted GET renders (HTML) are also checked for what the content security
policy blocks.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from linggao_pension.org import roles
from linggao_pension.org.models import JobRun, Town
from tests.conftest import make_user

from .archives.url_roles import archives_world
from .benefits.url_roles import benefits_world, lifecycle_world
from .security.test_headers import csp_violations
from .supervision.url_roles import supervision_world
from .transfers.url_roles import transfers_world

pytestmark = pytest.mark.django_db
PUBLIC = "public"


@dataclass(frozen=True)
class U:
    perm: str | None
    record: str | None = None
    methods: str = "GET"
    get: int = 200
    scoped: bool = True
    post: frozenset = field(default=frozenset({200, 302}))
    # the view finds the record in the user's scope before it checks the permission (it depends on the record)
    perm_after_scope: bool = False
    post_perm: str | None = None
    args: dict = field(default_factory=dict)
    query: str = ""


EXPECT: dict[str, U] = {
    # --- the shell and org
    "home": U(None),
    "login": U(PUBLIC, methods="GET POST", get=302),  # a signed-in user is sent on
    "logout": U(None, methods="POST", post=frozenset({302})),
    "password_change": U(None, methods="GET POST"),
    "org:jobrun_list": U("org.view_jobrun"),
    "org:jobrun_detail": U("org.view_jobrun", "job"),
    "org:jobrun_file": U("enrollment.import_persons", "job", perm_after_scope=True),
    "org:jobrun_progress": U("org.view_jobrun", "job"),
    "org:jobrun_resume": U("org.resume_jobrun", "job", methods="POST"),
    "org:accesslog_list": U("org.view_accesslog"),
    "org:import_result": U("enrollment.import_persons", "residents_job", scoped=False),
    "org:import_errors": U("enrollment.import_persons", "residents_job", scoped=False),
    # an empty POST (not even the CSRF token a browser sends) leaves the form unbound: the page again
    "org:village_import": U("org.import_villages", methods="GET POST", post=frozenset({200})),
    "org:village_import_template": U("org.import_villages"),
    # --- enrollment
    "enrollment:None": U(None, get=302),
    "enrollment:index": U("enrollment.view_person"),
    "enrollment:person_list": U("enrollment.view_person"),
    "enrollment:person_detail": U("enrollment.view_person", "person"),
    "enrollment:changerequest_create": U("enrollment.submit_changerequest", "person", methods="GET POST"),
    "enrollment:application_list": U("enrollment.view_enrollmentapplication"),
    "enrollment:application_create": U("enrollment.submit_enrollmentapplication", methods="GET POST"),
    "enrollment:application_detail": U("enrollment.view_enrollmentapplication", "application"),
    "enrollment:application_edit": U("enrollment.submit_enrollmentapplication", "application", methods="GET POST"),
    "enrollment:application_submit": U("enrollment.submit_enrollmentapplication", "application", methods="POST"),
    "enrollment:application_town_return": U("enrollment.submit_enrollmentapplication", "application", methods="POST"),
    "enrollment:application_approve": U("enrollment.review_enrollmentapplication", "application", methods="POST"),
    "enrollment:application_county_return": U("enrollment.review_enrollmentapplication", "application",
                                              methods="POST"),
    "enrollment:application_cancel": U("enrollment.submit_enrollmentapplication", "application", methods="POST"),
    "enrollment:application_pdf": U("enrollment.view_enrollmentapplication", "application"),
    "enrollment:changerequest_list": U("enrollment.view_changerequest"),
    "enrollment:changerequest_detail": U("enrollment.view_changerequest", "change"),
    "enrollment:changerequest_edit": U("enrollment.submit_changerequest", "change", methods="GET POST"),
    "enrollment:changerequest_submit": U("enrollment.submit_changerequest", "change", methods="POST"),
    "enrollment:changerequest_town_return": U("enrollment.submit_changerequest", "change", methods="POST"),
    "enrollment:changerequest_approve": U("enrollment.review_changerequest", "change", methods="POST"),
    "enrollment:changerequest_county_return": U("enrollment.review_changerequest", "change", methods="POST"),
    "enrollment:changerequest_cancel": U("enrollment.submit_changerequest", "change", methods="POST"),
    "enrollment:import_upload": U("enrollment.import_persons", methods="GET POST"),
    "enrollment:import_template": U("enrollment.import_persons"),
    # --- contributions
    "contributions:index": U("contributions.view_accountentry"),
    "contributions:account_search": U("contributions.view_accountentry", methods="POST"),
    "contributions:account_detail": U("contributions.view_accountentry", "person"),
    "contributions:account_statement_pdf": U("contributions.view_accountentry", "person"),
    "contributions:entry_reverse": U("contributions.reverse_accountentry", "entry", methods="GET POST"),
    "contributions:receipt_list": U("contributions.view_receipt"),
    "contributions:receipt_create": U("contributions.add_receipt", methods="GET POST"),
    "contributions:backpay_create": U("contributions.add_receipt", "person", methods="GET POST", post=frozenset({400})),
    "contributions:receipt_confirm": U("contributions.confirm_receipt", methods="POST"),
    "contributions:receipt_import": U("contributions.import_receipts", methods="GET POST"),
    "contributions:receipt_import_template": U("contributions.import_receipts"),
    "contributions:receipt_detail": U("contributions.view_receipt", "receipt"),
    "contributions:receipt_pdf": U("contributions.view_receipt", "receipt"),
    "contributions:receipt_void": U("contributions.void_receipt", "receipt", methods="POST"),
    "contributions:year_end": U("contributions.view_interestposting"),
    "contributions:interest_start": U("contributions.post_interest", methods="POST"),
    "contributions:daijiao_start": U("contributions.post_daijiao", methods="POST"),
    "contributions:remittance_list": U("contributions.view_remittance"),
    "contributions:remittance_start": U("contributions.add_remittance", methods="POST"),
    "contributions:remittance_detail": U("contributions.view_remittance", "remittance", scoped=False),
    "contributions:remittance_xlsx": U("contributions.view_remittance", "remittance", scoped=False),
    "contributions:remittance_pdf": U("contributions.view_remittance", "remittance", scoped=False),
    "contributions:remittance_remit": U("contributions.remit_remittance", "remittance", methods="POST", scoped=False),
    "contributions:special_list": U("contributions.view_specialcredit"),
    "contributions:special_create": U("contributions.add_specialcredit", methods="GET POST"),
    "contributions:special_detail": U("contributions.view_specialcredit", "special"),
    "contributions:special_review": U("contributions.review_specialcredit", "special", methods="POST"),
    # --- benefits
    "benefits:index": U("benefits.view_benefits"),
    "benefits:due_list": U("benefits.view_benefitclaim"),
    "benefits:due_export": U("benefits.view_benefitclaim"),
    "benefits:claim_list": U("benefits.view_benefitclaim"),
    "benefits:claim_create": U("benefits.submit_claim", methods="GET POST"),
    "benefits:claim_detail": U("benefits.view_benefitclaim", "claim"),
    "benefits:claim_determine": U("benefits.determine_claim", "claim", methods="POST"),
    "benefits:claim_return": U("benefits.determine_claim", "claim", methods="POST"),
    "benefits:pension_list": U("benefits.view_pension"),
    "benefits:pension_detail": U("benefits.view_pension", "pension"),
    "benefits:pension_payments": U("benefits.view_pension", "pension"),
    "benefits:pension_sheet": U("benefits.view_pension", "pension"),
    "benefits:person_estimate": U("benefits.view_benefitclaim", "person"),
    "benefits:pensioner_import": U("benefits.import_pensioners", methods="GET POST"),
    "benefits:pensioner_import_template": U("benefits.import_pensioners"),
    "benefits:payroll_list": U("benefits.view_payrollrun"),
    "benefits:payroll_start": U("benefits.generate_payroll", methods="POST"),
    "benefits:payroll_detail": U("benefits.view_payrollrun", "run", scoped=False),
    "benefits:payroll_review": U("benefits.review_payroll", "run", methods="POST", scoped=False),
    "benefits:payroll_export": U("benefits.export_payroll", "run", methods="POST", scoped=False),
    "benefits:payroll_return_template": U("benefits.close_payroll", "run", scoped=False),
    "benefits:payroll_close": U("benefits.close_payroll", "run", methods="GET POST", scoped=False),
    "benefits:bankfile_download": U("benefits.view_payrollrun", "bankfile", scoped=False),
    # benefits lifecycle (records: tests/benefits/url_roles.py)
    "benefits:suspension_request_list": U("benefits.view_suspensionrequest"),
    "benefits:suspension_request_detail": U("benefits.view_suspensionrequest", "suspreq"),
    "benefits:suspension_request_edit": U("benefits.request_suspension", "suspreq", methods="GET POST"),
    "benefits:suspension_request_submit": U("benefits.request_suspension", "suspreq", methods="POST"),
    "benefits:suspension_request_town_return": U("benefits.request_suspension", "suspreq", methods="POST"),
    "benefits:suspension_request_cancel": U("benefits.request_suspension", "suspreq", methods="POST"),
    "benefits:suspension_request_approve": U("benefits.review_suspension", "suspreq", methods="POST"),
    "benefits:suspension_request_county_return": U("benefits.review_suspension", "suspreq", methods="POST"),
    "benefits:suspension_request_evidence": U("benefits.view_suspensionrequest", "suspreq"),
    "benefits:suspension_request_create": U("benefits.request_suspension", "pension", methods="GET POST"),
    "benefits:resumption_request_create": U("benefits.request_suspension", "pension", methods="GET POST"),
    "benefits:certification_import": U("benefits.import_certifications", methods="GET POST"),
    "benefits:certification_import_template": U("benefits.import_certifications"),
    "benefits:programme_list": U("benefits.view_delegatedprogramme"),
    "benefits:programme_create": U("benefits.manage_delegated", methods="GET POST"),
    "benefits:programme_detail": U("benefits.view_delegatedpayee", "programme", scoped=False),
    "benefits:programme_edit": U("benefits.manage_delegated", "programme", methods="GET POST", scoped=False),
    "benefits:payee_add": U("benefits.manage_delegated", "programme", methods="GET POST", scoped=False),
    "benefits:payee_confirm": U("benefits.manage_delegated", "payee", methods="POST"),
    "benefits:payee_status": U("benefits.manage_delegated", "payee", methods="POST"),
    "benefits:other_pension": U("benefits.view_otherpensionrecord", "person"),
    "benefits:other_pension_record": U("benefits.add_otherpensionrecord", "person", methods="POST"),
    "benefits:other_pension_end": U("benefits.add_otherpensionrecord", "bn_other_pension", methods="POST"),
    # --- reports
    "reports:index": U("reports.view_reports"),
    "reports:build": U("reports.build_report", methods="POST", post=frozenset({400})),  # {} is no month
    "reports:report_detail": U("reports.view_reports", "report", scoped=False),
    # the route's format is filled with the pk too, so a permitted GET is 404 (no such format)
    "reports:report_download": U("reports.view_reports", "report", scoped=False, get=404),
    "reports:disclosure": U("reports.view_disclosure", methods="GET POST", post=frozenset({400})),
    "reports:dashboard": U("reports.view_dashboard"),
    "reports:workplan_list": U("reports.view_reports"),
    "reports:workplan_create": U("reports.manage_workplan", methods="POST", post=frozenset({400})),
    "reports:workplan_detail": U("reports.view_reports", "workplan", scoped=False),
    "reports:target_add": U("reports.manage_workplan", "workplan", methods="POST", scoped=False,
                            post=frozenset({400})),
    "reports:summary_create": U("reports.manage_workplan", "workplan", methods="POST", scoped=False,
                                post=frozenset({400})),
    "reports:summary_detail": U("reports.view_reports", "summary", scoped=False),
    "reports:progress_note": U("reports.manage_workplan", "progress", methods="POST", scoped=False,
                               post=frozenset({302})),
}

# the lines of supervision, archives, the benefits lifecycle (certification, death, recovery) and
# transfers/terminations (with their refunds) are kept beside each app's tests.
from tests.archives.url_roles import EXPECT_KWARGS as _ARCHIVES  # noqa: E402
from tests.benefits.url_roles import EXPECT_KWARGS as _LIFECYCLE  # noqa: E402
from tests.supervision.url_roles import EXPECT_KWARGS as _SUPERVISION  # noqa: E402
from tests.transfers.url_roles import EXPECT_KWARGS as _TRANSFERS  # noqa: E402

for _lines in (_SUPERVISION, _ARCHIVES, _LIFECYCLE, _TRANSFERS):
    _twice = set(_lines) & set(EXPECT)
    assert not _twice, f"URLs with two expectations: {sorted(_twice)}"
    EXPECT |= {name: U(**kw) for name, kw in _lines.items()}


ROLES = ["anonymous", "agent", "clerk", "finance", "auditor", "manager", "admin"]


def url_patterns(patterns=None, namespace=None, prefix="/"):
    """(name, route) of every URL outside the admin; a URL without a name is "namespace:None"."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = p.namespace if p.namespace else namespace
            yield from url_patterns(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else str(p.name)), prefix + str(p.pattern)


def test_every_url_has_an_expectation():
    names = [name for name, _ in url_patterns()]
    missing = sorted(set(names) - set(EXPECT))
    assert not missing, f"URLs without an expectation in tests/test_url_roles.py EXPECT: {missing}"
    stale = sorted(set(EXPECT) - set(names))
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


# --- the records -------------------------------------------------------------------------------------


def world(users) -> dict[str, tuple[int, int]]:
    """For each kind of record: (pk in the agent's own town, pk in another town)."""
    from benefits import services as benefit_services
    from benefits.models import BenefitClaim, PayrollBankFile, PayrollRun
    from contributions import services as contribution_services
    from contributions.models import Remittance
    from enrollment import services as enrollment_services
    from tests.benefits.conftest import at
    from tests.enrollment.conftest import application_data
    from tests.enrollment.test_change_requests import change_data
    from tests.factories import AccountEntryFactory, PensionFactory, PersonFactory, ReceiptFactory

    here, there = Town.objects.get(name="临城镇"), Town.objects.get(name="波莲镇")
    agents = {here: users["agent"], there: users["agent_elsewhere"]}
    out: dict[str, list[int]] = {}

    def add(kind, obj):
        out.setdefault(kind, []).append(obj.pk)

    for town, agent in agents.items():
        person = PersonFactory(town=town)
        add("person", person)
        add("application", enrollment_services.application_create(data=application_data(town), by=agent))
        add("change", enrollment_services.change_request_create(
            person=person, data=change_data(person, phone="13900000002"), by=agent))
        add("entry", AccountEntryFactory(person=person, year=2025, entry_date=date(2025, 4, 1)))
        add("receipt", ReceiptFactory(person=person))
        add("special", contribution_services.special_credit_record(
            person=PersonFactory(town=town, old_rural_pension=True), kind="old_rural", amount=100,
            document_no=f"D-{town.pk}", by=users["clerk2"]))
        add("claim", BenefitClaim.objects.create(person=PersonFactory(town=town, birth_date=date(1966, 4, 10)),
                                                 start_month=date(2026, 5, 1), submitted_by=agent))
        add("pension", PensionFactory(person__town=town))
        stored = default_storage.save(f"imports/residents/{town.pk}.xlsx", ContentFile(b"PK"))
        add("job", JobRun.objects.create(kind="import_residents", started_by=agent, status=JobRun.Status.SUCCEEDED,
                                         params={"stored": stored, "filename": "在册人员.xlsx"}))
    for kind, params in (("residents_job", "import_residents"), ("pensioners_job", "benefits.import_pensioners")):
        job = JobRun.objects.create(kind=params, started_by=users["clerk2"], status=JobRun.Status.SUCCEEDED,
                                    result={"imported": 0, "errors": [{"row": 2, "column": "身份证号", "message": "x"}]})
        out[kind] = [job.pk, job.pk]
    remittance = Remittance.objects.create(month=date(2026, 5, 1), created_by=users["finance2"])
    out["remittance"] = [remittance.pk, remittance.pk]
    with at(2026, 1, 20):
        benefit_services.payroll_generate(month=date(2026, 1, 1), by=users["finance2"])
        run = PayrollRun.objects.get()
        benefit_services.payroll_review(run=run, by=users["finance3"])
        benefit_services.payroll_export(run=run, by=users["finance2"])
    out["run"] = [run.pk, run.pk]
    bank_file = PayrollBankFile.objects.first()
    out["bankfile"] = [bank_file.pk, bank_file.pk]
    out |= supervision_world(users, here, there)
    out |= archives_world(users, here, there)
    out |= lifecycle_world(users, here, there)
    out |= benefits_world(users, here, there)
    out |= transfers_world(users, here, there)
    out |= reports_world(users)
    return {k: tuple(v) for k, v in out.items()}


def reports_world(users) -> dict[str, list[int]]:
    """A filed report, a work plan with one target, a summary and its progress row (county-wide)."""
    from reports.services import statistical, workplans

    manager = users["manager"]
    report = statistical.report_build(kind="monthly", month=date(2026, 1, 1), by=manager, files=False)
    plan = workplans.workplan_create(year=2026, title="2026年度工作计划", by=manager)
    workplans.plan_target_add(plan=plan, section="audit", title="专项检查", owner="周明", by=manager)
    summary = workplans.work_summary_create(plan=plan, period="monthly", month=date(2026, 1, 1), text="一月",
                                            by=manager)
    progress = summary.progress.get()
    return {"report": [report.pk] * 2, "workplan": [plan.pk] * 2, "summary": [summary.pk] * 2,
            "progress": [progress.pk] * 2}


ARG = re.compile(r"<(?:\w+:)?(\w+)>")


def _url(route: str, u: U, records, own: bool) -> str:
    """The route filled in: `pk`/`person_pk` with the record's pk, `year` with 2025, other arguments
    from `u.args` (a fixed value, or "@kind": that kind's record of the same town), then `u.query`."""
    side = 0 if own else 1
    pk = records[u.record][side] if u.record else None

    def value(m):
        name = m.group(1)
        if name in u.args:
            v = str(u.args[name])
            return str(records[v[1:]][side]) if v.startswith("@") else v
        return "2025" if name == "year" else str(pk)

    url = ARG.sub(value, route)
    return f"{url}?{u.query.format(pk=pk)}" if u.query else url


def expected(user, u: U, method: str, own: bool) -> set[int]:
    if user is None:
        if u.perm != PUBLIC:
            return {302}
        return {200, 302} if method in u.methods.split() else {405}
    perm = u.post_perm if method == "POST" and u.post_perm and method in u.methods.split() else u.perm
    lacks_perm = perm not in (None, PUBLIC) and not user.has_perm(perm)
    elsewhere = u.record and u.scoped and not own and not user.has_perm("org.view_all_towns")
    if method not in u.methods.split():
        # a method the view does not take: 405; views that check the permission first answer 403
        return {405} if not lacks_perm or u.perm_after_scope else {403, 405}
    if lacks_perm and not u.perm_after_scope:
        return {403}
    if elsewhere:
        return {404}
    if lacks_perm:
        return {403}
    return {u.get} if method == "GET" else set(u.post)


NAMESPACES = ["", "org", "enrollment", "contributions", "benefits", "archives", "supervision reports"]


@pytest.mark.parametrize("namespaces", NAMESPACES, ids=lambda n: n or "root")
def test_every_url_answers_as_expected_for_every_role(namespaces, town, other_town, settings):
    settings.JOB_EAGER_MODE = "sync"  # jobs started by a POST run in the request, in the test's transaction
    wanted = set(namespaces.split()) or {""}
    users = {
        "agent": make_user("agent_lc", roles.TOWN_AGENT, town),
        "agent_elsewhere": make_user("agent_bl", roles.TOWN_AGENT, other_town),
        "clerk": make_user("clerk", roles.CLERK), "clerk2": make_user("clerk2", roles.CLERK),
        "finance": make_user("finance", roles.FINANCE), "finance2": make_user("finance2", roles.FINANCE),
        "finance3": make_user("finance3", roles.FINANCE),
        "auditor": make_user("auditor", roles.AUDITOR), "manager": make_user("manager", roles.MANAGER),
        "admin": make_user("admin", roles.ADMIN),
    }
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    assert Group.objects.filter(name=roles.ADMIN).exists()
    records = world(users)
    failures = []
    patterns = [(n, p) for n, p in url_patterns()
                if (n.split(":")[0] if ":" in n else "") in wanted]
    assert patterns
    for method in ("GET", "POST"):  # every GET first: POSTs change records
        for role in ROLES:
            user = None if role == "anonymous" else users[role]
            client = Client()
            if user is not None:
                client.force_login(user)
            for name, route in patterns:
                u = EXPECT[name]
                for own in ((True, False) if u.record else (True,)):
                    url = _url(route, u, records, own)
                    response = client.get(url) if method == "GET" else client.post(url, {})
                    want = expected(user, u, method, own)
                    if response.status_code not in want:
                        failures.append(f"{method} {url} ({name}) as {role}, {'own' if own else 'other'} town: "
                                        f"{response.status_code}, expected {sorted(want)}")
                    elif user is None and u.perm != PUBLIC and not response["Location"].startswith("/login/"):
                        failures.append(f"{method} {url} as anonymous: redirect to {response['Location']}")
                    elif (method == "GET" and response.status_code == 200
                          and response.get("Content-Type", "").startswith("text/html")):
                        failures += [f"{url}: {v}" for v in csp_violations(response.content.decode())]
    assert not failures, "\n".join(failures)
