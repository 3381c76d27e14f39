"""The scenario engine: business as usual per sector, the plan, any subset; impacts and overlaps.

    model = build_model(sector_emissions, portfolio, preset, kommun_kod=settings.report.kommun)
    result = run_plan(model)             # PlanResult: four polars frames (see below)

BUSINESS AS USUAL per SMHI main sector is the trajectory check's own trend
(pipelines/defs/trajectory: `fit_trend` on a sector x year panel), so the preset that names the
trajectory method also names the BAU method: its trend_method (LAD or OLS), its
trend_start_year, and its anchoring (the LAD presets shift the line through the last observed
value, the budget preset keeps the raw fit). Observed years are the observed values; years SMHI
skipped (2016-2019 in the 2026 release) are the trend line. The BAU total is the sum of the
sector trends, which is not the trend of the total (each sector's line is floored at zero on
its own); the Carbon Law path comes from the trajectory of the total, as the trajectory check
publishes it.

ACTIVITIES carry emissions: quantity x the fuel mix x each fuel's factor. A territorial
activity is a fixed share of its SMHI sector (its base-year emissions over the sector's), so
its BAU quantity follows the sector's trend; the sector's residual (what no listed activity
covers) is untouched by actions. Scope-2 activities (grid electricity and heat used; outside
SMHI's inventory) keep their quantity or grow at their own rate and are reported apart.

ACTIONS on the same activity compose, in this order, every year:
1. absolute changes add (in the activity's unit); below zero the quantity is CAPPED at zero and
   every cutting absolute action on it is flagged for that year;
2. relative changes multiply: two cuts r1 and r2 leave (1 - r1)(1 - r2), never 1 - r1 - r2;
3. fuel switches move shares of the BAU mix: the switches from one fuel together take
   1 - prod(1 - s_i) of it, shared among them in proportion to s_i (order-free), and each adds
   the moved share x its energy_ratio to its target fuel (chains A->B->C are refused by
   validate_portfolio);
4. emission-factor changes multiply the factor of their fuel (or of every fuel).

Each action's effect in a year is its effect x its ramp fraction (actions.Action.fraction).
Projections start the year after the last data year. What an action had achieved by then is
already in the observed emissions and in the trend through them, so a projected year counts
only the part beyond that: max(0, fraction(t) - fraction(last data year)). Economics
(`projected=False`) counts the whole lifetime instead.

IMPACT of an action = emissions of the plan without it minus emissions of the plan (positive =
less emitted), as Kausal Paths defines it. The OVERLAP per activity and year is the plan's
combined cut minus the sum of the single impacts: for cuts of 50 % and 30 % the combined cut is
65 %, the single impacts 35 % and 15 %, the overlap 15 % (shared by both, owned by neither).
STANDALONE = BAU minus BAU with only that action.

Frames (PlanResult):
  scenario_emissions  kommun_kod, scenario, year, inventory, smhi_sector, gpc_ref, activity_id,
                      fuel, unit, quantity, emissions_t, emissions_kind, is_synthetic
                      (the residual of a sector: activity_id 'residual:<sector>', fuel null;
                      emissions_kind actual | estimated (a year SMHI skipped) | projected)
  action_impacts      kommun_kod, action_id, activity_id, inventory, smhi_sector, gpc_ref, year,
                      impact_t, standalone_t, activity_change, fraction, capped
                      (projected years; activity_change in the activity's unit)
  overlaps            kommun_kod, activity_id, inventory, smhi_sector, year, combined_t,
                      sum_of_impacts_t, overlap_t
  flags               kommun_kod, scenario, action_id, year, flag, detail
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.defs.plan.actions import (
    ABSOLUTE,
    CONSTANT_GROWTH,
    DECIDED,
    FACTOR_CHANGE,
    FUEL_SWITCH,
    RELATIVE,
    SECTOR_GROWTH,
    SMHI_SECTORS,
    Action,
    Activity,
    Portfolio,
    validate_portfolio,
)
from pipelines.defs.trajectory.compute import fit_trend, to_panel
from pipelines.defs.trajectory.presets import MethodPreset

END_YEAR = 2050
BAU, PLAN, DECIDED_SCENARIO = "bau", "plan", "beslutade"
RESIDUAL_PREFIX = "residual:"
OVERCOMMIT_TOLERANCE = 1e-9
CAP_TOLERANCE = 1e-9  # relative: rounding of ramp fractions must not count as going below zero
RUN_CHUNK = 32  # scenarios evaluated at once when there are many (impacts, MAC prefixes)


class PlanInputError(ValueError):
    """Emissions or a portfolio the engine cannot compute on; the message names what."""


# ---------------------------------------------------------------------------- business as usual


@dataclass(frozen=True)
class SectorBau:
    sectors: tuple[str, ...]  # SMHI sector codes
    years: np.ndarray  # (Y,) first data year .. end year
    values: np.ndarray  # (S, Y) observed where present, else the trend
    observed: np.ndarray  # (S, Y) bool
    last_data_year: int
    method: str  # the preset
    trend_method: str

    @property
    def projected(self) -> np.ndarray:
        return self.years > self.last_data_year

    def column(self, year: int) -> int:
        return int(year - self.years[0])


def sector_bau(
    sector_emissions: pl.DataFrame, preset: MethodPreset, end_year: int = END_YEAR
) -> SectorBau:
    """One kommun's emissions per SMHI main sector (columns sector, year, tonnes; one gas) and
    each sector's BAU path to end_year by the preset's trend."""
    missing = [c for c in ("sector", "year", "tonnes") if c not in sector_emissions.columns]
    if missing:
        raise PlanInputError(f"sector emissions lack column(s) {', '.join(missing)}")
    frame = sector_emissions.select(
        pl.col("sector").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        pl.col("tonnes").cast(pl.Float64),
    )
    if frame.is_empty():
        raise PlanInputError("no sector emissions")
    bad = frame.filter(pl.any_horizontal(pl.all().is_null()) | pl.col("tonnes").is_nan())
    if not bad.is_empty():
        raise PlanInputError(f"sector emissions have empty values, e.g. {bad.row(0)}")
    unknown = sorted(set(frame["sector"]) - set(SMHI_SECTORS))
    if unknown:
        raise PlanInputError(
            f"unknown SMHI sector code(s) {', '.join(unknown)}; expected main sectors "
            f"({', '.join(SMHI_SECTORS)}), not the 'all' total"
        )
    duplicated = frame.filter(pl.struct("sector", "year").is_duplicated())
    if not duplicated.is_empty():
        raise PlanInputError(f"duplicate sector-year rows, e.g. {duplicated.row(0)[:2]}")
    last_data_year = int(frame["year"].max())
    if last_data_year >= end_year:
        raise PlanInputError(f"the data reach {last_data_year}; nothing to project to {end_year}")
    panel = to_panel(frame.rename({"sector": "kommun_kod"}), last_year=end_year)
    trend = fit_trend(panel, preset)
    values = np.where(panel.present, panel.values, trend.values)
    return SectorBau(
        sectors=tuple(panel.kommuner.tolist()),
        years=panel.years,
        values=values,
        observed=panel.present,
        last_data_year=last_data_year,
        method=preset.method,
        trend_method=preset.trend_method,
    )


# ---------------------------------------------------------------------------- the compiled model

CHANGE_CODE = {ABSOLUTE: 0, RELATIVE: 1, FUEL_SWITCH: 2, FACTOR_CHANGE: 3}


@dataclass(frozen=True)
class PlanModel:
    kommun_kod: str
    bau: SectorBau
    portfolio: Portfolio
    activities: tuple[Activity, ...]  # (I,)
    actions: tuple[Action, ...]  # (A,) every action of the portfolio, in file order
    in_plan: np.ndarray  # (A,) bool
    fuels: tuple[tuple[str, ...], ...]  # per activity
    share0: np.ndarray  # (I, F) BAU mix, zero-padded
    factor: np.ndarray  # (I, F) t CO2e per unit
    activity_sector: np.ndarray  # (I,) index into bau.sectors, -1 for scope 2
    bau_quantity: np.ndarray  # (I, Y)
    residual: np.ndarray  # (S, Y) sector emissions no activity covers
    action_activity: np.ndarray  # (A,) index into activities
    change: np.ndarray  # (A,) CHANGE_CODE
    from_fuel: np.ndarray  # (A,) fuel index or -1
    to_fuel: np.ndarray  # (A,) fuel index or -1
    factor_fuel: np.ndarray  # (A,) fuel index, -1 = every fuel (emissionsfaktor)
    energy_ratio: np.ndarray  # (A,)
    low: np.ndarray  # (A,) the effect's lower bound (numerically)
    central: np.ndarray  # (A,)
    high: np.ndarray  # (A,) the upper bound
    fraction_full: np.ndarray  # (A, Y)
    fraction_projected: np.ndarray  # (A, Y)

    @property
    def years(self) -> np.ndarray:
        return self.bau.years

    @property
    def action_index(self) -> dict[str, int]:
        return {a.action_id: i for i, a in enumerate(self.actions)}

    def include(self, action_ids: Iterable[str]) -> np.ndarray:
        """(A,) mask of the named actions."""
        index = self.action_index
        ids = list(action_ids)
        unknown = [a for a in ids if a not in index]
        if unknown:
            raise PlanInputError(f"no action(s) {', '.join(unknown)} in the portfolio")
        mask = np.zeros(len(self.actions), dtype=bool)
        mask[[index[a] for a in ids]] = True
        return mask


def build_model(
    sector_emissions: pl.DataFrame,
    portfolio: Portfolio,
    preset: MethodPreset,
    *,
    kommun_kod: str,
    end_year: int = END_YEAR,
) -> PlanModel:
    """Compile a portfolio against one kommun's sector emissions. The portfolio's cross-record
    rules are checked first (actions.validate_portfolio), whatever it was read from."""
    problems = validate_portfolio(portfolio)
    if problems:
        shown = "; ".join(str(p) for p in problems[:10])
        raise PlanInputError(f"{len(problems)} problem(s) in the portfolio: {shown}")
    bau = sector_bau(sector_emissions, preset, end_year)
    activities = portfolio.activities
    sector_index = {s: i for i, s in enumerate(bau.sectors)}
    width = max((len(a.fuels) for a in activities), default=1)
    share0 = np.zeros((len(activities), width))
    factor = np.zeros((len(activities), width))
    activity_sector = np.full(len(activities), -1)
    bau_quantity = np.zeros((len(activities), len(bau.years)))
    for i, activity in enumerate(activities):
        for f, fuel in enumerate(activity.fuels):
            share0[i, f], factor[i, f] = fuel.base_share, fuel.factor_t_per_unit
        if not bau.years[0] <= activity.base_year <= bau.years[-1]:
            raise PlanInputError(
                f"activity {activity.activity_id}: base year {activity.base_year} is outside "
                f"{bau.years[0]}..{bau.years[-1]}"
            )
        if activity.inventory == "territorial":
            if activity.smhi_sector not in sector_index:
                raise PlanInputError(
                    f"activity {activity.activity_id}: no emissions for SMHI sector "
                    f"{activity.smhi_sector}"
                )
            activity_sector[i] = sector_index[activity.smhi_sector]
        bau_quantity[i] = activity_bau(activity, bau, activity_sector[i])
    emissions_bau = bau_quantity * (share0 * factor).sum(axis=1)[:, None]
    residual = bau.values.copy()
    for i in np.flatnonzero(activity_sector >= 0):
        residual[activity_sector[i]] -= emissions_bau[i]
    check_not_overcommitted(bau, activities, activity_sector, emissions_bau)
    residual = np.maximum(residual, 0.0)  # rounding only; overcommitment raised above

    actions = portfolio.actions
    activity_index = {a.activity_id: i for i, a in enumerate(activities)}
    missing = sorted({a.activity_id for a in actions} - set(activity_index))
    if missing:
        raise PlanInputError(f"action(s) on unknown activities: {', '.join(missing)}")
    action_activity = np.array([activity_index[a.activity_id] for a in actions], dtype=int)

    def fuel_at(action: Action, name: str | None) -> int:
        if name is None:
            return -1
        fuels = activities[activity_index[action.activity_id]].fuel_names
        if name not in fuels:
            raise PlanInputError(f"action {action.action_id}: its activity has no fuel {name!r}")
        return fuels.index(name)

    bounds = np.array([a.effect.bounds for a in actions]).reshape(len(actions), 2)
    years = bau.years
    full = np.array([a.fraction(years) for a in actions]).reshape(len(actions), len(years))
    projected = projected_fractions(full, years, bau.last_data_year)
    return PlanModel(
        kommun_kod=kommun_kod,
        bau=bau,
        portfolio=portfolio,
        activities=activities,
        actions=actions,
        in_plan=np.array([a.in_plan for a in actions], dtype=bool),
        fuels=tuple(a.fuel_names for a in activities),
        share0=share0,
        factor=factor,
        activity_sector=activity_sector,
        bau_quantity=bau_quantity,
        residual=residual,
        action_activity=action_activity,
        change=np.array([CHANGE_CODE[a.change] for a in actions], dtype=int),
        from_fuel=np.array([fuel_at(a, a.from_fuel) for a in actions], dtype=int),
        to_fuel=np.array([fuel_at(a, a.to_fuel) for a in actions], dtype=int),
        factor_fuel=np.array([fuel_at(a, a.fuel) for a in actions], dtype=int),
        energy_ratio=np.array([a.energy_ratio for a in actions], dtype=float),
        low=bounds[:, 0],
        central=np.array([a.effect.central for a in actions], dtype=float),
        high=bounds[:, 1],
        fraction_full=full,
        fraction_projected=projected,
    )


def activity_bau(activity: Activity, bau: SectorBau, sector: int) -> np.ndarray:
    """The activity's BAU quantity on the model's years."""
    years = bau.years
    if activity.bau_growth == SECTOR_GROWTH:
        path = bau.values[sector]
        at_base = path[bau.column(activity.base_year)]
        if at_base <= 0:
            if activity.base_emissions_t > 0:
                raise PlanInputError(
                    f"activity {activity.activity_id}: its sector {activity.smhi_sector} has no "
                    f"emissions in {activity.base_year} to hold its "
                    f"{activity.base_emissions_t:.0f} t"
                )
            return np.zeros(len(years))
        return activity.base_quantity * path / at_base
    if activity.bau_growth == CONSTANT_GROWTH:
        return np.full(len(years), float(activity.base_quantity))
    rate = float(activity.bau_growth)
    return activity.base_quantity * (1.0 + rate) ** (years - activity.base_year)


def check_not_overcommitted(bau, activities, activity_sector, emissions_bau) -> None:
    """A sector's listed activities may not emit more than the sector does (at their base years,
    which fixes their shares for every year)."""
    shares: dict[int, float] = defaultdict(float)
    named: dict[int, list[str]] = defaultdict(list)
    for i, activity in enumerate(activities):
        sector = activity_sector[i]
        if sector < 0:
            continue
        total = bau.values[sector, bau.column(activity.base_year)]
        if total > 0:
            shares[sector] += emissions_bau[i, bau.column(activity.base_year)] / total
        named[sector].append(activity.activity_id)
    for sector, share in shares.items():
        if share > 1 + OVERCOMMIT_TOLERANCE:
            raise PlanInputError(
                f"the activities of sector {bau.sectors[sector]} ({', '.join(named[sector])}) emit "
                f"{share:.1%} of the sector's emissions in their base years; at most 100 %"
            )


def projected_fractions(full: np.ndarray, years: np.ndarray, last_data_year: int) -> np.ndarray:
    """What each action adds after the last data year: max(0, f(t) - f(last data year))."""
    if full.size == 0:
        return full.copy()
    if last_data_year < years[0]:
        at_last = np.zeros(len(full))
    else:
        at_last = full[:, int(last_data_year - years[0])]
    added = np.maximum(0.0, full - at_last[:, None])
    return np.where(years[None, :] > last_data_year, added, 0.0)


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Evaluation:
    """Every run (R scenarios) under every draw (N): (N, R, I, ...) arrays."""

    quantity: np.ndarray  # (N, R, I, Y) the activity's quantity
    fuel_quantity: np.ndarray  # (N, R, I, F, Y)
    emissions: np.ndarray  # (N, R, I, F, Y) t CO2e
    capped: np.ndarray  # (N, R, A, Y) the action was cut short at zero

    @property
    def activity_emissions(self) -> np.ndarray:  # (N, R, I, Y)
        return self.emissions.sum(axis=3)


def evaluate(
    model: PlanModel,
    include: np.ndarray,
    effects: np.ndarray | None = None,
    *,
    projected: bool = True,
) -> Evaluation:
    """Emissions of R scenarios (include: (R, A) bool) under N effect draws (effects: (N, A);
    default the central effects, N = 1). Vectorised over draws, scenarios and years; the loops
    run over actions, which are few."""
    include = np.atleast_2d(np.asarray(include, dtype=bool))
    effects = model.central[None, :] if effects is None else np.atleast_2d(effects)
    n, r = effects.shape[0], include.shape[0]
    fraction = model.fraction_projected if projected else model.fraction_full
    # (N, R, A, Y): the signed effect of each action in force
    strength = effects[:, None, :, None] * include[None, :, :, None] * fraction[None, None, :, :]
    quantity = np.broadcast_to(model.bau_quantity, (n, r, *model.bau_quantity.shape)).copy()
    capped = np.zeros(strength.shape, dtype=bool)
    absolute = np.flatnonzero(model.change == CHANGE_CODE[ABSOLUTE])
    for a in absolute:
        quantity[:, :, model.action_activity[a]] += strength[:, :, a]
    for a in absolute:
        i = model.action_activity[a]
        floor = -CAP_TOLERANCE * np.maximum(1.0, np.abs(model.bau_quantity[i]))
        capped[:, :, a] = (quantity[:, :, i] < floor) & (strength[:, :, a] < 0)
    np.maximum(quantity, 0.0, out=quantity)
    for a in np.flatnonzero(model.change == CHANGE_CODE[RELATIVE]):
        quantity[:, :, model.action_activity[a]] *= 1.0 + strength[:, :, a]
    mix = np.broadcast_to(
        model.share0[None, None, :, :, None], (n, r, *model.share0.shape, len(model.years))
    ).copy()
    switch_fuels(model, strength, mix)
    multiplier = np.ones_like(mix)
    for a in np.flatnonzero(model.change == CHANGE_CODE[FACTOR_CHANGE]):
        i, f = model.action_activity[a], model.factor_fuel[a]
        change = 1.0 + strength[:, :, a]  # (N, R, Y)
        if f < 0:
            multiplier[:, :, i] *= change[:, :, None, :]
        else:
            multiplier[:, :, i, f] *= change
    fuel_quantity = quantity[:, :, :, None, :] * mix
    emissions = fuel_quantity * model.factor[None, None, :, :, None] * multiplier
    return Evaluation(quantity, fuel_quantity, emissions, capped)


def switch_fuels(model: PlanModel, strength: np.ndarray, mix: np.ndarray) -> None:
    """Fuel switches, in place on mix (N, R, I, F, Y): see the module docstring, step 3."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a in np.flatnonzero(model.change == CHANGE_CODE[FUEL_SWITCH]):
        groups[(model.action_activity[a], model.from_fuel[a])].append(a)
    for (i, f), members in groups.items():
        shares = np.clip(strength[:, :, members], 0.0, 1.0)  # (N, R, k, Y)
        removed = model.share0[i, f] * (1.0 - np.prod(1.0 - shares, axis=2))
        total = shares.sum(axis=2)
        mix[:, :, i, f] -= removed
        with np.errstate(invalid="ignore", divide="ignore"):
            for k, a in enumerate(members):
                moved = np.where(total > 0, removed * shares[:, :, k] / total, 0.0)
                mix[:, :, i, model.to_fuel[a]] += moved * model.energy_ratio[a]


