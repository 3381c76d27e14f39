"""Ranges for the nowcast: split-conformal intervals on relative errors.

The score of an estimate is its relative error |actual - estimate| / estimate. Over a
calibration set of n out-of-sample scores, the ceil((n + 1) * level)-th smallest is q, and the
interval is estimate * (1 -/+ q), the lower end floored at 0. If the scored kommun is
exchangeable with the calibration kommuner, the interval covers its actual value with
probability at least `level` (Vovk et al.; Lei et al. 2018): calibrated by construction, with
no distribution assumed.

Calibration sets:
- in a backtest, each kommun's q comes from the OTHER kommuner's scores on the same origin
  (leave one kommun out): its own actual never sets its own range;
- for the nowcast itself, q comes from every kommun's scores on the newest backtest origin of
  the same gas (a later year than any it was fitted on).
The backtest only scores one year ahead with Sweden's figure for that year (configuration
n=1, m=0) and one year ahead without it (n=0, m=1; n = years covered by Sweden's figures,
m = years carried by the kommun's trend). Other configurations (two years ahead) scale the
nearest backtested q by how much wider the release's own history says they are
(`history_inflation`): the same relative-error quantiles, computed inside the release.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pipelines.defs.nowcast.model import (
    TREND_START_YEAR,
    NowcastParameters,
    forecast,
    sector_slopes,
)
from pipelines.defs.nowcast.panel import NationalSeries, SectorPanel, sums_as_national

LEVELS = (0.80, 0.95)
SCORE_FLOOR_T = 1.0  # sector estimates of 0 t: score against 1 t instead of dividing by zero
# Sector ranges are calibrated within size classes of the sector's estimate (Mondrian conformal):
# a sector of a few tonnes moves by multiples of itself, a large plant's by a few per cent, and
# one pooled quantile would give the plant the small sectors' range. Quartiles of the
# calibration kommuner's estimates: about 72 scores per class for 290 kommuner.
SECTOR_SIZE_CLASSES = 4


def relative_scores(actual: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    return np.abs(actual - estimate) / np.maximum(estimate, SCORE_FLOOR_T)


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest score; +inf when n is too small for `level`."""
    ordered = np.sort(np.asarray(scores, float))
    rank = math.ceil((len(ordered) + 1) * level)
    return float(ordered[rank - 1]) if rank <= len(ordered) else math.inf


def leave_one_out_quantiles(scores: np.ndarray, level: float) -> np.ndarray:
    """(n,) for each i, conformal_quantile of every score but the i-th (n - 1 of them)."""
    scores = np.asarray(scores, float)
    n = len(scores)
    rank = math.ceil(n * level)  # ceil(((n - 1) + 1) * level) among the n - 1 others
    if rank > n - 1:
        return np.full(n, math.inf)
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    position = np.empty(n, int)
    position[order] = np.arange(n)
    # Without i, the rank-th smallest of the rest is the rank-th overall if i sits after it,
    # else the (rank + 1)-th overall.
    return np.where(position >= rank, ordered[rank - 1], ordered[rank])


