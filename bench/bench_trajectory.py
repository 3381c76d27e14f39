"""Time the vectorised trajectory core against a per-kommun QuantReg loop.

    python -m bench.bench_trajectory [--repeat N]

Input: tests/fixtures/tdp_bf20c58_co2e_totals.csv (290 kommuner, June 2026 release).
(a) compute_trajectories for every preset in the seed over all 290 kommuner, N times.
(b) what Klimatkollen's pipeline does for the LAD presets: per kommun, statsmodels
    QuantReg(q=0.5) on the years >= the trend start with x centred on the last year,
    the anchored trend, the Carbon Law path and the per-year sums; N times.
The like-for-like ratio is (b) over (a) restricted to the same LAD presets. No assertions:
the numbers are printed for a person to judge (targets: (a) < 1 s, ratio >= 20x).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import load_presets

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tdp_bf20c58_co2e_totals.csv"
)
AS_OF_YEAR = 2026


def median_seconds(work, repeat: int) -> float:
    work()  # warm-up: imports, polars thread pool
    laps = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        laps.append(time.perf_counter() - started)
    return statistics.median(laps)


def vectorised(emissions: pl.DataFrame, presets) -> None:
    for preset in presets:
        compute_trajectories(emissions, preset, AS_OF_YEAR)


def per_kommun_arrays(
    emissions: pl.DataFrame, trend_start_year: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(years, tonnes) per kommun from the trend start: prepared once, outside the timing,
    so (b) measures the fitting and the sums rather than data frame slicing."""
    fitted = emissions.filter(pl.col("year") >= trend_start_year).sort("kommun_kod", "year")
    return [
        (rows["year"].to_numpy(), rows["tonnes"].to_numpy())
        for rows in fitted.partition_by("kommun_kod")
    ]


def quantreg_loop(series_by_preset) -> None:
    """One kommun at a time, as Klimatkollen's territorial-data-pipeline does."""
    import statsmodels.api as sm

    for preset, series in series_by_preset:
        years_ahead = np.arange(AS_OF_YEAR, preset.end_year + 1)
        for x, y in series:
            last_year, last_value = x[-1], y[-1]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.QuantReg(y, sm.add_constant(x - last_year)).fit(q=0.5)
            slope = fit.params[1]
            trend = np.maximum(last_value + slope * (years_ahead - last_year), 0.0)
            carbon_law = trend[0] * (1 - preset.reduction_rate) ** (years_ahead - AS_OF_YEAR)
            _ = (
                trend.sum(),
                carbon_law.sum(),
                last_year - last_value / slope if slope < 0 else None,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    emissions = pl.read_csv(FIXTURE, schema_overrides={"kommun_kod": pl.Utf8})
    presets = list(load_presets().values())
    lad_presets = [
        p for p in presets if p.kind == "carbon_law"
    ]  # fixed_rate_path has one kommun only
    kommuner = emissions["kommun_kod"].n_unique()

    all_presets = median_seconds(lambda: vectorised(emissions, presets), args.repeat)
    lad_vectorised = median_seconds(lambda: vectorised(emissions, lad_presets), args.repeat)
    series = [(p, per_kommun_arrays(emissions, p.trend_start_year)) for p in lad_presets]
    lad_loop = median_seconds(lambda: quantreg_loop(series), max(args.repeat // 2, 3))

    print(f"input: {FIXTURE.name}, {kommuner} kommuner, as of {AS_OF_YEAR}")
    print(
        f"(a)  vectorised, all {len(presets)} presets ({', '.join(p.method for p in presets)}): "
        f"{all_presets * 1000:8.1f} ms  (median of {args.repeat})"
    )
    print(
        f"(a') vectorised, LAD presets ({', '.join(p.method for p in lad_presets)}):  "
        f"{lad_vectorised * 1000:8.1f} ms"
    )
    print(f"(b)  per-kommun QuantReg loop, same LAD presets:          {lad_loop * 1000:8.1f} ms")
    print(
        f"ratio (b)/(a'): {lad_loop / lad_vectorised:6.1f}x   target >= 20x;  (a) under 1 s: "
        f"{all_presets < 1.0}"
    )


if __name__ == "__main__":
    main()
