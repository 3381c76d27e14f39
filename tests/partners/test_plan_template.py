"""The partner template's plan columns (issue 24): the Åtgärder sheet carries what the scenario
engine needs, each kind of bad value is a Problem naming sheet, row and column, and the demo
portfolio's actions go through the same validator into the plan."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl.utils import get_column_letter

from pipelines.defs.plan import actions as plan_actions
from pipelines.defs.plan.actions import actions_from_records, load_portfolio
from pipelines.defs.plan.submissions import action_cells, cell_text, plan_records, submission_csv
from sources.partner_submissions import load_partners, schema, validate_submission_bytes
from tests.helpers import REPO

TODAY = date(2026, 11, 22)
DEMO = REPO / "replay" / "payloads" / "plan"
NOTE = "SYNTETISKA exempeldata"


@pytest.fixture(scope="module")
def demo():
    return load_portfolio(DEMO)


def validate(text: str, name: str = "plan.csv"):
    return validate_submission_bytes(
        name, text.encode("utf-8"), partners=set(load_partners()), today=TODAY
    )


def one_action(demo, action_id: str, **changed) -> str:
    """One demo action as its partner's template CSV, with some cells changed."""
    action = demo.action_by_id[action_id]
    text = submission_csv(action.partner_id, 2025, [action], submitted=TODAY, note=NOTE)
    if not changed:
        return text
    cells = action_cells(action)
    original = ";".join(["Åtgärder", *(_csv(cells[c.key]) for c in schema.ACTIONS.columns)])
    edited = ";".join(
        ["Åtgärder", *(_csv((cells | changed)[c.key]) for c in schema.ACTIONS.columns)]
    )
    assert original in text
    return text.replace(original, edited)


def _csv(value) -> str:
    text = cell_text(value)
    return f'"{text}"' if any(c in text for c in ';"\n') else text


def test_plan_template_vocabularies_are_the_engines():
    assert schema.STATUSES == plan_actions.STATUSES
    assert schema.SMHI_SECTORS == plan_actions.SMHI_SECTORS
    assert schema.CHANGE_KINDS == plan_actions.CHANGE_KINDS
    assert schema.PAYERS == plan_actions.PAYERS
    assert schema.KPI_KINDS == plan_actions.KPI_KINDS
    assert all(c.plan and not c.required for c in schema.PLAN_COLUMNS)
    assert all(c.help_sv and c.help_en for c in schema.PLAN_COLUMNS)


def test_plan_template_the_demo_portfolio_goes_through_the_validator(demo):
    """Every partner's actions as a template CSV: valid, and back into the same actions."""
    by_partner: dict[str, list] = {}
    for action in demo.actions:
        by_partner.setdefault(action.partner_id, []).append(action)
    rows, funding = [], []
    for partner, actions in by_partner.items():
        report = validate(submission_csv(partner, 2025, actions, submitted=TODAY, note=NOTE))
        assert report.problems == [], [str(p) for p in report.problems]
        action_rows, funding_rows = plan_records(partner, report.submission.actions)
        rows += action_rows
        funding += funding_rows
    parsed, problems = actions_from_records(rows, funding)
    assert problems == []
    assert sorted(a.action_id for a in parsed) == sorted(a.action_id for a in demo.actions)
    for back in parsed:
        original = demo.action_by_id[back.action_id]
        for field in (
            "activity_id",
            "change",
            "effect",
            "start_year",
            "ramp_years",
            "lifetime_years",
            "investment_sek",
            "opex_sek_per_year",
            "status",
            "from_fuel",
            "to_fuel",
            "energy_ratio",
            "fuel",
            "smhi_sector",
            "gpc_ref",
        ):
            assert getattr(back, field) == getattr(original, field), (back.action_id, field)
        assert back.funding[:1] == original.funding[:1]
    assert (
        demo.action_by_id["HP-1"].kpi.ref
        == next(a for a in parsed if a.action_id == "HP-1").kpi.ref
    )


def test_plan_template_an_old_submission_without_the_plan_columns_stays_valid(demo):
    text = one_action(demo, "BE-1")
    old_columns = [c for c in schema.ACTIONS.columns if not c.plan]
    lines = []
    for line in text.splitlines():
        if line.startswith("Åtgärder;"):
            fields = line.split(";")
            line = ";".join(fields[: len(old_columns) + 1])
        lines.append(line)
    report = validate("\n".join(lines) + "\n")
    assert report.problems == []
    assert report.submission.actions["activity_id"].to_list() == [None]


BAD_VALUES = [
    # (action, changed cells, code, column heading, shown value)
    ("BE-1", {"effect_high": 1.5}, "effect_out_of_range", "Effekt hög", "1.5"),
    ("TB-1", {"effect_high": -1.3}, "effect_out_of_range", "Effekt hög", "-1.3"),
    ("TB-1", {"effect_central": -0.01}, "effect_range_order", "Effekt central", "-0.01"),
    ("BUS-1", {"end_year": 2020}, "end_before_start", "Slutår", "2020"),
    ("BUS-1", {"change": None}, "missing_plan_value", "Typ av effekt", None),
    ("BUS-1", {"to_fuel": None}, "missing_plan_value", "Till bränsle", None),
    ("BUS-1", {"gpc_ref": "II-1"}, "invalid_gpc_ref", "GPC-sektor", "II-1"),
    ("BUS-1", {"change": "halvering"}, "invalid_choice", "Typ av effekt", "halvering"),
    (
        "BUS-1",
        {"status": "avbruten", "status_reason": None},
        "missing_status_reason",
        "Skäl för status",
        None,
    ),
    ("BUS-1", {"kpi_kind": "kolada", "kpi_ref": None}, "kpi_without_reference", "Indikator", None),
    ("BUS-1", {"funding_share": 1.2}, "above_maximum", "Finansieringsandel", "1.2"),
    ("BUS-1", {"percent_done": 140.0}, "above_maximum", "Andel klar (%)", "140"),
    ("BUS-1", {"activity_id": None}, "plan_value_without_activity", "Sektor (SMHI)", None),
    ("BUS-1", {"ramp_years": -1}, None, "Upptrappning (år)", None),
    ("BUS-1", {"opex_payer": None}, "missing_plan_value", "Driftkostnad bärs av", None),
]


@pytest.mark.parametrize("action_id, changed, code, heading, shown", BAD_VALUES)
def test_plan_template_each_bad_value_names_sheet_row_and_column(
    demo, action_id, changed, code, heading, shown
):
    report = validate(one_action(demo, action_id, **changed))
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    problem = report.problems[0]
    if code is not None:
        assert problem.code == code
    assert problem.sheet == "Åtgärder" and problem.column == heading
    column = next(c for c in schema.ACTIONS.columns if c.heading == heading)
    index = [c.key for c in schema.ACTIONS.columns].index(column.key)
    assert problem.column_letter == get_column_letter(index + 2)  # column A is the section
    assert problem.row is not None and problem.message and problem.message_sv
    if shown is not None:
        assert problem.value is not None and problem.value.replace(",", ".") == shown