def bounds(estimate: np.ndarray, q: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    q = np.asarray(q, float)
    return np.maximum(0.0, estimate * (1.0 - q)), estimate * (1.0 + q)


def configuration(national_years: int, trend_years: int) -> str:
    return f"n{national_years}_m{trend_years}"


@dataclass(frozen=True)
class Calibration:
    """Scores of one backtest origin, by configuration: kommun totals and each sector's."""

    gas: str
    source: str  # what the scores come from, for every row that uses them
    totals: dict[str, np.ndarray]  # configuration -> (K,) scores of kommun totals
    sectors: dict[str, np.ndarray]  # configuration -> (K, S) scores of sector estimates
    sector_estimates: dict[str, np.ndarray]  # configuration -> (K, S) the scored estimates
    inflation: dict[tuple[str, float], float] = field(default_factory=dict)

    def q(self, config: str, level: float) -> tuple[float, str]:
        """q for kommun totals in `config`, and how it was obtained."""
        base, _, how = self._base(config, level)
        return max(
            conformal_quantile(self.totals[base], inner) * self._base(config, inner)[1]
            for inner in nested_levels(level)
        ), how

    def sector_q(
        self, config: str, level: float, sector: int, estimates: np.ndarray
    ) -> tuple[np.ndarray, str]:
        """(K,) q for sector estimates, each from the calibration scores of its size class."""
        base, _, how = self._base(config, level)
        scored = self.sector_estimates[base][:, sector]
        scores = self.sectors[base][:, sector]
        edges = np.quantile(scored, np.linspace(0, 1, SECTOR_SIZE_CLASSES + 1)[1:-1])
        own_class = np.searchsorted(edges, scored, side="right")
        per_class = np.max(
            [
                np.array(
                    [
                        conformal_quantile(scores[own_class == c], inner)
                        for c in range(len(edges) + 1)
                    ]
                )
                * self._base(config, inner)[1]
                for inner in nested_levels(level)
            ],
            axis=0,
        )
        return per_class[np.searchsorted(edges, estimates, side="right")], (
            f"{how}, within the size quartile of the sector's estimate"
        )

    def _base(self, config: str, level: float) -> tuple[str, float, str]:
        if config in self.totals:
            return config, 1.0, f"{self.source}, {config}"
        base = nearest_backtested(config)
        factor = self.inflation.get((config, level))
        if factor is None:
            raise KeyError(f"no history inflation for {config} at {level}")
        how = f"{self.source}, {base}, widened x{factor:.2f} to {config} by the release's history"
        return base, factor, how


def nested_levels(level: float) -> tuple[float, ...]:
    """The levels whose q bound `level`'s from below. A widened configuration scales each level's
    q by its own history factor; where a size class's 80 % and 95 % quantiles coincide, a larger
    80 % factor would make the 80 % range the wider one. q at a level is therefore the largest
    widened q of every level up to it, so that the 95 % range always holds the 80 % range."""
    return tuple(inner for inner in LEVELS if inner <= level)


def nearest_backtested(config: str) -> str:
    """n1_m0 when Sweden's figures cover at least one year, else n0_m1."""
    national_years = int(config.split("_")[0][1:])
    return configuration(1, 0) if national_years >= 1 else configuration(0, 1)


def history_inflation(
    panel: SectorPanel,
    parameters: NowcastParameters,
    configs: list[str],
    start: int = TREND_START_YEAR,
) -> dict[tuple[str, float], float]:
    """For each configuration and level: the in-release quantile of relative total errors over
    that of its nearest backtested configuration (>= 1: a longer horizon is never narrower)."""
    sums = sums_as_national(panel)
    wanted = {*configs, *(nearest_backtested(c) for c in configs)}
    scores = {c: in_release_scores(panel, parameters, sums, c, start) for c in wanted}
    out = {}
    for config in configs:
        base = nearest_backtested(config)
        for level in LEVELS:
            if not len(scores[config]) or not len(scores[base]):
                continue
            ratio = conformal_quantile(scores[config], level) / conformal_quantile(
                scores[base], level
            )
            out[(config, level)] = max(1.0, ratio)
    return out


def in_release_scores(
    panel: SectorPanel,
    parameters: NowcastParameters,
    sums: NationalSeries,
    config: str,
    start: int = TREND_START_YEAR,
) -> np.ndarray:
    """Relative total errors of the nowcast inside the release for one configuration: every
    origin year with the trend window behind it and the target year in the release."""
    national_years, trend_years = (int(p[1:]) for p in config.split("_"))
    horizon = national_years + trend_years
    out = []
    for origin in panel.years:
        origin = int(origin)
        target = origin + horizon
        trend_points = ((panel.years >= start) & (panel.years <= origin)).sum()
        if trend_points < 2 or not panel.has(target):
            continue
        if not all(panel.has(y) for y in range(origin, origin + national_years + 1)):
            continue
        truncated = _national_until(sums, origin + national_years)
        step = forecast(
            panel,
            parameters,
            truncated,
            target,
            base_year=origin,
            start=start,
            slopes=sector_slopes(panel, origin, start),
        )
        out.append(relative_scores(panel.total_at(target), step.totals))
    return np.concatenate(out) if out else np.array([])


def _national_until(national: NationalSeries, last_year: int) -> NationalSeries:
    keep = [y for y in national.tonnes if y <= last_year]
    return NationalSeries(
        national.gas,
        national.vintage,
        national.sectors,
        {y: national.tonnes[y] for y in keep},
        {y: national.kinds[y] for y in keep},
        {y: national.notes[y] for y in keep},
    )
