"""What the trajectory checks say about the reporting kommun, and the tables its metadata shows
(plain Python, no Dagster; the checks are in assets.py and consumption_assets.py). Every verdict
is a warning: a kommun off its path is news, not a broken pipeline."""

from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.defs.trajectory.consumption import SCOPE

HEADLINE_METHOD = "carbon_law"


@dataclass(frozen=True)
class Verdict:
    passed: bool
    metadata: dict


def check_name(method: str) -> str:
    return f"borlange_on_track_{method}"


def on_track(summary_row: dict | None, method: str) -> Verdict:
    """The reporting kommun under one method: pass when on a Paris-aligned path, else the gap."""
    if summary_row is None:
        return Verdict(False, {"reason": f"no {method} row for Borlänge"})
    if summary_row["meets_paris"] is None:
        return Verdict(False, {"reason": summary_row.get("scope_status") or "no verdict"})
    excess = summary_row["trend_sum_t"] - summary_row["allowed_sum_t"]
    metadata = {
        "trend_sum_t": round(summary_row["trend_sum_t"]),
        "allowed_sum_t": round(summary_row["allowed_sum_t"]),
        "excess_t": round(excess),
        "excess_pct_of_allowed": round(100 * excess / summary_row["allowed_sum_t"], 1)
        if summary_row["allowed_sum_t"]
        else None,
        "gap_2030_t": None
        if summary_row["gap_2030_t"] is None
        else round(summary_row["gap_2030_t"]),
        "net_zero_date": str(summary_row["net_zero_date"])
        if summary_row["net_zero_date"]
        else "never on this trend",
        "budget_exhausted_date": str(summary_row["budget_exhausted_date"])
        if summary_row["budget_exhausted_date"]
        else "not on this trend",
    }
    if summary_row["net_zero_date"]:
        metadata["net_zero_years_after_2030"] = summary_row["net_zero_date"].year - 2030
    if summary_row["budget_exhausted_date"]:
        metadata["budget_years_left_from_as_of"] = round(
            (summary_row["budget_exhausted_date"].toordinal() - _jan1(summary_row["as_of_year"]))
            / 365.25,
            1,
        )
    return Verdict(bool(summary_row["meets_paris"]), metadata)


def _jan1(year: int) -> int:
    return date(year, 1, 1).toordinal()


def reporting_table(borlange: pl.DataFrame) -> str:
    """The reporting kommun's row per method, as a markdown table."""
    columns = [
        "method",
        "gas",
        "trend_sum_t",
        "allowed_sum_t",
        "meets_paris",
        "net_zero_date",
        "budget_exhausted_date",
        "required_reduction_pct",
        "gap_2030_t",
        "scope_status",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in borlange.iter_rows(named=True):
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def consumption_pace(
    summary: pl.DataFrame, kommun_kod: str, method: str = HEADLINE_METHOD
) -> Verdict:
    """Pass when the kommun's consumption emissions fall at least about as fast as its territorial
    ones."""
    rows = summary.filter(
        (pl.col("kommun_kod") == kommun_kod) & (pl.col("method") == method)
    ).to_dicts()
    if not rows or rows[0]["falls_at_similar_pace"] is None:
        reason = rows[0]["scope_status"] if rows else f"no {method} row for kommun {kommun_kod}"
        return Verdict(False, {"reason": reason})
    row = rows[0]
    metadata = {
        "method": method,
        "scope": SCOPE,
        "trend_years": row["trend_years"],
        "consumption_pace_pct_per_year": round(row["pace_pct_per_year"], 2),
        "territorial_pace_pct_per_year": round(row["territorial_pace_pct_per_year"], 2),
        "pace_difference_pp": round(row["pace_difference_pp"], 2),
        "tolerance_pp": row["tolerance_pp"],
        "carbon_law_rate_pct_per_year": -row["reduction_rate_pct"],
        "meets_carbon_law_rate": bool(row["meets_carbon_law_rate"]),
        "consumption_meets_paris": row["meets_paris"],
        "consumption_trend_sum_t": round(row["trend_sum_t"]),
        "consumption_allowed_sum_t": round(row["allowed_sum_t"]),
    }
    return Verdict(bool(row["falls_at_similar_pace"]), metadata)


def markdown_table(frame: pl.DataFrame) -> str:
    def cell(value) -> str:
        return "" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
