"""Migration 0011: the steps of deaths and suspension requests kept in benefits' own ReviewStep table
move into org.StatusChange, so the record's page shows them and maker-checker still counts whoever
recorded and submitted it; going back restores them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from benefits.models import DeathReport
from linggao_pension.workflow import review_makers
from tests.factories import PensionFactory

BEFORE = ("benefits", "0010_delegated_payee_review")
TZ = ZoneInfo("Asia/Shanghai")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def migrate_latest():
    """Back to every app's latest migration (going back to 0010 also unapplied the later ones that
    depend on 0011): the next tests on this worker need the whole schema."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_review_steps_are_copied_and_shown_on_the_page(client, town, agent, clerk, clerk2):
    pension = PensionFactory(person__town=town)
    old = migrate(BEFORE)
    try:
        Report, Step = old.get_model("benefits", "DeathReport"), old.get_model("benefits", "ReviewStep")
        report = Report.objects.create(
            person_id=pension.person_id,
            town_id=town.pk,
            death_date=date(2026, 2, 1),
            source="family",
            status="county_returned",
            created_by_id=agent.pk,
            submitted_by_id=agent.pk,
            reviewed_by_id=clerk.pk,
            county_opinion="请附死亡证明",
        )
        for from_status, to_status, by, opinion, hour in (
            ("", "town_approved", agent, "登记死亡：2026-02-01（家属报告）", 9),
            ("town_approved", "county_returned", clerk, "请附死亡证明", 10),
        ):
            step = Step.objects.create(
                record_type="deathreport",
                record_id=report.pk,
                from_status=from_status,
                to_status=to_status,
                by_id=by.pk,
                opinion=opinion,
            )
            Step.objects.filter(pk=step.pk).update(at=datetime(2026, 3, 2, hour, tzinfo=TZ))
    finally:
        migrate_latest()

    report = DeathReport.objects.get(pk=report.pk)
    steps = list(report.status_changes.order_by("at"))
    assert [(s.action, s.from_status, s.to_status, s.by_id, s.maker) for s in steps] == [
        ("create", "", "town_approved", agent.pk, True),
        ("move", "town_approved", "county_returned", clerk.pk, False),
    ]
    assert steps[0].at == datetime(2026, 3, 2, 9, tzinfo=TZ)
    assert review_makers(report) == {agent.pk}
    client.force_login(clerk2)
    page = client.get(reverse("benefits:death_detail", args=[report.pk])).content.decode()
    assert "登记死亡：2026-02-01（家属报告）" in page and "镇初审通过 → 县复核退回" in page

    old = migrate(BEFORE)  # and back: the steps are in ReviewStep again, none left behind
    try:
        Step = old.get_model("benefits", "ReviewStep")
        assert list(Step.objects.order_by("at").values_list("to_status", "opinion")) == [
            ("town_approved", "登记死亡：2026-02-01（家属报告）"),
            ("county_returned", "请附死亡证明"),
        ]
        assert (
            not old.get_model("org", "StatusChange")
            .objects.filter(object_id=report.pk, content_type__model="deathreport")
            .exists()
        )
    finally:
        migrate_latest()
