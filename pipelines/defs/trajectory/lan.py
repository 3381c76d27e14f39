"""Trajectories for every län under each method preset (no Dagster): the kommun computation
(compute.py) run on the län totals of SMHI's own län rows
(intermediate.int_trajectory__lan_emissions).

compute.py keys its entities by a 4-digit code; a län enters as Kolada's region id '00' + län code
(Dalarna '0020') and leaves as `lan_kod` ('20') with `entity_level` 'lan', so the kommun outputs and
their tables stay exactly as they were. A partner exclusion (Borlänge's own budget excludes SSAB) is
summed to the län of its kommun. Presets restricted to named kommuner (preset.kommun_kod) are kommun
scopes and are not run for län.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset

LAN_INPUT = "intermediate.int_trajectory__lan_emissions"
ENTITY_PREFIX = "00"


def _as_entity(frame: pl.DataFrame, column: str = "lan_kod") -> pl.DataFrame:
    return frame.with_columns((pl.lit(ENTITY_PREFIX) + pl.col(column)).alias("kommun_kod")).drop(
        column
    )


def _as_lan(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.with_columns(
            pl.col("kommun_kod").str.slice(len(ENTITY_PREFIX)).alias("lan_kod"),
            pl.lit("lan").alias("entity_level"),
        )
        .drop("kommun_kod")
        .select("lan_kod", "entity_level", pl.all().exclude("lan_kod", "entity_level"))
    )


def lan_scope_inputs(
    con: duckdb.DuckDBPyConnection, preset: MethodPreset, partner_exclusions
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    totals = con.sql(
        f"select lan_kod, year, tonnes, cement_t from {LAN_INPUT} where gas = ? order by "
        "lan_kod, year",
        params=[preset.gas],
    ).pl()
    emissions = totals.select("lan_kod", "year", "tonnes")
    if preset.deducts == "cement":
        emissions = (
            emissions.join(
                totals.select("lan_kod", "year", "cement_t").drop_nulls(),
                on=["lan_kod", "year"],
                how="left",
            )
            .with_columns(pl.col("tonnes") - pl.col("cement_t").fill_null(0.0))
            .drop("cement_t")
        )
    exclusions = None
    if preset.excludes:
        by_kommun = partner_exclusions(con, preset.excludes)
        if by_kommun is not None:
            lan_of = con.sql("select kommun_kod, lan_kod from marts.dim_kommun").pl()
            exclusions = _as_entity(
                by_kommun.join(lan_of, on="kommun_kod")
                .group_by("lan_kod", "year")
                .agg(pl.col("tonnes").sum())
            )
    return _as_entity(emissions), exclusions


def run_lan_presets(
    con: duckdb.DuckDBPyConnection,
    presets: dict[str, MethodPreset],
    as_of_year: int,
    partner_exclusions,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summary, yearly) for every län and every preset that is not restricted to named kommuner."""
    summaries, yearlies = [], []
    for preset in presets.values():
        if preset.kommun_kod:
            continue
        emissions, exclusions = lan_scope_inputs(con, preset, partner_exclusions)
        result = compute_trajectories(emissions, preset, as_of_year, exclusions=exclusions)
        summaries.append(_as_lan(result.summary))
        yearlies.append(_as_lan(result.yearly))
    return pl.concat(summaries, how="diagonal_relaxed"), pl.concat(yearlies, how="diagonal_relaxed")