# ---------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class PlanResult:
    scenario_emissions: pl.DataFrame
    action_impacts: pl.DataFrame
    overlaps: pl.DataFrame
    flags: pl.DataFrame


FLAG_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "scenario": pl.Utf8,
    "action_id": pl.Utf8,
    "year": pl.Int64,
    "flag": pl.Utf8,
    "detail": pl.Utf8,
}


def default_scenarios(model: PlanModel) -> dict[str, np.ndarray]:
    """bau (no action), plan (every action in the plan), beslutade (those beslutad, pågående or
    genomförd)."""
    decided = np.array([a.in_plan and a.status in DECIDED for a in model.actions], dtype=bool)
    return {
        BAU: np.zeros(len(model.actions), dtype=bool),
        PLAN: model.in_plan.copy(),
        DECIDED_SCENARIO: decided,
    }


def run_plan(model: PlanModel, subsets: Mapping[str, Iterable[str]] | None = None) -> PlanResult:
    """BAU, the plan, beslutade and any named subsets (scenario name -> action ids, whatever
    their status); every plan action's impact and standalone effect; overlaps; flags."""
    scenarios = default_scenarios(model)
    for name, ids in (subsets or {}).items():
        if name in scenarios:
            raise PlanInputError(f"scenario name {name!r} is taken")
        scenarios[name] = model.include(ids)
    plan = scenarios[PLAN]
    members = np.flatnonzero(plan)
    without = np.repeat(plan[None, :], len(members), axis=0)
    without[np.arange(len(members)), members] = False
    only = np.zeros_like(without)
    only[np.arange(len(members)), members] = True
    named = np.array(list(scenarios.values())).reshape(len(scenarios), len(model.actions))
    runs = evaluate(model, named)
    emissions = runs.activity_emissions[0]  # (k, I, Y)
    plan_row, bau_row = list(scenarios).index(PLAN), list(scenarios).index(BAU)
    without_emissions, without_quantity = run_totals(model, without)
    only_emissions, _ = run_totals(model, only)
    impact = (without_emissions - emissions[plan_row][None]).sum(axis=1)  # (m, Y)
    standalone = (emissions[bau_row][None] - only_emissions).sum(axis=1)
    own = model.action_activity[members]
    activity_change = (
        without_quantity[np.arange(len(members)), own] - runs.quantity[0, plan_row][own]
    ).reshape(len(members), len(model.years))
    return PlanResult(
        scenario_emissions=scenario_frame(model, list(scenarios), runs),
        action_impacts=impact_frame(
            model, members, impact, standalone, activity_change, runs.capped[0, plan_row]
        ),
        overlaps=overlap_frame(model, members, emissions[bau_row], emissions[plan_row], impact),
        flags=flag_frame(model, scenarios, runs.capped[0]),
    )


