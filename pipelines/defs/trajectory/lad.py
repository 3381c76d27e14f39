"""Straight-line trend fits for many kommuner at once: exact LAD and OLS.

Both take the same layout: `years` (T,) shared by every kommun, `values` (K, T) and
`present` (K, T) marking which cells hold data (missing years are simply left out of the
fit, as Klimatkollen does for the 2016-2019 gap), and `centre` (K,), the year each line's
intercept is reported at (the kommun's last observed year). They return `LineFit`.

LAD (least absolute deviations) is the median regression Klimatkollen runs with
statsmodels QuantReg(q=0.5). QuantReg solves it iteratively (IRLS); here it is solved
exactly: the LAD objective is convex and piecewise linear, so an optimum is attained at a
vertex, a line through two of the data points. Every pair (i < j) is evaluated for every
kommun in one numpy expression and the pair with the smallest sum of |residuals| wins.

Tie rule. With integer years the optimum is not always unique: the objective can be flat
along a segment of lines (the LAD analogue of the median of an even sample). Then every
line between the smallest-slope and the largest-slope optimal vertex is optimal (the
optimal set is convex), and we return the midpoint of those two vertex lines: it is
itself optimal and symmetric (it favours neither a steeper nor a flatter reading). No rule
can reproduce QuantReg there: its IRLS stops at an arbitrary interior point of the flat
segment (between 28 % and 94 % of the way along it on the Dec 2024 data). Vertices count
as optimal when their objective is within `TIE_RTOL` of the minimum. `slope_low` and
`slope_high` report the optimal interval so callers can see a tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIE_RTOL = 1e-9  # relative; far above float noise of |residual| sums, far below real gaps


@dataclass(frozen=True)
class LineFit:
    slope: np.ndarray  # (K,) t per year
    intercept: np.ndarray  # (K,) fitted value at `centre`, before any anchoring
    n_points: np.ndarray  # (K,) number of years the fit used
    slope_low: np.ndarray  # (K,) smallest optimal slope (= slope unless tied)
    slope_high: np.ndarray  # (K,) largest optimal slope (= slope unless tied)

    @property
    def tied(self) -> np.ndarray:
        """(K,) True where the optimum is not unique (LAD on a flat segment)."""
        return self.slope_high - self.slope_low > 1e-12 * np.maximum(1.0, np.abs(self.slope))


def lad_fit(
    years: np.ndarray, values: np.ndarray, present: np.ndarray, centre: np.ndarray
) -> LineFit:
    """Exact least-absolute-deviations line per row (see the module docstring for ties)."""
    years, values, present, centre = _as_arrays(years, values, present, centre)
    slope, intercept = _pair_lines(years, values, present, centre)  # (K, P)
    objective = _abs_residual_sums(years, values, present, centre, slope, intercept)
    best = objective.min(axis=1, keepdims=True)
    optimal = objective <= best + TIE_RTOL * np.maximum(best, _scale(values, present))
    lo = np.where(optimal, slope, np.inf).argmin(axis=1)
    hi = np.where(optimal, slope, -np.inf).argmax(axis=1)
    rows = np.arange(len(values))
    fit_slope = 0.5 * (slope[rows, lo] + slope[rows, hi])
    fit_intercept = 0.5 * (intercept[rows, lo] + intercept[rows, hi])
    return _masked(
        LineFit(fit_slope, fit_intercept, present.sum(axis=1), slope[rows, lo], slope[rows, hi])
    )


def ols_fit(
    years: np.ndarray, values: np.ndarray, present: np.ndarray, centre: np.ndarray
) -> LineFit:
    """Least squares line per row, the same line as np.polyfit(x, y, 1) on the present years."""
    years, values, present, centre = _as_arrays(years, values, present, centre)
    weight = present.astype(float)
    n = weight.sum(axis=1)
    x = years[None, :] - centre[:, None]  # centred: polyfit's precision without its loop
    y = np.where(present, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = (weight * x).sum(axis=1) / n
        y_mean = (weight * y).sum(axis=1) / n
        dx = np.where(present, x - x_mean[:, None], 0.0)
        slope = (dx * (y - y_mean[:, None])).sum(axis=1) / (dx * dx).sum(axis=1)
    intercept = y_mean - slope * x_mean
    return _masked(LineFit(slope, intercept, n.astype(int), slope, slope))


def _as_arrays(years, values, present, centre):
    return (
        np.asarray(years, dtype=float),
        np.asarray(values, dtype=float),
        np.asarray(present, dtype=bool),
        np.asarray(centre, dtype=float),
    )


def _pair_lines(years, values, present, centre) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept-at-centre of the line through each pair of present points;
    pairs with a missing end get NaN."""
    i, j = np.triu_indices(len(years), k=1)
    both = present[:, i] & present[:, j]
    slope = (values[:, j] - values[:, i]) / (years[j] - years[i])
    intercept = values[:, i] + slope * (centre[:, None] - years[i])
    return np.where(both, slope, np.nan), np.where(both, intercept, np.nan)


def _abs_residual_sums(years, values, present, centre, slope, intercept) -> np.ndarray:
    """(K, P) sum over present years of |y - line|; +inf for pairs that are not lines."""
    x = years[None, None, :] - centre[:, None, None]
    residual = values[:, None, :] - intercept[:, :, None] - slope[:, :, None] * x
    total = np.where(present[:, None, :], np.abs(residual), 0.0).sum(axis=2)
    return np.where(np.isnan(slope), np.inf, total)


def _scale(values, present) -> np.ndarray:
    """Row magnitude for the tie tolerance, so rows of zeros still get a sane tolerance."""
    return np.where(present, np.abs(values), 0.0).sum(axis=1, keepdims=True) + 1.0


def _masked(fit: LineFit) -> LineFit:
    """Rows with fewer than two points get NaN (callers reject them with a named error)."""
    short = fit.n_points < 2

    def blank(a: np.ndarray) -> np.ndarray:
        return np.where(short, np.nan, a)

    return LineFit(
        blank(fit.slope),
        blank(fit.intercept),
        fit.n_points,
        blank(fit.slope_low),
        blank(fit.slope_high),
    )
