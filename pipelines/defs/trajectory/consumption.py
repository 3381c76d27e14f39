"""The trajectory methods on consumption-based emissions, and how their pace compares with the
territorial emissions' (no Dagster, no warehouse).

Scope. The consumption series per kommun is public_sector + investments: the two components
Klimatkollen downscales per kommun for every year 2008–2023. Households are not in it: SEI publishes
one year (2023) per kommun, and a one-year series has no trend; summing all three components would
leave a single year. The scope is named on every row.

Presets. The same seed rows as the territorial trajectory. A preset applies when it works on CO2e
(consumption figures are CO2e) and needs nothing territorial: carbon_law and fixed_rate_path without
exclusions or deductions. carbon_budget (a national territorial CO2 budget shared by territorial
emissions) and borlange_local (territorial CO2 without SSAB) do not apply; their rows say why, with
every figure null.

Pace. The trend's relative slope at its anchor, 100 × slope / level at the last data year, in % per
year: the LAD methods anchor the line at the last value, so this is the yearly change the trend
implies from today's level. Consumption "falls at a similar pace" when its pace is at most the
territorial pace plus `tolerance_pp` percentage points (falling faster is fine). It "keeps the
Carbon Law rate" when it falls at least at the method's reduction rate (11.72 %/yr, methods.md
§3.1).
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.defs.trajectory.compute import SUMMARY_SCHEMA, compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset

SCOPE = "public_sector+investments"
SCOPE_NOTE = "households left out: SEI gives one year per kommun (2023), no series"
TRAJECTORY_COMPONENTS = ("public_sector", "investments")

COMPARISON_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "method": pl.Utf8,
    "scope": pl.Utf8,
    "as_of_year": pl.Int64,
    "last_data_year": pl.Int64,
    "trend_years": pl.Utf8,
    "slope_t_per_year": pl.Float64,
    "level_t": pl.Float64,
    "pace_pct_per_year": pl.Float64,
    "territorial_slope_t_per_year": pl.Float64,
    "territorial_level_t": pl.Float64,
    "territorial_pace_pct_per_year": pl.Float64,
    "pace_difference_pp": pl.Float64,
    "tolerance_pp": pl.Float64,
    "falls_at_similar_pace": pl.Boolean,
    "reduction_rate_pct": pl.Float64,
    "meets_carbon_law_rate": pl.Boolean,
    "trend_sum_t": pl.Float64,
    "allowed_sum_t": pl.Float64,
    "meets_paris": pl.Boolean,
    "net_zero_date": pl.Date,
    "budget_exhausted_date": pl.Date,
    "gap_2030_t": pl.Float64,
    "scope_status": pl.Utf8,
}


def not_applicable_reason(preset: MethodPreset) -> str | None:
    """Why a preset cannot run on consumption emissions, or None when it can."""
    if preset.gas != "CO2e":
        return (
            f"not applicable: {preset.method} works on {preset.gas}; consumption emissions are CO2e"
        )
    if preset.kind == "carbon_budget":
        return (
            f"not applicable: {preset.method} shares a territorial budget by territorial emissions"
        )
    if preset.excludes or preset.deducts:
        return f"not applicable: {preset.method} excludes or deducts territorial sources"
    return None


def consumption_totals(components: pl.DataFrame) -> pl.DataFrame:
    """kommun_kod, year, tonnes: the sum of TRAJECTORY_COMPONENTS where every one of them exists."""
    wanted = components.filter(
        pl.col("component").is_in(TRAJECTORY_COMPONENTS) & pl.col("tonnes").is_not_null()
    )
    return (
        wanted.group_by("kommun_kod", "year")
        .agg(pl.col("tonnes").sum(), pl.col("component").n_unique().alias("components"))
        .filter(pl.col("components") == len(TRAJECTORY_COMPONENTS))
        .select("kommun_kod", pl.col("year").cast(pl.Int64), "tonnes")
        .sort("kommun_kod", "year")
    )


def last_levels(emissions: pl.DataFrame, as_of_year: int) -> pl.DataFrame:
    """kommun_kod, level_t: each kommun's value in its last year to the as-of (the LAD anchor)."""
    return (
        emissions.filter(pl.col("year") <= as_of_year)
        .sort("year")
        .group_by("kommun_kod")
        .agg(pl.col("tonnes").last().alias("level_t"))
    )


def pace(slope: pl.Expr, level: pl.Expr) -> pl.Expr:
    """100 × slope / level, null where the level is not positive."""
    return pl.when(level > 0).then(100.0 * slope / level).otherwise(None)


