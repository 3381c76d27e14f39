"""The nowcast's inputs as dense arrays: one SMHI release by kommun x main sector x year, and the
national series by main sector.

A release comes in as a long frame (kommun_kod, huvudsektor, year, tonnes), main sectors under
their canonical names (sources/smhi.py's sector seed) and optionally the kommun total as
huvudsektor 'Alla'. Without 'Alla' rows the total is the sum of the sectors. The national series
comes in as sources/national_emissions.py's frame (huvudsektor, gas, year, tonnes, value_kind,
provenance_note) plus the vintage it was fetched as.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sources.national_emissions import PLACEHOLDER, SECTORS, STATISTIC

MAIN_SECTORS: tuple[str, ...] = tuple(sorted(SECTORS.values()))
TOTAL = "Alla"


class NowcastInputError(ValueError):
    """Inputs the nowcast cannot be computed on; the message names the rows."""


@dataclass(frozen=True)
class SectorPanel:
    """One release: values[k, s, y] in tonnes (NaN where the release has no such year)."""

    gas: str
    vintage: str  # the release, e.g. '2026-04-23'
    kommuner: np.ndarray  # (K,) kommun codes, sorted
    sectors: tuple[str, ...]  # (S,) MAIN_SECTORS
    years: np.ndarray  # (Y,) the release's years, ascending (gaps allowed: 2016-2019 in 2026)
    values: np.ndarray  # (K, S, Y)
    totals: np.ndarray  # (K, Y) the release's kommun totals ('Alla'), else the sector sums

    @property
    def last_year(self) -> int:
        return int(self.years[-1])

    def index(self, year: int) -> int:
        hits = np.flatnonzero(self.years == year)
        if not len(hits):
            raise NowcastInputError(f"release {self.vintage} ({self.gas}) has no year {year}")
        return int(hits[0])

    def at(self, year: int) -> np.ndarray:
        """(K, S) tonnes in `year`."""
        return self.values[:, :, self.index(year)]

    def total_at(self, year: int) -> np.ndarray:
        return self.totals[:, self.index(year)]

    def has(self, year: int) -> bool:
        return bool((self.years == year).any())

    def restrict(self, kommuner: np.ndarray) -> SectorPanel:
        """The same release for `kommuner` only (sorted, all present)."""
        rows = np.searchsorted(self.kommuner, kommuner)
        if not np.array_equal(self.kommuner[rows], kommuner):
            raise NowcastInputError(f"release {self.vintage}: not every asked kommun is in it")
        return SectorPanel(
            self.gas,
            self.vintage,
            kommuner,
            self.sectors,
            self.years,
            self.values[rows],
            self.totals[rows],
        )


def sector_panel(frame: pl.DataFrame, *, gas: str, vintage: str) -> SectorPanel:
    """A long release frame to a SectorPanel; every kommun needs every main sector every year."""
    missing = [c for c in ("kommun_kod", "huvudsektor", "year", "tonnes") if c not in frame.columns]
    if missing:
        raise NowcastInputError(f"release {vintage}: missing column(s) {', '.join(missing)}")
    frame = frame.select(
        pl.col("kommun_kod").cast(pl.Utf8).str.zfill(4),
        pl.col("huvudsektor").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        pl.col("tonnes").cast(pl.Float64),
    )
    bad = frame.filter(
        pl.any_horizontal(pl.all().is_null()) | pl.col("tonnes").is_nan() | (pl.col("tonnes") < 0)
    )
    if bad.height:
        raise NowcastInputError(f"release {vintage}: empty or negative value, e.g. {bad.row(0)}")
    unknown = set(frame.get_column("huvudsektor").unique()) - {*MAIN_SECTORS, TOTAL}
    if unknown:
        raise NowcastInputError(f"release {vintage}: unknown main sector(s) {sorted(unknown)}")
    duplicated = frame.filter(pl.struct("kommun_kod", "huvudsektor", "year").is_duplicated())
    if duplicated.height:
        raise NowcastInputError(f"release {vintage}: duplicate rows, e.g. {duplicated.row(0)}")
    sectors = frame.filter(pl.col("huvudsektor") != TOTAL)
    kommuner = np.sort(sectors.get_column("kommun_kod").unique().to_numpy().astype(str))
    years = np.sort(sectors.get_column("year").unique().to_numpy())
    expected = len(kommuner) * len(MAIN_SECTORS) * len(years)
    if sectors.height != expected:
        raise NowcastInputError(
            f"release {vintage}: {sectors.height} sector rows, expected {expected} "
            f"({len(kommuner)} kommuner x {len(MAIN_SECTORS)} main sectors x {len(years)} years)"
        )
    values = np.full((len(kommuner), len(MAIN_SECTORS), len(years)), np.nan)
    k = np.searchsorted(kommuner, sectors.get_column("kommun_kod").to_numpy().astype(str))
    s = np.searchsorted(np.array(MAIN_SECTORS), sectors.get_column("huvudsektor").to_numpy())
    y = np.searchsorted(years, sectors.get_column("year").to_numpy())
    values[k, s, y] = sectors.get_column("tonnes").to_numpy()
    totals = values.sum(axis=1)
    alla = frame.filter(pl.col("huvudsektor") == TOTAL)
    if alla.height:
        ka = np.searchsorted(kommuner, alla.get_column("kommun_kod").to_numpy().astype(str))
        ya = np.searchsorted(years, alla.get_column("year").to_numpy())
        known = (ka < len(kommuner)) & (ya < len(years))
        totals[ka[known], ya[known]] = alla.get_column("tonnes").to_numpy()[known]
    return SectorPanel(gas, vintage, kommuner, MAIN_SECTORS, years, values, totals)


def common_kommuner(*panels: SectorPanel) -> np.ndarray:
    """The kommuner every panel has (a backtest scores only these)."""
    codes = set(panels[0].kommuner.tolist())
    for panel in panels[1:]:
        codes &= set(panel.kommuner.tolist())
    return np.array(sorted(codes))


# ---------------------------------------------------------------- the national series


@dataclass(frozen=True)
class NationalSeries:
    """Sweden by main sector for one gas: tonnes[s, year], with what each figure is."""

    gas: str
    vintage: str  # when the series was published or fetched, e.g. '2026-01-25'
    sectors: tuple[str, ...]
    tonnes: dict[int, np.ndarray]  # year -> (S,) tonnes, NaN where the table has '..'
    kinds: dict[int, str]  # year -> 'statistic' | 'placeholder' (the worst of the year's cells)
    notes: dict[int, str]  # year -> provenance note of the year's cells

    def known(self, year: int) -> np.ndarray:
        """(S,) True where the sector has a figure for `year`."""
        values = self.tonnes.get(year)
        return np.zeros(len(self.sectors), bool) if values is None else ~np.isnan(values)


def national_series(frame: pl.DataFrame, *, gas: str, vintage: str) -> NationalSeries:
    """sources/national_emissions.py's frame (rows of other gases are ignored)."""
    missing = [c for c in ("huvudsektor", "gas", "year", "tonnes") if c not in frame.columns]
    if missing:
        raise NowcastInputError(f"national series: missing column(s) {', '.join(missing)}")
    if "value_kind" not in frame.columns:
        frame = frame.with_columns(value_kind=pl.lit(STATISTIC))
    if "provenance_note" not in frame.columns:
        frame = frame.with_columns(provenance_note=pl.lit(""))
    rows = frame.filter(pl.col("gas") == gas)
    unknown = set(rows.get_column("huvudsektor").unique()) - set(MAIN_SECTORS)
    if unknown:
        raise NowcastInputError(f"national series: unknown main sector(s) {sorted(unknown)}")
    if rows.filter(pl.struct("huvudsektor", "year").is_duplicated()).height:
        raise NowcastInputError(f"national series ({gas}): duplicate sector-year rows")
    tonnes: dict[int, np.ndarray] = {}
    kinds: dict[int, str] = {}
    notes: dict[int, str] = {}
    for (year,), part in rows.group_by(["year"], maintain_order=True):
        values = np.full(len(MAIN_SECTORS), np.nan)
        for sector, value in part.select("huvudsektor", "tonnes").iter_rows():
            if value is not None:
                values[MAIN_SECTORS.index(sector)] = value
        tonnes[int(year)] = values
        kinds[int(year)] = (
            PLACEHOLDER if (part.get_column("value_kind") == PLACEHOLDER).any() else STATISTIC
        )
        notes[int(year)] = "; ".join(sorted(set(part.get_column("provenance_note").to_list())))
    return NationalSeries(gas, vintage, MAIN_SECTORS, tonnes, kinds, notes)


def sums_as_national(panel: SectorPanel) -> NationalSeries:
    """A release's own kommun sums as its national series: what the model's history steps use
    (every year the release has, each known by then to the national inventory)."""
    sums = panel.values.sum(axis=0)  # (S, Y)
    years = [int(y) for y in panel.years]
    note = f"sum of the kommuner of release {panel.vintage}"
    return NationalSeries(
        panel.gas,
        panel.vintage,
        panel.sectors,
        {y: sums[:, i] for i, y in enumerate(years)},
        dict.fromkeys(years, STATISTIC),
        dict.fromkeys(years, note),
    )
