"""Actions from the partner template's Åtgärder sheet into the plan (plain Python, no Dagster).

A validated submission (sources/partner_submissions) carries the plan's columns (schema.py,
PLAN_COLUMNS); every action row that names its activity becomes an action record for
`actions.actions_from_records`, with one funding row when a payer is given. Rows without an
activity stay out of the scenario model (their expected reduction is still reported as before).
The template gives an end year; the model's lifetime is end - start + 1. An empty low or high
effect is the central one (no range given); an empty energy ratio is 1.

`submission_csv` writes a portfolio's actions as the template's CSV, one file per partner: the
demo portfolio goes through the same validator as a partner's file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

import polars as pl

from pipelines.defs.plan.actions import Action
from sources.partner_submissions.schema import ACTIONS, FIRST_DATA_ROW, SHEETS

NO_SOURCE = "ej angiven"


def plan_records(
    partner_id: str, actions: pl.DataFrame
) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]]]:
    """(action rows, funding rows) as (row, {key: value}) for actions_from_records."""
    action_rows, funding_rows = [], []
    for row, record in enumerate(actions.iter_rows(named=True), start=FIRST_DATA_ROW):
        if record.get("activity_id") is None:
            continue
        central = record["effect_central"]
        start, end = record["start_year"], record["end_year"]
        action_rows.append(
            (
                row,
                {
                    "action_id": record["action_id"],
                    "partner_id": partner_id,
                    "title": record["title"],
                    "description": record.get("comment"),
                    "smhi_sector": record["smhi_sector"],
                    "gpc_ref": record["gpc_ref"],
                    "activity_id": record["activity_id"],
                    "change": record["change"],
                    "from_fuel": record["from_fuel"],
                    "to_fuel": record["to_fuel"],
                    "energy_ratio": (
                        _or(record["energy_ratio"], 1.0)
                        if record["change"] == "bränslebyte"
                        else None
                    ),
                    "fuel": record["fuel"],
                    "effect_low": _or(record["effect_low"], central),
                    "effect_central": central,
                    "effect_high": _or(record["effect_high"], central),
                    "start_year": start,
                    "ramp_years": record["ramp_years"] or 0,
                    "lifetime_years": None if end is None else end - start + 1,
                    "investment_sek": record["investment_sek"],
                    "opex_sek_per_year": record["opex_sek_per_year"],
                    "opex_payer": record["opex_payer"],
                    "status": record["status"],
                    "status_reason": record["status_reason"],
                    "status_set_by_hand": record["status_reason"] is not None,
                    "percent_done": record["percent_done"],
                    "responsible_org": record["responsible_org"] or partner_id,
                    "contact_email": record["contact_email"],
                    "kpi_kind": record["kpi_kind"],
                    "kpi_ref": record["kpi_ref"],
                },
            )
        )
        if record["payer"] is not None:
            funding_rows.append(
                (
                    row,
                    {
                        "action_id": record["action_id"],
                        "payer": record["payer"],
                        "funding_source": record["funding_source"] or NO_SOURCE,
                        "share": _or(record["funding_share"], 1.0),
                        "secured": bool(record["funding_secured"]),
                    },
                )
            )
    return action_rows, funding_rows


def _or(value, default):
    return default if value is None else value


def cell_text(value) -> str:
    """A value as the CSV contract writes it: decimal comma, ja/nej, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:.10g}".replace(".", ",") if value != int(value) else str(int(value))
    return str(value)


def action_cells(action: Action) -> Mapping[str, object]:
    """An action as the template's Åtgärder row (its first funding row: the template has one)."""
    funding = action.funding[0] if action.funding else None
    effect = action.effect
    return {
        "action_id": action.action_id,
        "title": action.title,
        "status": action.status,
        "start_year": action.start_year,
        "investment_sek": action.investment_sek,
        "expected_annual_reduction_t": 0.0,  # the engine computes the reduction
        "realised_reduction_t": None,
        "comment": action.description or None,
        "activity_id": action.activity_id,
        "smhi_sector": action.smhi_sector,
        "gpc_ref": action.gpc_ref,
        "change": action.change,
        "from_fuel": action.from_fuel,
        "to_fuel": action.to_fuel,
        "energy_ratio": action.energy_ratio if action.change == "bränslebyte" else None,
        "fuel": action.fuel,
        "effect_low": effect.low,
        "effect_central": effect.central,
        "effect_high": effect.high,
        "ramp_years": action.ramp_years,
        "end_year": action.last_year,
        "opex_sek_per_year": action.opex_sek_per_year,
        "opex_payer": action.opex_payer,
        "payer": funding.payer if funding else None,
        "funding_source": funding.funding_source if funding else None,
        "funding_share": funding.share if funding else None,
        "funding_secured": funding.secured if funding else None,
        "status_reason": action.status_reason or None,
        "percent_done": action.percent_done,
        "responsible_org": action.primary_organisation,
        "contact_email": action.contact_email or None,
        "kpi_kind": action.kpi.kind if action.kpi else None,
        "kpi_ref": action.kpi.ref if action.kpi else None,
    }


def submission_csv(
    partner_id: str, year: int, actions: list[Action], *, submitted: date, note: str
) -> str:
    """One partner's actions as a submission in the template's CSV form (no emissions of its
    own: one zero row, since the sheet needs a row)."""
    records = {
        "organisation": [
            [partner_id, year, "Klimatneutrala Borlänge", "plan@example.org", submitted]
        ],
        "emissions": [[1, "(inga egna uppgifter)", 0, None, "ja", note]],
        "energy": [],
        "actions": [[action_cells(a)[c.key] for c in ACTIONS.columns] for a in actions],
        "removals": [],
    }
    out = io.StringIO()
    out.write(f"# {note}\n")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for sheet in SHEETS:
        writer.writerow([sheet.name, *(c.heading for c in sheet.columns)])
        writer.writerows([sheet.name, *map(cell_text, row)] for row in records[sheet.key])
    return out.getvalue()
