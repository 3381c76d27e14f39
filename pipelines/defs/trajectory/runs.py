"""Every method preset run over every kommun's territorial emissions (plain Python, no Dagster;
the assets are in assets.py): each preset's inputs read from the intermediate models (the newest
SMHI release, less what its scope takes out), then compute.py."""

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset

EMISSIONS_INPUT = "intermediate.int_trajectory__emissions"
PARTNER_INPUT = "intermediate.int_trajectory__partner_scope1"


def latest_release_totals(con: duckdb.DuckDBPyConnection, gas: str) -> pl.DataFrame:
    """Total emissions per kommun and year from the newest SMHI release of `gas` only (the trend
    must not mix releases: the 2026 release has no 2016–2019), with the cement process CO2."""
    return con.sql(
        f"select kommun_kod, year, tonnes, cement_t from {EMISSIONS_INPUT} where gas = ? "
        "order by kommun_kod, year",
        params=[gas],
    ).pl()


def without_cement(emissions: pl.DataFrame, cement: pl.DataFrame) -> pl.DataFrame:
    """Emissions less cement process CO2 (Klimatkollen's scope: a global overhead in the budget)."""
    return (
        emissions.join(cement, on=["kommun_kod", "year"], how="left")
        .with_columns(pl.col("tonnes") - pl.col("cement_t").fill_null(0.0))
        .drop("cement_t")
    )


def partner_exclusions(con: duckdb.DuckDBPyConnection, partner: str) -> pl.DataFrame | None:
    """A partner's own scope-1 emissions inside the territory, per kommun and year, to take out of
    a scope (Borlänge's own budget excludes SSAB). None until the partner has submitted.
    Partners report t CO2e; for a steelworks scope 1 is almost entirely fossil CO2, so the figure
    stands in for CO2 in a CO2-only scope (the row's `source` says so)."""
    rows = con.sql(
        f"select kommun_kod, year, tonnes, source from {PARTNER_INPUT} where partner_id = lower(?)",
        params=[partner],
    ).pl()
    return rows if rows.height else None


def scope_inputs(
    con: duckdb.DuckDBPyConnection, preset: MethodPreset
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The emissions a preset works on, and what its scope takes out."""
    totals = latest_release_totals(con, preset.gas)
    emissions = totals.select("kommun_kod", "year", "tonnes")
    if preset.deducts == "cement":
        emissions = without_cement(
            emissions, totals.select("kommun_kod", "year", "cement_t").drop_nulls()
        )
    exclusions = partner_exclusions(con, preset.excludes) if preset.excludes else None
    return emissions, exclusions


@dataclass(frozen=True)
class TrajectoryRun:
    summary: pl.DataFrame
    yearly: pl.DataFrame


def run_all_presets(
    con: duckdb.DuckDBPyConnection, presets: dict[str, MethodPreset], as_of_year: int
) -> TrajectoryRun:
    summaries, yearlies = [], []
    for preset in presets.values():
        emissions, exclusions = scope_inputs(con, preset)
        result = compute_trajectories(emissions, preset, as_of_year, exclusions=exclusions)
        summaries.append(result.summary)
        yearlies.append(result.yearly)
    return TrajectoryRun(
        pl.concat(summaries, how="diagonal_relaxed"), pl.concat(yearlies, how="diagonal_relaxed")
    )