def run_preset(emissions: pl.DataFrame, preset: MethodPreset, as_of_year: int) -> pl.DataFrame:
    """The preset's summary rows on consumption emissions (or 'not applicable' rows)."""
    reason = not_applicable_reason(preset)
    kommuner = sorted(emissions.get_column("kommun_kod").unique().to_list())
    if preset.kommun_kod:
        kommuner = [k for k in kommuner if k in preset.kommun_kod]
    if reason is not None:
        rows = {name: [None] * len(kommuner) for name in SUMMARY_SCHEMA}
        rows.update(
            kommun_kod=kommuner,
            method=[preset.method] * len(kommuner),
            as_of_year=[as_of_year] * len(kommuner),
            gas=[preset.gas] * len(kommuner),
            reduction_rate=[preset.reduction_rate] * len(kommuner),
            scope_status=[reason] * len(kommuner),
        )
        return pl.DataFrame(rows, schema=SUMMARY_SCHEMA)
    return compute_trajectories(emissions, preset, as_of_year).summary


def compare_with_territorial(
    consumption: pl.DataFrame, levels: pl.DataFrame, territorial: pl.DataFrame, tolerance_pp: float
) -> pl.DataFrame:
    """One row per kommun and method: consumption's pace beside the territorial one.

    consumption: summary rows (compute.SUMMARY_COLUMNS); levels: kommun_kod, level_t (consumption);
    territorial: kommun_kod, method, slope_t_per_year, level_t (from marts.trajectory)."""
    territorial = territorial.select(
        "kommun_kod",
        "method",
        pl.col("slope_t_per_year").alias("territorial_slope_t_per_year"),
        pl.col("level_t").alias("territorial_level_t"),
    )
    applicable = pl.col("scope_status") == "complete"
    joined = (
        consumption.join(levels, on="kommun_kod", how="left")
        .join(territorial, on=["kommun_kod", "method"], how="left")
        .with_columns(pl.when(applicable).then(pl.col("level_t")).alias("level_t"))
        .with_columns(
            pace(pl.col("slope_t_per_year"), pl.col("level_t")).alias("pace_pct_per_year"),
            pace(pl.col("territorial_slope_t_per_year"), pl.col("territorial_level_t")).alias(
                "territorial_pace_pct_per_year"
            ),
            (100.0 * pl.col("reduction_rate")).alias("reduction_rate_pct"),
        )
    )
    compared = joined.with_columns(
        pl.lit(SCOPE).alias("scope"),
        (pl.col("pace_pct_per_year") - pl.col("territorial_pace_pct_per_year")).alias(
            "pace_difference_pp"
        ),
        pl.lit(tolerance_pp, pl.Float64).alias("tolerance_pp"),
        (
            pl.col("pace_pct_per_year") <= pl.col("territorial_pace_pct_per_year") + tolerance_pp
        ).alias("falls_at_similar_pace"),
        pl.when(applicable)
        .then(pl.col("pace_pct_per_year") <= -pl.col("reduction_rate_pct"))
        .alias("meets_carbon_law_rate"),
        pl.when(applicable)
        .then(pl.col("scope_status") + "; " + SCOPE_NOTE)
        .otherwise(pl.col("scope_status"))
        .alias("scope_status"),
    )
    # Columns a summary may lack (a frame with only the computed ones) come out as nulls.
    return compared.select(
        [
            (pl.col(name) if name in compared.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in COMPARISON_SCHEMA.items()
        ]
    ).sort("kommun_kod", "method")


def consumption_trajectories(
    components: pl.DataFrame,
    presets: dict[str, MethodPreset],
    as_of_year: int,
    territorial: pl.DataFrame,
    tolerance_pp: float,
) -> pl.DataFrame:
    """Every preset on every kommun's consumption series, beside the territorial trajectory."""
    emissions = consumption_totals(components)
    summaries = pl.concat(
        [run_preset(emissions, p, as_of_year) for p in presets.values()], how="diagonal_relaxed"
    )
    return compare_with_territorial(
        summaries, last_levels(emissions, as_of_year), territorial, tolerance_pp
    )


def consumption_components(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "select kommun_kod, year, component, tonnes from marts.fct_consumption_emissions"
    ).pl()


def territorial_paces(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per kommun and method: the territorial trend's slope and its level at the last data year."""
    return con.sql("""
        select summary.kommun_kod, summary.method, summary.slope_t_per_year,
               paths.emissions_t as level_t
        from trajectory.summary as summary
        left join trajectory.yearly_paths as paths
            on paths.kommun_kod = summary.kommun_kod and paths.method = summary.method
            and paths.year = summary.last_data_year""").pl()
