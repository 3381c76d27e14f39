"""Measured results per action: what was realised against what was expected.

METER KPIs (kpi kind `mätare`, ref = a meter customer category). The realised change is the
category's metered energy after the action's start against what the same months would have used
without it, corrected for weather with heating degree-days from Borlänge's daily mean
temperature (SMHI, Borlänge Flygplats; replay/payloads/meters/borlange_daily_temperature.csv):
1. degree-days per month: sum over the days of max(0, base - daily mean); base 17 °C, the
   heating limit Swedish degree-day statistics and the demo's meter generator use (SMHI's
   graddagar lower the limit in April-October for solar gain; pass a month -> base mapping
   to do so);
2. on the baseline (the `baseline_months` months before 1 January of the start year) fit the
   category's energy signature: kWh = base_per_day x days + per_degree_day x degree-days
   (least squares through the origin: a month without days uses nothing);
3. every month from the start on gets its counterfactual from the signature and its own
   degree-days; per calendar year, over the months whose calendar month is also in the baseline
   (the same months before), realised_change = sum(actual) / sum(counterfactual) - 1.
This is IPMVP's whole-facility method (Option C) with a degree-day baseline model; it turns a
colder year's higher use back into the change the action made. uncorrected_change is the same
comparison without the weather term (the same months' kWh before and after), shown beside it.
Months the meter marts suppress (too few metering points) have no kWh and are left out and
counted.

KOLADA and PARTNER KPIs: the reported value of the year against the expected path
(difference, and the reported value as a share of the expected).

TRACKING: one row per action: status, per cent done, the latest realised result beside its
expected value, and flags. An action that is genomförd but has no realised result is flagged
`completed_without_measured_result`, never hidden; so is an action without a KPI.

Frames:
  meter_results     action_id, kpi_ref, year, months, suppressed_months, actual_kwh,
                    counterfactual_kwh, realised_change, uncorrected_change, expected_change,
                    difference, degree_days, baseline_degree_days, base_kwh_per_day,
                    kwh_per_degree_day, baseline_r2, flag
  reported_results  action_id, kpi_kind, kpi_ref, year, expected_value, reported_value,
                    difference, share_of_expected
  action_tracking   action_id, title, status, percent_done, in_plan, kpi_kind, kpi_ref,
                    last_result_year, expected_value, realised_value, result_source, flag
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from pipelines.defs.plan.actions import COMPLETED, Portfolio

HEATING_BASE_C = 17.0
BASELINE_MONTHS = 12
MIN_BASELINE_MONTHS = 6


class MeasuredInputError(ValueError):
    """Meter, temperature or KPI input the results cannot be computed on."""


def degree_days(
    temperature: pl.DataFrame, base_c: float | Mapping[int, float] = HEATING_BASE_C
) -> pl.DataFrame:
    """Monthly heating degree-days from daily means (columns date, temp_c): month (first day),
    days (with a temperature), degree_days. A month -> base mapping sets the base per month."""
    missing = [c for c in ("date", "temp_c") if c not in temperature.columns]
    if missing:
        raise MeasuredInputError(f"the temperature series lacks column(s) {', '.join(missing)}")
    daily = temperature.select(pl.col("date").cast(pl.Date), pl.col("temp_c").cast(pl.Float64))
    if daily["date"].is_duplicated().any():
        raise MeasuredInputError("the temperature series has a day twice")
    if isinstance(base_c, Mapping):
        base = pl.col("date").dt.month().replace_strict(dict(base_c), return_dtype=pl.Float64)
    else:
        base = pl.lit(float(base_c))
    return (
        daily.drop_nulls("temp_c")
        .with_columns(
            pl.col("date").dt.truncate("1mo").alias("month"),
            (base - pl.col("temp_c")).clip(lower_bound=0.0).alias("degree_days"),
        )
        .group_by("month")
        .agg(pl.len().cast(pl.Int64).alias("days"), pl.col("degree_days").sum())
        .sort("month")
    )


@dataclass(frozen=True)
class Signature:
    base_kwh_per_day: float
    kwh_per_degree_day: float
    r2: float
    months: int

    def predict(self, days: np.ndarray, degree_days: np.ndarray) -> np.ndarray:
        return self.base_kwh_per_day * days + self.kwh_per_degree_day * degree_days


def energy_signature(days: np.ndarray, degree_days: np.ndarray, kwh: np.ndarray) -> Signature:
    design = np.column_stack([days, degree_days]).astype(float)
    coefficients, *_ = np.linalg.lstsq(design, kwh.astype(float), rcond=None)
    fitted = design @ coefficients
    spread = ((kwh - kwh.mean()) ** 2).sum()
    r2 = float(1.0 - ((kwh - fitted) ** 2).sum() / spread) if spread > 0 else 1.0
    return Signature(float(coefficients[0]), float(coefficients[1]), r2, len(kwh))


def weather_corrected_change(
    monthly: pl.DataFrame,
    degree_days_by_month: pl.DataFrame,
    start: date,
    *,
    baseline_months: int = BASELINE_MONTHS,
) -> tuple[pl.DataFrame, Signature | None, str | None]:
    """One category's monthly energy (columns month, kwh; kwh null = suppressed) against its
    weather-corrected baseline before `start`: (rows per calendar year, the signature, a flag
    when nothing could be computed)."""
    joined = (
        monthly.select(pl.col("month").cast(pl.Date), pl.col("kwh").cast(pl.Float64))
        .join(degree_days_by_month, on="month", how="left")
        .sort("month")
    )
    first_baseline = _add_months(start, -baseline_months)
    baseline = joined.filter(
        (pl.col("month") >= first_baseline) & (pl.col("month") < start)
    ).drop_nulls(["kwh", "degree_days"])
    if baseline.height < MIN_BASELINE_MONTHS:
        return _empty_years(), None, "baseline_too_short"
    if float(baseline["degree_days"].sum()) <= 0:
        return _empty_years(), None, "baseline_without_heating"
    signature = energy_signature(
        baseline["days"].to_numpy(), baseline["degree_days"].to_numpy(), baseline["kwh"].to_numpy()
    )
    same_months = set(baseline["month"].dt.month().to_list())
    after = joined.filter(pl.col("month") >= start).with_columns(
        pl.col("month").dt.year().alias("year"),
        pl.col("month").dt.month().is_in(list(same_months)).alias("comparable"),
    )
    suppressed = after.filter(pl.col("kwh").is_null() & pl.col("comparable"))
    usable = after.filter(pl.col("comparable")).drop_nulls(["kwh", "degree_days"])
    if usable.is_empty():
        return _empty_years(), signature, "no_months_after_start"
    usable = usable.with_columns(
        pl.Series(
            "counterfactual_kwh",
            signature.predict(usable["days"].to_numpy(), usable["degree_days"].to_numpy()),
        )
    )
    before = dict(
        baseline.select(pl.col("month").dt.month(), pl.col("kwh")).iter_rows()
    )  # calendar month -> kWh the year before
    before_dd = dict(baseline.select(pl.col("month").dt.month(), pl.col("degree_days")).iter_rows())
    usable = usable.with_columns(
        pl.col("month")
        .dt.month()
        .replace_strict(before, return_dtype=pl.Float64)
        .alias("before_kwh"),
        pl.col("month")
        .dt.month()
        .replace_strict(before_dd, return_dtype=pl.Float64)
        .alias("before_degree_days"),
    )
    years = (
        usable.group_by("year")
        .agg(
            pl.len().cast(pl.Int64).alias("months"),
            pl.col("kwh").sum().alias("actual_kwh"),
            pl.col("counterfactual_kwh").sum(),
            pl.col("before_kwh").sum(),
            pl.col("degree_days").sum(),
            pl.col("before_degree_days").sum().alias("baseline_degree_days"),
        )
        .join(
            suppressed.group_by("year").agg(pl.len().cast(pl.Int64).alias("suppressed_months")),
            on="year",
            how="left",
        )
        .with_columns(
            pl.col("suppressed_months").fill_null(0),
            (pl.col("actual_kwh") / pl.col("counterfactual_kwh") - 1.0).alias("realised_change"),
            (pl.col("actual_kwh") / pl.col("before_kwh") - 1.0).alias("uncorrected_change"),
        )
        .drop("before_kwh")
        .sort("year")
    )
    return years, signature, None


def _empty_years() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "year": pl.Int32,
            "months": pl.Int64,
            "actual_kwh": pl.Float64,
            "counterfactual_kwh": pl.Float64,
            "degree_days": pl.Float64,
            "baseline_degree_days": pl.Float64,
            "suppressed_months": pl.Int64,
            "realised_change": pl.Float64,
            "uncorrected_change": pl.Float64,
        }
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


METER_SCHEMA = {
    "action_id": pl.Utf8,
    "kpi_ref": pl.Utf8,
    "year": pl.Int64,
    "months": pl.Int64,
    "suppressed_months": pl.Int64,
    "actual_kwh": pl.Float64,
    "counterfactual_kwh": pl.Float64,
    "realised_change": pl.Float64,
    "uncorrected_change": pl.Float64,
    "expected_change": pl.Float64,
    "difference": pl.Float64,
    "degree_days": pl.Float64,
    "baseline_degree_days": pl.Float64,
    "base_kwh_per_day": pl.Float64,
    "kwh_per_degree_day": pl.Float64,
    "baseline_r2": pl.Float64,
    "flag": pl.Utf8,
}


def meter_results(
    portfolio: Portfolio,
    monthly_energy: pl.DataFrame,
    temperature: pl.DataFrame,
    *,
    base_c: float | Mapping[int, float] = HEATING_BASE_C,
    baseline_months: int = BASELINE_MONTHS,
) -> pl.DataFrame:
    """Every action with a meter KPI against the category's monthly energy (columns
    kundkategori, month, kwh; one row per category and month, consumption; kwh null where the
    mart suppressed it). An action whose category has no data gets one row with a flag."""
    missing = [c for c in ("kundkategori", "month", "kwh") if c not in monthly_energy.columns]
    if missing:
        raise MeasuredInputError(f"the monthly energy lacks column(s) {', '.join(missing)}")
    energy = monthly_energy.select(
        pl.col("kundkategori").cast(pl.Utf8),
        pl.col("month").cast(pl.Date),
        pl.col("kwh").cast(pl.Float64),
    )
    if energy.select(pl.struct("kundkategori", "month").is_duplicated().any()).item():
        raise MeasuredInputError("the monthly energy has a category and month twice")
    days = degree_days(temperature, base_c)
    frames = []
    for action in portfolio.actions:
        if action.kpi is None or action.kpi.kind != "mätare":
            continue
        series = energy.filter(pl.col("kundkategori") == action.kpi.ref).drop("kundkategori")
        years, signature, flag = weather_corrected_change(
            series, days, date(action.start_year, 1, 1), baseline_months=baseline_months
        )
        if flag is not None or years.is_empty():
            frames.append(
                pl.DataFrame(
                    [
                        {
                            "action_id": action.action_id,
                            "kpi_ref": action.kpi.ref,
                            "flag": flag or "no_data",
                        }
                    ],
                    schema=METER_SCHEMA,
                )
            )
            continue
        expected = [action.kpi.expected_for(int(y)) for y in years["year"]]
        frames.append(
            years.with_columns(
                pl.lit(action.action_id).alias("action_id"),
                pl.lit(action.kpi.ref).alias("kpi_ref"),
                pl.col("year").cast(pl.Int64),
                pl.Series("expected_change", expected, dtype=pl.Float64),
                pl.lit(signature.base_kwh_per_day).alias("base_kwh_per_day"),
                pl.lit(signature.kwh_per_degree_day).alias("kwh_per_degree_day"),
                pl.lit(signature.r2).alias("baseline_r2"),
                pl.lit(None, dtype=pl.Utf8).alias("flag"),
            )
            .with_columns(
                (pl.col("realised_change") - pl.col("expected_change")).alias("difference")
            )
            .select(list(METER_SCHEMA))
            .cast(METER_SCHEMA)
        )
    if not frames:
        return pl.DataFrame(schema=METER_SCHEMA)
    return pl.concat(frames).sort("action_id", "year", nulls_last=True)


REPORTED_SCHEMA = {
    "action_id": pl.Utf8,
    "kpi_kind": pl.Utf8,
    "kpi_ref": pl.Utf8,
    "year": pl.Int64,
    "expected_value": pl.Float64,
    "reported_value": pl.Float64,
    "difference": pl.Float64,
    "share_of_expected": pl.Float64,
}


def reported_results(portfolio: Portfolio, kpi_values: pl.DataFrame) -> pl.DataFrame:
    """Kolada and partner KPIs: kpi_values has columns kpi_kind (kolada | partner), kpi_ref,
    year, value, and partner_id for partner figures (a partner's figure answers only its own
    actions). One row per action and year with a reported value or an expected one."""
    missing = [c for c in ("kpi_kind", "kpi_ref", "year", "value") if c not in kpi_values.columns]
    if missing:
        raise MeasuredInputError(f"the KPI values lack column(s) {', '.join(missing)}")
    values = (
        kpi_values
        if "partner_id" in kpi_values.columns
        else kpi_values.with_columns(pl.lit(None, dtype=pl.Utf8).alias("partner_id"))
    )
    rows = []
    for action in portfolio.actions:
        kpi = action.kpi
        if kpi is None or kpi.kind not in ("kolada", "partner"):
            continue
        mine = values.filter((pl.col("kpi_kind") == kpi.kind) & (pl.col("kpi_ref") == kpi.ref))
        if kpi.kind == "partner":
            mine = mine.filter(pl.col("partner_id") == action.partner_id)
        reported = {
            int(y): float(v) for y, v in mine.select("year", "value").iter_rows() if v is not None
        }
        expected = dict(kpi.expected)
        for year in sorted(set(reported) | set(expected)):
            value, target = reported.get(year), expected.get(year)
            rows.append(
                {
                    "action_id": action.action_id,
                    "kpi_kind": kpi.kind,
                    "kpi_ref": kpi.ref,
                    "year": year,
                    "expected_value": target,
                    "reported_value": value,
                    "difference": None if value is None or target is None else value - target,
                    "share_of_expected": None if value is None or not target else value / target,
                }
            )
    return pl.DataFrame(rows, schema=REPORTED_SCHEMA)


TRACKING_SCHEMA = {
    "action_id": pl.Utf8,
    "title": pl.Utf8,
    "status": pl.Utf8,
    "percent_done": pl.Float64,
    "in_plan": pl.Boolean,
    "kpi_kind": pl.Utf8,
    "kpi_ref": pl.Utf8,
    "last_result_year": pl.Int64,
    "expected_value": pl.Float64,
    "realised_value": pl.Float64,
    "result_source": pl.Utf8,
    "flag": pl.Utf8,
}


def action_tracking(
    portfolio: Portfolio, meter: pl.DataFrame, reported: pl.DataFrame
) -> pl.DataFrame:
    """One row per action: its latest realised result beside the expected value, and a flag:
    no_kpi, completed_without_measured_result, or null."""
    latest: dict[str, tuple] = {}
    for row in meter.drop_nulls("realised_change").sort("year").iter_rows(named=True):
        latest[row["action_id"]] = (
            row["year"],
            row["expected_change"],
            row["realised_change"],
            "mätare (väderkorrigerad)",
        )
    for row in reported.drop_nulls("reported_value").sort("year").iter_rows(named=True):
        latest[row["action_id"]] = (
            row["year"],
            row["expected_value"],
            row["reported_value"],
            row["kpi_kind"],
        )
    rows = []
    for action in portfolio.actions:
        year, expected, realised, source = latest.get(action.action_id, (None, None, None, None))
        flag = None
        if action.kpi is None:
            flag = "no_kpi"
        if action.status == COMPLETED and realised is None:
            flag = "completed_without_measured_result"
        rows.append(
            {
                "action_id": action.action_id,
                "title": action.title,
                "status": action.status,
                "percent_done": action.percent_done,
                "in_plan": action.in_plan,
                "kpi_kind": action.kpi.kind if action.kpi else None,
                "kpi_ref": action.kpi.ref if action.kpi else None,
                "last_result_year": year,
                "expected_value": expected,
                "realised_value": realised,
                "result_source": source,
                "flag": flag,
            }
        )
    return pl.DataFrame(rows, schema=TRACKING_SCHEMA)
