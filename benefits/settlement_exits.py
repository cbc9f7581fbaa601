"""settlement_estimate's non-death reasons (abroad, transfer_out, to_employee, duplicate_receipt),
registered in benefits.services.settlement's reason registry; the figures are contributions' exit
settlement (contributions.services.exits.exit_figures), the same the county's approval posts.
Imported by BenefitsConfig.ready."""

from datetime import date

from contributions.services.exits import exit_figures
from linggao_pension import periods

from .services.settlement import Settlement, settlement_reason


def _exit(reason: str, *, person, on: date) -> Settlement:
    """`on`: the exit date; for a duplicate receipt the employee pension's start (the overlap runs
    from it to now)."""
    f = exit_figures(
        person=person, kind=reason, event_on=on, employee_start=on if reason == "duplicate_receipt" else None
    )
    side = f["side"]
    last = periods.parse_month(side.last_payable_month) if side.last_payable_month else None
    return Settlement(
        reason=reason, last_payable_month=last,
        overpaid_months=[periods.parse_month(m) for m in side.overlap_months],
        overpaid_basic=side.overlap_basic, balance=f["balance"], by_source=f["by_source"],
        interim_interest=f["interim_interest"], funeral_subsidy=f["funeral_subsidy"], payable=f["payable"],
        to_recover=f["to_recover"],
    )


for _reason in ("abroad", "transfer_out", "to_employee", "duplicate_receipt"):
    settlement_reason(_reason)(lambda *, person, on, _r=_reason: _exit(_r, person=person, on=on))
