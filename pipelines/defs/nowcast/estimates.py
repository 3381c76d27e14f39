"""The nowcast itself: every kommun, main sector and gas for the years after the release's last up
to `through_year`, with 80 % and 95 % ranges; the rows of marts.fct_emissions_nowcast.

Every row is an estimate (value_kind 'estimate', never a statistic) and says what it rests on:
the SMHI release, Sweden's figures by sector (statistic, labelled placeholder, or none yet), the
kommun's own feeds where they cover a sector (synthetic in the demo: `uses_synthetic_input`),
where the parameters were fitted and where the ranges come from.

A kommun's own feed (local indicator) covering part of a sector replaces the model for that
part: with x the sector's SMHI value in the base year and f(t) the feed's tonnes,
    covered share c = min(1, f(base) / x)
    estimate = c * x * f(A) / f(base) + (1 - c) * model estimate,
A the feed's last year up to the target. The feed's change is used, not its level, so a feed
that counts a little differently from SMHI (a plant's own scope 1 against SMHI's grid cell)
still moves the estimate by what it saw. Feeds have no backtest (they exist for Borlänge only,
and synthetically): their rows keep the model's relative range and say so.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl

from pipelines.defs.nowcast.intervals import (
    LEVELS,
    Calibration,
    bounds,
    configuration,
    history_inflation,
)
from pipelines.defs.nowcast.model import (
    TREND_START_YEAR,
    NowcastParameters,
    SectorForecast,
    forecast,
    sector_slopes,
)
from pipelines.defs.nowcast.panel import TOTAL, NationalSeries, NowcastInputError, SectorPanel
from sources.national_emissions import PLACEHOLDER

METHOD = "nowcast"
ESTIMATE = "estimate"
ESTIMATE_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "huvudsektor": pl.Utf8,
    "gas": pl.Utf8,
    "year": pl.Int64,
    "nowcast_t": pl.Float64,
    "lower_80_t": pl.Float64,
    "upper_80_t": pl.Float64,
    "lower_95_t": pl.Float64,
    "upper_95_t": pl.Float64,
    "value_kind": pl.Utf8,
    "method": pl.Utf8,
    "base_vintage": pl.Utf8,
    "base_year": pl.Int64,
    "horizon_years": pl.Int64,
    "national_indicator": pl.Utf8,
    "national_value_kind": pl.Utf8,
    "national_vintage": pl.Utf8,
    "local_indicator": pl.Utf8,
    "uses_placeholder": pl.Boolean,
    "uses_synthetic_input": pl.Boolean,
    "parameters_fitted_on": pl.Utf8,
    "interval_calibration": pl.Utf8,
}
LOCAL_COLUMNS = (
    "kommun_kod",
    "huvudsektor",
    "gas",
    "year",
    "tonnes",
    "indicator",
    "description",
    "vintage",
    "is_synthetic",
)


# ---------------------------------------------------------------- local feeds


def local_indicators_from_feeds(
    *,
    kommun_kod: str,
    energy_balance: pl.DataFrame | None = None,
    partner_emissions: pl.DataFrame | None = None,
    partners_synthetic: bool,
) -> pl.DataFrame:
    """A kommun's own feeds as local indicators (LOCAL_COLUMNS), from the marts' columns:
    - marts.fct_energy_balance: complete years' on_site_combustion_emissions_t of the utility's
      plants, summed over networks -> 'El och fjärrvärme' (its is_synthetic and vintage kept);
    - marts.fct_partner_emissions: scope 1 inside the territory, per partner, to the partner's
      SMHI main sector (partners without one are left out). The mart has no synthetic flag:
      the caller says whether the submissions are synthetic."""
    frames = []
    if energy_balance is not None and energy_balance.height:
        frames.append(
            energy_balance.filter(pl.col("is_complete_year"))
            .group_by("year")
            .agg(
                tonnes=pl.col("on_site_combustion_emissions_t").sum(),
                vintage=pl.col("vintage").max().cast(pl.Utf8),
                is_synthetic=pl.col("is_synthetic").any(),
            )
            .select(
                pl.lit(kommun_kod).alias("kommun_kod"),
                pl.lit("El och fjärrvärme").alias("huvudsektor"),
                pl.lit("CO2e").alias("gas"),
                "year",
                "tonnes",
                pl.lit("borlange_energi_fuels").alias("indicator"),
                pl.lit(
                    "Borlänge Energi's fuels burnt in its own plants x emission factors "
                    "(marts.fct_energy_balance)"
                ).alias("description"),
                "vintage",
                "is_synthetic",
            )
        )
    if partner_emissions is not None and partner_emissions.height:
        frames.append(
            partner_emissions.filter(
                (pl.col("scope") == 1)
                & pl.col("inside_territory")
                & pl.col("smhi_huvudsektor").is_not_null()
            )
            .group_by("partner_id", "smhi_huvudsektor", "year")
            .agg(
                tonnes=pl.col("tonnes_co2e").sum(),
                vintage=pl.col("received_at").max().cast(pl.Date).cast(pl.Utf8),
                partner_name=pl.col("partner_name").first(),
            )
            .select(
                pl.lit(kommun_kod).alias("kommun_kod"),
                pl.col("smhi_huvudsektor").alias("huvudsektor"),
                pl.lit("CO2e").alias("gas"),
                "year",
                "tonnes",
                pl.format("partner:{}", "partner_id").alias("indicator"),
                pl.format(
                    "{}'s reported scope-1 emissions (marts.fct_partner_emissions)", "partner_name"
                ).alias("description"),
                "vintage",
                pl.lit(partners_synthetic).alias("is_synthetic"),
            )
        )
    if not frames:
        return empty_local_indicators()
    return pl.concat([f.cast(local_schema()) for f in frames])


def local_schema() -> dict:
    return {
        "kommun_kod": pl.Utf8,
        "huvudsektor": pl.Utf8,
        "gas": pl.Utf8,
        "year": pl.Int64,
        "tonnes": pl.Float64,
        "indicator": pl.Utf8,
        "description": pl.Utf8,
        "vintage": pl.Utf8,
        "is_synthetic": pl.Boolean,
    }


def empty_local_indicators() -> pl.DataFrame:
    return pl.DataFrame(schema=local_schema())


def apply_local_indicators(
    panel: SectorPanel, step: SectorForecast, local: pl.DataFrame
) -> tuple[np.ndarray, dict[tuple[int, int], tuple[str, bool]]]:
    """The step's (K, S) values with the feeds applied, and per (kommun, sector) the label of
    the feeds used and whether any is synthetic."""
    missing = [c for c in LOCAL_COLUMNS if c not in local.columns]
    if missing:
        raise NowcastInputError(f"local indicators: missing column(s) {', '.join(missing)}")
    values = step.values.copy()
    used: dict[tuple[int, int], tuple[str, bool]] = {}
    base = step.base_year
    rows = local.filter((pl.col("gas") == panel.gas) & (pl.col("year") <= step.target_year))
    for (kommun, sector, indicator), feed in rows.group_by(
        ["kommun_kod", "huvudsektor", "indicator"], maintain_order=True
    ):
        if kommun not in panel.kommuner or sector not in panel.sectors:
            continue
        k = int(np.searchsorted(panel.kommuner, kommun))
        s = panel.sectors.index(sector)
        by_year = dict(feed.select("year", "tonnes").rows())
        latest = max(by_year)
        x = panel.at(base)[k, s]
        if latest <= base or not by_year.get(base) or x <= 0:
            continue  # no change to read: the feed lacks the base year or any later one
        covered = min(1.0, by_year[base] / x)
        feed_part = covered * x * by_year[latest] / by_year[base]
        values[k, s] = feed_part + (1.0 - covered) * values[k, s]
        first = feed.row(0, named=True)
        label = (
            f"{indicator} {base}->{latest} covering {100 * covered:.0f} % of the sector: "
            f"{first['description']}, vintage {first['vintage']}"
            + (", SYNTHETIC" if feed.get_column("is_synthetic").any() else "")
        )
        previous = used.get((k, s))
        synthetic = bool(feed.get_column("is_synthetic").any())
        used[(k, s)] = (
            label if previous is None else f"{previous[0]}; {label}",
            synthetic or (previous is not None and previous[1]),
        )
    return values, used


# ---------------------------------------------------------------- the nowcast


def nowcast_emissions(
    panel: SectorPanel,
    national: NationalSeries | None,
    parameters: NowcastParameters,
    calibration: Calibration,
    through_year: int,
    *,
    local_indicators: pl.DataFrame | None = None,
    start: int = TREND_START_YEAR,
) -> pl.DataFrame:
    """ESTIMATE_SCHEMA rows: each kommun's nine main sectors and its total ('Alla') for every
    year from the release's last + 1 to `through_year`."""
    if panel.gas != calibration.gas or panel.gas != parameters.gas:
        raise NowcastInputError("release, parameters and calibration differ in gas")
    if through_year <= panel.last_year:
        return pl.DataFrame(schema=ESTIMATE_SCHEMA)
    slopes = sector_slopes(panel, panel.last_year, start)
    steps = [
        forecast(panel, parameters, national, year, slopes=slopes)
        for year in range(panel.last_year + 1, through_year + 1)
    ]
    configs = sorted({configuration(s.national_years, s.trend_years) for s in steps})
    calibration = dataclasses.replace(
        calibration,
        inflation=history_inflation(panel, parameters, configs, start),
    )
    local = local_indicators if local_indicators is not None else empty_local_indicators()
    frames = [step_rows(panel, national, parameters, calibration, step, local) for step in steps]
    return pl.concat(frames).select([pl.col(c).cast(t) for c, t in ESTIMATE_SCHEMA.items()])


