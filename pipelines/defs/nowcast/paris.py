"""The probability that a kommun's trend stays within the Carbon Law path: the yes/no of the
trajectory code's carbon_law check (compute.py, annual_sum_comparison), with the uncertainty of
where the kommun stands now and of its trend.

Klimatkollen's check, from the as-of year a to the end year:
    trend(t)   = max(0, E_a + b (t - a))          the kommun's LAD trend through E_a
    allowed(t) = E_a (1 - r) ** (t - a)           the Carbon Law path from the same E_a
    on the path  <=>  sum trend(t) <= sum allowed(t)
with E_a the approximated emissions of the as-of year and b the LAD slope (2015 on).

Here both are drawn (Monte Carlo, `draws` pairs per kommun, a fixed seed):
- E_a from the nowcast's range for the as-of year: the quantile function through the 2.5, 10,
  50, 90 and 97.5 % points (lower_95, lower_80, the estimate, upper_80, upper_95), linear
  between them and continued with the outer segments' slopes beyond, floored at 0. This is the
  intervals' distribution (the ranges are conformal quantiles, so it adds no model of its own);
- b by a residual bootstrap of the LAD fit: the fitted line plus the fit's residuals resampled
  with replacement over the same years, refitted with the trajectory code's exact LAD.
The probability is the share of pairs on the path.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.defs.nowcast.model import TREND_START_YEAR
from pipelines.defs.nowcast.panel import NowcastInputError
from pipelines.defs.trajectory.lad import lad_fit

QUANTILE_POINTS = (0.025, 0.10, 0.50, 0.90, 0.975)
ANCHOR_COLUMNS = ("lower_95_t", "lower_80_t", "nowcast_t", "upper_80_t", "upper_95_t")
BATCH_ROWS = 20_000  # LAD rows per batch: (rows x pairs x years) floats stay ~100 MB
PROBABILITY_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "method": pl.Utf8,
    "as_of_year": pl.Int64,
    "reduction_rate": pl.Float64,
    "end_year": pl.Int64,
    "probability_on_path": pl.Float64,
    "meets_paris_central": pl.Boolean,
    "trend_sum_central_t": pl.Float64,
    "allowed_sum_central_t": pl.Float64,
    "trend_sum_p10_t": pl.Float64,
    "trend_sum_p90_t": pl.Float64,
    "draws": pl.Int64,
    "uncertainty": pl.Utf8,
}
UNCERTAINTY = (
    "Monte Carlo: as-of-year emissions from the nowcast's ranges (quantile function through "
    "2.5/10/50/90/97.5 %), LAD slope by residual bootstrap of the 2015- fit"
)


def anchor_quantile(u: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(K, D) values at probabilities u (K, D) of the piecewise-linear quantile function
    through `points` (K, 5) at QUANTILE_POINTS, extended linearly beyond, floored at 0."""
    p = np.asarray(QUANTILE_POINTS)
    segment = np.clip(np.searchsorted(p, u, side="right") - 1, 0, len(p) - 2)
    left_p, right_p = p[segment], p[segment + 1]
    rows = np.arange(points.shape[0])[:, None]
    left, right = points[rows, segment], points[rows, segment + 1]
    value = left + (right - left) * (u - left_p) / (right_p - left_p)
    return np.maximum(0.0, value)


