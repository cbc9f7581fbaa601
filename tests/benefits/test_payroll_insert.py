"""insert_lines / insert_ignore_conflicts(copy=True): on PostgreSQL the rows go in with COPY and one
INSERT ... SELECT (the columns equal in every row as parameters), on SQLite with VALUES; either way
the same rows, the awkward text intact, a line already there skipped and only the new ids returned,
a too-long value or a failed CHECK refused with nothing inserted."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from benefits.models import PayrollLine, PayrollRun
from benefits.services.payroll_lines import Line, insert_lines
from linggao_pension.db import insert_ignore_conflicts
from tests.factories import PensionFactory

pytestmark = pytest.mark.django_db
DEC = date(2026, 12, 1)
K = PayrollLine.Kind


def _line(pension, *, month=DEC, kind=K.NORMAL, basic="291.00", account="10.00", bank="海南农信", **kw) -> Line:
    return Line(pension.pk, pension.person_id, pension.person.town_id, month, kind, D(basic), D(account), bank,
                pension.person.bank_account or "6217000000000001", **kw)


def test_lines_inserted_once_with_their_values_and_awkward_text_intact():
    run = PayrollRun.objects.create(month=DEC)
    a, b = PensionFactory(), PensionFactory()
    awkward = "农信\t支行\\第1\n营业部\r"
    lines = [
        _line(a, bank=awkward, offset=D("1.50")),
        _line(b, basic="300.00", account="0.01", payee_name="", payee_id_number=""),
        _line(b, month=date(2026, 11, 1), kind=K.BACKPAY),
    ]
    assert insert_lines(run, lines) == 3
    got = {(ln.pension_id, ln.month, ln.kind): ln for ln in PayrollLine.objects.filter(run=run)}
    first = got[(a.pk, DEC, K.NORMAL)]
    assert first.bank_name == awkward
    assert (first.basic_amount, first.account_amount, first.offset_amount, first.amount) == (
        D("291.00"), D("10.00"), D("1.50"), D("299.50"))
    assert first.offset_case_id is None and first.reissue_of_id is None and first.payee_name == ""
    assert first.status == PayrollLine.Status.PENDING and first.created_at is not None
    assert got[(b.pk, DEC, K.NORMAL)].amount == D("300.01")
    assert got[(b.pk, date(2026, 11, 1), K.BACKPAY)].amount == D("301.00")
    # Run again with one new line: the three already there are skipped, the new one's id returned.
    c = PensionFactory()
    assert insert_lines(run, [*lines, _line(c)]) == 1
    assert PayrollLine.objects.filter(run=run).count() == 4


def test_every_column_the_same_and_one_row():
    run = PayrollRun.objects.create(month=DEC)
    a = PensionFactory()
    assert insert_lines(run, [_line(a)]) == 1
    assert insert_lines(run, [_line(a)]) == 0
    assert insert_lines(run, []) == 0
    # Two identical rows in one call (every column the same): the second is the first's conflict.
    oct_ = date(2026, 10, 1)
    assert insert_lines(run, [_line(a, month=oct_)] * 2) == 1
    ids = insert_ignore_conflicts(PayrollLine, ["bank_name"], [], copy=True)
    assert ids == [] and PayrollLine.objects.get(pension=a, month=oct_).amount == D("301.00")


def test_a_refused_row_inserts_nothing():
    run = PayrollRun.objects.create(month=DEC)
    a, b = PensionFactory(), PensionFactory()
    if connection.vendor == "postgresql":  # SQLite does not check a text's length
        with pytest.raises(DataError), transaction.atomic():
            insert_lines(run, [_line(a), _line(b, bank="银" * 41)])  # bank_name is 40 long at most
        with pytest.raises(DataError), transaction.atomic():  # the same in every row: a parameter, not cut
            insert_lines(run, [_line(a, bank="银" * 41), _line(b, bank="银" * 41)])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_lines(run, [_line(a), _line(b, basic="-1.00")])  # payline_amounts_positive
    assert not PayrollLine.objects.filter(run=run).exists()