def step_rows(
    panel: SectorPanel,
    national: NationalSeries | None,
    parameters: NowcastParameters,
    calibration: Calibration,
    step: SectorForecast,
    local: pl.DataFrame,
) -> pl.DataFrame:
    values, used = apply_local_indicators(panel, step, local)
    config = configuration(step.national_years, step.trend_years)
    k_count, s_count = values.shape
    national_text = national_text_of(national, step)
    columns: dict[str, list] = {name: [] for name in ESTIMATE_SCHEMA}
    for s in [*range(s_count), None]:
        estimate = values.sum(axis=1) if s is None else values[:, s]
        ranges, sources = {}, []
        for level in LEVELS:
            if s is None:
                q, source = calibration.q(config, level)
                sources.append(f"{round(level * 100)} %: q={q:.4f}")
            else:
                q, source = calibration.sector_q(config, level, s, estimate)
            lower, upper = bounds(estimate, q)
            ranges[round(level * 100)] = (lower, upper)
        calibration_text = (
            f"split conformal on relative errors of "
            f"{'kommun totals' if s is None else 'this sector'}: {source}; " + ", ".join(sources)
        )
        for k in range(k_count):
            labels = (
                [used[(k, s)]]
                if s is not None and (k, s) in used
                else [used[key] for key in used if key[0] == k]
                if s is None
                else []
            )
            columns["kommun_kod"].append(panel.kommuner[k])
            columns["huvudsektor"].append(TOTAL if s is None else panel.sectors[s])
            columns["nowcast_t"].append(float(estimate[k]))
            for tag, (lower, upper) in ranges.items():
                columns[f"lower_{tag}_t"].append(float(lower[k]))
                columns[f"upper_{tag}_t"].append(float(upper[k]))
            columns["local_indicator"].append("; ".join(label for label, _ in labels) or None)
            columns["uses_synthetic_input"].append(any(synthetic for _, synthetic in labels))
            columns["interval_calibration"].append(
                calibration_text + ("; local feed not backtested" if labels else "")
            )
    n = len(columns["kommun_kod"])
    fixed = {
        "gas": panel.gas,
        "year": step.target_year,
        "value_kind": ESTIMATE,
        "method": METHOD,
        "base_vintage": panel.vintage,
        "base_year": step.base_year,
        "horizon_years": step.target_year - step.base_year,
        "national_indicator": national_text,
        "national_value_kind": step.national_kind,
        "national_vintage": None
        if national is None or step.national_kind == "none"
        else national.vintage,
        "uses_placeholder": step.national_kind == PLACEHOLDER,
        "parameters_fitted_on": parameters.fitted_on,
    }
    for name, value in fixed.items():
        columns[name] = [value] * n
    return pl.DataFrame(columns, schema=ESTIMATE_SCHEMA)


def national_text_of(national: NationalSeries | None, step: SectorForecast) -> str:
    if national is None or step.national_kind == "none":
        return (
            f"none: Sweden's figures by sector after {step.base_year} not published yet "
            f"(own trend for {step.trend_years} year(s))"
        )
    last = int(step.national_to.max())
    text = (
        f"Sweden by sector {step.base_year}->{last} ({step.national_kind}, vintage "
        f"{national.vintage}): {national.notes.get(last, '')}"
    )
    if step.trend_years:
        text += f"; own trend for the {step.trend_years} year(s) after {last}"
    if step.national_kind == PLACEHOLDER:
        text = "USES A PLACEHOLDER, not a statistic: " + text
    return text
