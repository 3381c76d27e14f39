"""The nowcast's point estimate, per kommun and main sector, for a year after the release's last.

For kommun k, sector s, the release's last year L and a target year T:

    A_s  = the last year up to T for which Sweden's figure for s is published (L if none)
    R_s  = N_s(A_s) / N_s(L)                    Sweden's change in s (1 when N_s(L) is 0)
    b_ks = the LAD slope of k's own series for s, 2015..L (the trajectory code's exact LAD)
    nowcast_ks(T) = max(0, x_ks(L) * R_s ** alpha_s + phi_s * b_ks * (T - A_s))

So the kommun's own last value by sector carries the estimate; Sweden's change in the sector
moves it for the years Sweden has published; the kommun's own trend, damped, carries it over
the years Sweden has not. alpha_s (how strongly a kommun's sector follows Sweden's, in [0, 1])
and phi_s (how much of the kommun's own trend persists, in [0, 1]) are pooled over every kommun
and fitted on the release's own history only: each consecutive pair of years (L', L'+1) inside
the release with L' >= 2016 is a step whose "national" change is the release's own kommun sum.
Nothing from a later release, and so nothing a backtest scores, enters a parameter.

Why alpha <= 1: Sweden's figure is the sum of its kommuner, so the tonne-weighted mean of the
kommuner's changes is Sweden's change; a pooled elasticity above 1 would claim every kommun
moves more than the sum. Below 1 means the sector's national change is carried by a few large
emitters (industry, district heating) and a typical kommun moves less. The fit picks, per
sector, the grid value with the least absolute error in tonnes (ties: alpha nearest 1, phi
nearest 0, i.e. towards plain scaling and plain persistence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.defs.nowcast.panel import (
    NationalSeries,
    NowcastInputError,
    SectorPanel,
    sums_as_national,
)
from pipelines.defs.trajectory.lad import lad_fit
from sources.national_emissions import PLACEHOLDER, STATISTIC

TREND_START_YEAR = 2015  # Klimatkollen's trend window starts here (methods.md §3.1)
ALPHA_GRID = np.round(np.linspace(1.0, 0.0, 21), 2)  # descending: ties go to alpha nearest 1
PHI_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)  # ascending: ties go to phi nearest 0
NO_NATIONAL = "none"


@dataclass(frozen=True)
class NowcastParameters:
    gas: str
    sectors: tuple[str, ...]
    alpha: np.ndarray  # (S,) elasticity of a kommun's sector to Sweden's change in it
    phi: np.ndarray  # (S,) share of the kommun's own yearly trend carried per year
    fitted_on: str  # which release and which history steps

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "gas": [self.gas] * len(self.sectors),
                "huvudsektor": list(self.sectors),
                "alpha": self.alpha.tolist(),
                "phi": self.phi.tolist(),
                "fitted_on": [self.fitted_on] * len(self.sectors),
            }
        )


@dataclass(frozen=True)
class SectorForecast:
    """The estimate for one target year, with what it rests on."""

    target_year: int
    values: np.ndarray  # (K, S) tonnes
    national_to: np.ndarray  # (S,) the last year of Sweden's figures used (the base year if none)
    national_kind: str  # 'statistic', 'placeholder' (any used figure is one) or 'none'
    base_year: int

    @property
    def totals(self) -> np.ndarray:
        return self.values.sum(axis=1)

    @property
    def national_years(self) -> int:
        """Years covered by Sweden's figures for every sector (the configuration's n)."""
        return int((self.national_to - self.base_year).min())

    @property
    def trend_years(self) -> int:
        """Years carried by the kommun's own trend alone (the configuration's m)."""
        return self.target_year - self.base_year - self.national_years


# ---------------------------------------------------------------- building blocks


def sector_slopes(panel: SectorPanel, last_year: int, start: int = TREND_START_YEAR) -> np.ndarray:
    """(K, S) LAD slopes of each kommun's sector series over the release's years start..last_year;
    0 where fewer than two years are there."""
    window = (panel.years >= start) & (panel.years <= last_year)
    k, s, _ = panel.values.shape
    values = panel.values[:, :, window].reshape(k * s, -1)
    if values.shape[1] < 2:
        return np.zeros((k, s))
    fit = lad_fit(
        panel.years[window].astype(float),
        values,
        ~np.isnan(values),
        np.full(k * s, float(last_year)),
    )
    return np.nan_to_num(fit.slope.reshape(k, s), nan=0.0)


def national_ratio(national: NationalSeries, base_year: int, year: int) -> np.ndarray:
    """(S,) Sweden's figure in `year` over `base_year`; NaN where either is missing; 1 where the
    base is 0 (nothing to scale from: the kommun's value is then carried unchanged)."""
    if base_year not in national.tonnes or year not in national.tonnes:
        return np.full(len(national.sectors), np.nan)
    base, now = national.tonnes[base_year], national.tonnes[year]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = now / base
    return np.where(base > 0, ratio, np.where(np.isnan(now) | np.isnan(base), np.nan, 1.0))


def national_reach(
    national: NationalSeries | None, base_year: int, target_year: int, n_sectors: int
) -> tuple[np.ndarray, str]:
    """(S,) the last year up to `target_year` from which Sweden's figures run unbroken from
    `base_year`, and the kind of the figures used."""
    reach = np.full(n_sectors, base_year)
    if national is None or not national.known(base_year).any():
        return reach, NO_NATIONAL
    open_ = national.known(base_year).copy()
    kinds = set()
    for year in range(base_year + 1, target_year + 1):
        open_ &= national.known(year)
        reach = np.where(open_, year, reach)
        if open_.any():
            kinds.add(national.kinds.get(year, STATISTIC))
    if not kinds:
        return reach, NO_NATIONAL
    return reach, PLACEHOLDER if PLACEHOLDER in kinds else STATISTIC


def scaled(x: np.ndarray, ratio: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """x * ratio ** alpha, with ratio 1 where it is unknown."""
    return x * np.where(np.isnan(ratio), 1.0, ratio) ** alpha


# ---------------------------------------------------------------- fitting


@dataclass(frozen=True)
class HistoryStep:
    origin: int
    x: np.ndarray  # (K, S) the origin year
    y: np.ndarray  # (K, S) the next year
    ratio: np.ndarray  # (S,) the release's own kommun sums, next year over origin year
    slope: np.ndarray  # (K, S) LAD slope up to the origin year


def history_steps(panel: SectorPanel, start: int = TREND_START_YEAR) -> list[HistoryStep]:
    """Every consecutive pair of years in the release whose first year has a trend of two or
    more years behind it."""
    sums = sums_as_national(panel)
    steps = []
    for origin in panel.years[:-1]:
        origin = int(origin)
        if (
            not panel.has(origin + 1)
            or ((panel.years >= start) & (panel.years <= origin)).sum() < 2
        ):
            continue
        steps.append(
            HistoryStep(
                origin,
                panel.at(origin),
                panel.at(origin + 1),
                national_ratio(sums, origin, origin + 1),
                sector_slopes(panel, origin, start),
            )
        )
    return steps


def fit_parameters(panel: SectorPanel, start: int = TREND_START_YEAR) -> NowcastParameters:
    """alpha and phi per sector from the release's own history (module docstring)."""
    steps = history_steps(panel, start)
    if not steps:
        raise NowcastInputError(
            f"release {panel.vintage} ({panel.gas}): no two consecutive years from {start + 1} "
            "to fit the nowcast on"
        )
    n_sectors = len(panel.sectors)
    alpha, phi = np.ones(n_sectors), np.zeros(n_sectors)
    for s in range(n_sectors):
        alpha_error = [
            sum(np.abs(scaled(st.x[:, s], st.ratio[s], a) - st.y[:, s]).sum() for st in steps)
            for a in ALPHA_GRID
        ]
        alpha[s] = ALPHA_GRID[int(np.argmin(alpha_error))]
        phi_error = [
            sum(
                np.abs(np.maximum(0.0, st.x[:, s] + f * st.slope[:, s]) - st.y[:, s]).sum()
                for st in steps
            )
            for f in PHI_GRID
        ]
        phi[s] = PHI_GRID[int(np.argmin(phi_error))]
    origins = [st.origin for st in steps]
    fitted_on = (
        f"SMHI release {panel.vintage} ({panel.gas}), its own one-year steps "
        f"{origins[0]}->{origins[0] + 1} .. {origins[-1]}->{origins[-1] + 1} "
        f"({len(steps)} steps x {len(panel.kommuner)} kommuner)"
    )
    return NowcastParameters(panel.gas, panel.sectors, alpha, phi, fitted_on)


# ---------------------------------------------------------------- forecasting


def forecast(
    panel: SectorPanel,
    parameters: NowcastParameters,
    national: NationalSeries | None,
    target_year: int,
    *,
    base_year: int | None = None,
    start: int = TREND_START_YEAR,
    slopes: np.ndarray | None = None,
) -> SectorForecast:
    """The estimate for `target_year` from the release's `base_year` (default: its last)."""
    base = panel.last_year if base_year is None else base_year
    if target_year <= base:
        raise NowcastInputError(f"target year {target_year} is not after the base year {base}")
    if parameters.sectors != panel.sectors:
        raise NowcastInputError("parameters and release list different sectors")
    x = panel.at(base)
    slope = sector_slopes(panel, base, start) if slopes is None else slopes
    reach, kind = national_reach(national, base, target_year, len(panel.sectors))
    ratio = np.ones(len(panel.sectors))
    if national is not None:
        for s, year in enumerate(reach):
            if year > base:
                ratio[s] = national_ratio(national, base, int(year))[s]
    values = np.maximum(
        0.0,
        scaled(x, ratio, parameters.alpha)
        + parameters.phi * slope * (target_year - reach)[None, :],
    )
    return SectorForecast(target_year, values, reach, kind, base)