def run_totals(
    model: PlanModel, include: np.ndarray, *, projected: bool = True, chunk_size: int = RUN_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Central emissions and quantities per activity, (R, I, Y) each, of many scenarios,
    evaluated `chunk_size` at a time so that memory does not grow with the portfolio."""
    shape = (include.shape[0], len(model.activities), len(model.years))
    emissions, quantity = np.zeros(shape), np.zeros(shape)
    for start in range(0, include.shape[0], chunk_size):
        runs = evaluate(model, include[start : start + chunk_size], projected=projected)
        emissions[start : start + chunk_size] = runs.activity_emissions[0]
        quantity[start : start + chunk_size] = runs.quantity[0]
    return emissions, quantity


def emissions_kind(model: PlanModel) -> np.ndarray:
    """(S, Y) actual | estimated | projected, per sector."""
    bau = model.bau
    return np.where(
        bau.observed, "actual", np.where(bau.projected[None, :], "projected", "estimated")
    )


def scenario_frame(model: PlanModel, names: list[str], runs: Evaluation) -> pl.DataFrame:
    years = model.years
    kinds = emissions_kind(model)
    projected = np.where(model.bau.projected, "projected", "estimated")
    frames = []
    for s, name in enumerate(names):
        for i, activity in enumerate(model.activities):
            sector = model.activity_sector[i]
            kind = kinds[sector] if sector >= 0 else projected
            for f, fuel in enumerate(activity.fuel_names):
                frames.append(
                    rows(
                        model,
                        name,
                        years,
                        activity,
                        fuel,
                        runs.fuel_quantity[0, s, i, f],
                        runs.emissions[0, s, i, f],
                        kind,
                    )
                )
        for sector_index, sector in enumerate(model.bau.sectors):
            frames.append(
                residual_rows(
                    model, name, years, sector, model.residual[sector_index], kinds[sector_index]
                )
            )
    return pl.concat(frames, how="vertical").sort(
        "scenario", "year", "inventory", "smhi_sector", "activity_id", "fuel", nulls_last=True
    )


def rows(
    model, scenario, years, activity: Activity, fuel, quantity, emissions, kind
) -> pl.DataFrame:
    n = len(years)
    return pl.DataFrame(
        {
            "kommun_kod": [model.kommun_kod] * n,
            "scenario": [scenario] * n,
            "year": years.astype(np.int64),
            "inventory": [activity.inventory] * n,
            "smhi_sector": [activity.smhi_sector] * n,
            "gpc_ref": [activity.gpc_ref] * n,
            "activity_id": [activity.activity_id] * n,
            "fuel": [fuel] * n,
            "unit": [activity.unit] * n,
            "quantity": quantity.astype(float),
            "emissions_t": emissions.astype(float),
            "emissions_kind": kind.tolist(),
            "is_synthetic": [activity.is_synthetic] * n,
        },
        schema=SCENARIO_SCHEMA,
    )


def residual_rows(model, scenario, years, sector, emissions, kind) -> pl.DataFrame:
    n = len(years)
    return pl.DataFrame(
        {
            "kommun_kod": [model.kommun_kod] * n,
            "scenario": [scenario] * n,
            "year": years.astype(np.int64),
            "inventory": ["territorial"] * n,
            "smhi_sector": [sector] * n,
            "gpc_ref": [None] * n,
            "activity_id": [RESIDUAL_PREFIX + sector] * n,
            "fuel": [None] * n,
            "unit": [None] * n,
            "quantity": [None] * n,
            "emissions_t": emissions.astype(float),
            "emissions_kind": kind.tolist(),
            "is_synthetic": [False] * n,
        },
        schema=SCENARIO_SCHEMA,
    )


SCENARIO_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "scenario": pl.Utf8,
    "year": pl.Int64,
    "inventory": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "gpc_ref": pl.Utf8,
    "activity_id": pl.Utf8,
    "fuel": pl.Utf8,
    "unit": pl.Utf8,
    "quantity": pl.Float64,
    "emissions_t": pl.Float64,
    "emissions_kind": pl.Utf8,
    "is_synthetic": pl.Boolean,
}


def impact_frame(model, members, impact, standalone, activity_change, capped) -> pl.DataFrame:
    years = model.years
    keep = model.bau.projected
    frames = []
    for j, a in enumerate(members):
        action = model.actions[a]
        activity = model.activities[model.action_activity[a]]
        n = int(keep.sum())
        frames.append(
            pl.DataFrame(
                {
                    "kommun_kod": [model.kommun_kod] * n,
                    "action_id": [action.action_id] * n,
                    "activity_id": [activity.activity_id] * n,
                    "inventory": [activity.inventory] * n,
                    "smhi_sector": [activity.smhi_sector] * n,
                    "gpc_ref": [activity.gpc_ref] * n,
                    "year": years[keep].astype(np.int64),
                    "impact_t": impact[j, keep],
                    "standalone_t": standalone[j, keep],
                    "activity_change": activity_change[j, keep],
                    "fraction": model.fraction_projected[a, keep],
                    "capped": capped[a, keep],
                },
                schema=IMPACT_SCHEMA,
            )
        )
    if not frames:
        return pl.DataFrame(schema=IMPACT_SCHEMA)
    return pl.concat(frames).sort("action_id", "year")


IMPACT_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "action_id": pl.Utf8,
    "activity_id": pl.Utf8,
    "inventory": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "gpc_ref": pl.Utf8,
    "year": pl.Int64,
    "impact_t": pl.Float64,
    "standalone_t": pl.Float64,
    "activity_change": pl.Float64,
    "fraction": pl.Float64,
    "capped": pl.Boolean,
}


def overlap_frame(model, members, bau_emissions, plan_emissions, impact) -> pl.DataFrame:
    """Per activity with plan actions: combined cut, the sum of the single impacts, the overlap."""
    keep = model.bau.projected
    years = model.years[keep].astype(np.int64)
    by_activity: dict[int, list[int]] = defaultdict(list)
    for j, a in enumerate(members):
        by_activity[int(model.action_activity[a])].append(j)
    frames = []
    for i, positions in sorted(by_activity.items()):
        activity = model.activities[i]
        combined = (bau_emissions[i] - plan_emissions[i])[keep]
        summed = impact[positions].sum(axis=0)[keep]
        n = len(years)
        frames.append(
            pl.DataFrame(
                {
                    "kommun_kod": [model.kommun_kod] * n,
                    "activity_id": [activity.activity_id] * n,
                    "inventory": [activity.inventory] * n,
                    "smhi_sector": [activity.smhi_sector] * n,
                    "year": years,
                    "combined_t": combined,
                    "sum_of_impacts_t": summed,
                    "overlap_t": combined - summed,
                },
                schema=OVERLAP_SCHEMA,
            )
        )
    if not frames:
        return pl.DataFrame(schema=OVERLAP_SCHEMA)
    return pl.concat(frames)


OVERLAP_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "activity_id": pl.Utf8,
    "inventory": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "year": pl.Int64,
    "combined_t": pl.Float64,
    "sum_of_impacts_t": pl.Float64,
    "overlap_t": pl.Float64,
}


def flag_frame(
    model: PlanModel, scenarios: dict[str, np.ndarray], capped: np.ndarray
) -> pl.DataFrame:
    """Nothing is dropped silently: actions outside the plan, effects already in the data,
    effects beyond the horizon, caps at zero, prerequisites missing from a scenario."""
    rows_: list[dict] = []
    last = model.bau.last_data_year
    years = model.years

    def add(scenario, action, year, flag, detail):
        rows_.append(
            {
                "kommun_kod": model.kommun_kod,
                "scenario": scenario,
                "action_id": action.action_id,
                "year": year,
                "flag": flag,
                "detail": detail,
            }
        )

    for a, action in enumerate(model.actions):
        if not action.in_plan:
            why = (
                f"status {action.status}"
                if action.superseded_by is None
                else f"superseded by {action.superseded_by}"
            )
            add(None, action, None, "not_in_plan", f"{why}: kept, but not in the plan")
        full_at_last = model.fraction_full[a, years <= last]
        if full_at_last.size and full_at_last[-1] > 0:
            add(
                None,
                action,
                last,
                "partly_in_observed_data",
                f"{full_at_last[-1]:.0%} of its effect was in force in {last}, the last data year: "
                "that part is in the observed emissions and the trend, not counted again",
            )
        elif action.last_year <= last:
            add(
                None,
                action,
                None,
                "entirely_in_observed_data",
                f"in force {action.start_year}-{action.last_year}, before the projection "
                f"starts in {last + 1}",
            )
        if action.start_year > years[-1]:
            add(
                None,
                action,
                None,
                "starts_after_horizon",
                f"starts {action.start_year}, after {years[-1]}",
            )
    index = model.action_index
    for s, (name, mask) in enumerate(scenarios.items()):
        for a in np.flatnonzero(mask):
            action = model.actions[a]
            missing = [d for d in action.depends_on if d in index and not mask[index[d]]]
            if missing:
                add(
                    name,
                    action,
                    None,
                    "prerequisite_not_in_scenario",
                    f"depends on {', '.join(missing)}, which the scenario leaves out",
                )
            for y in np.flatnonzero(capped[s, a]):
                add(
                    name,
                    action,
                    int(years[y]),
                    "capped_at_zero",
                    "would take its activity below zero; the activity is held at zero",
                )
    if not rows_:
        return pl.DataFrame(schema=FLAG_SCHEMA)
    return pl.DataFrame(rows_, schema=FLAG_SCHEMA)


def sector_totals(scenario_emissions: pl.DataFrame) -> pl.DataFrame:
    """scenario_emissions summed per scenario, year, inventory and sector (smhi_sector for the
    territorial inventory, gpc_ref for scope 2)."""
    return (
        scenario_emissions.with_columns(
            pl.when(pl.col("inventory") == "territorial")
            .then(pl.col("smhi_sector"))
            .otherwise(pl.col("gpc_ref"))
            .alias("sector")
        )
        .group_by("kommun_kod", "scenario", "year", "inventory", "sector")
        .agg(pl.col("emissions_t").sum(), pl.col("emissions_kind").first())
        .sort("scenario", "inventory", "sector", "year")
    )