def bootstrap_slopes(
    years: np.ndarray, values: np.ndarray, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The LAD slope per kommun (K,) and `draws` residual-bootstrap slopes (K, draws)."""
    present = ~np.isnan(values)
    if (present.sum(axis=1) < 2).any():
        raise NowcastInputError("a kommun has fewer than two years to fit its trend on")
    centre = np.full(len(values), float(years.max()))
    fit = lad_fit(years, values, present, centre)
    fitted = fit.intercept[:, None] + fit.slope[:, None] * (years[None, :] - centre[:, None])
    residuals = np.where(present, values - fitted, np.nan)
    k, t = values.shape
    slopes = np.empty((k, draws))
    for row in range(k):
        own = residuals[row][present[row]]
        picks = rng.choice(own, size=(draws, t), replace=True)
        synthetic = fitted[row][None, :] + picks
        mask = np.broadcast_to(present[row], synthetic.shape)
        for first in range(0, draws, BATCH_ROWS):
            chunk = slice(first, first + BATCH_ROWS)
            slopes[row, chunk] = lad_fit(
                years, synthetic[chunk], mask[chunk], np.full(len(synthetic[chunk]), centre[row])
            ).slope
    return fit.slope, slopes


def path_sums(
    anchor: np.ndarray, slope: np.ndarray, as_of: int, end_year: int, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Discrete sums of the trend and of the Carbon Law path over as_of..end_year (same shapes)."""
    offsets = np.arange(0, end_year - as_of + 1, dtype=float)
    trend = np.maximum(0.0, anchor[..., None] + slope[..., None] * offsets).sum(axis=-1)
    allowed = anchor * ((1.0 - rate) ** offsets).sum()
    return trend, allowed


def paris_path_probability(
    history: pl.DataFrame,
    anchors: pl.DataFrame,
    *,
    as_of_year: int,
    reduction_rate: float,
    end_year: int = 2050,
    method: str = "carbon_law",
    trend_start_year: int = TREND_START_YEAR,
    draws: int = 2000,
    seed: int = 2026,
) -> pl.DataFrame:
    """PROBABILITY_SCHEMA rows, one per kommun in both inputs.

    history: kommun_kod, year, tonnes: the SMHI totals the trend is fitted on (years >=
      trend_start_year up to the release's last are used).
    anchors: kommun_kod and ANCHOR_COLUMNS for the as-of year: the nowcast's total ('Alla') row
      of that year (or any estimate with ranges in the same columns).
    """
    missing = [c for c in ("kommun_kod", *ANCHOR_COLUMNS) if c not in anchors.columns]
    if missing:
        raise NowcastInputError(f"anchors: missing column(s) {', '.join(missing)}")
    window = history.filter(pl.col("year") >= trend_start_year).with_columns(
        pl.col("kommun_kod").cast(pl.Utf8)
    )
    kommuner = sorted(
        set(window.get_column("kommun_kod").to_list())
        & set(anchors.get_column("kommun_kod").cast(pl.Utf8).to_list())
    )
    if not kommuner:
        return pl.DataFrame(schema=PROBABILITY_SCHEMA)
    years = np.array(sorted(window.get_column("year").unique().to_list()), dtype=float)
    wide = (
        window.filter(pl.col("kommun_kod").is_in(kommuner))
        .pivot("year", index="kommun_kod", values="tonnes")
        .sort("kommun_kod")
    )
    values = wide.select([str(int(y)) for y in years]).to_numpy().astype(float)
    points = (
        anchors.with_columns(pl.col("kommun_kod").cast(pl.Utf8))
        .filter(pl.col("kommun_kod").is_in(kommuner))
        .sort("kommun_kod")
        .select(ANCHOR_COLUMNS)
        .to_numpy()
        .astype(float)
    )
    if len(points) != len(kommuner):
        raise NowcastInputError("anchors: more than one row per kommun")
    rng = np.random.default_rng(seed)
    slope, slopes = bootstrap_slopes(years, values, draws, rng)
    anchor_draws = anchor_quantile(rng.uniform(size=(len(kommuner), draws)), points)
    trend, allowed = path_sums(anchor_draws, slopes, as_of_year, end_year, reduction_rate)
    central_trend, central_allowed = path_sums(
        points[:, 2], slope, as_of_year, end_year, reduction_rate
    )
    n = len(kommuner)
    return pl.DataFrame(
        {
            "kommun_kod": kommuner,
            "method": [method] * n,
            "as_of_year": [as_of_year] * n,
            "reduction_rate": [reduction_rate] * n,
            "end_year": [end_year] * n,
            "probability_on_path": (trend <= allowed).mean(axis=1),
            "meets_paris_central": central_trend <= central_allowed,
            "trend_sum_central_t": central_trend,
            "allowed_sum_central_t": central_allowed,
            "trend_sum_p10_t": np.quantile(trend, 0.10, axis=1),
            "trend_sum_p90_t": np.quantile(trend, 0.90, axis=1),
            "draws": [draws] * n,
            "uncertainty": [UNCERTAINTY] * n,
        },
        schema=PROBABILITY_SCHEMA,
    )
