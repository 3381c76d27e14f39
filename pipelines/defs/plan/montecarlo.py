"""Monte Carlo over the actions' low-central-high effects: P10/P50/P90 per sector and year, and
the probability that the plan meets the Carbon Law path and the goal-year target.

    targets = targets_from_trajectory(yearly_paths_for_the_kommun, as_of_year=2026, goal_t=...)
    result = monte_carlo(model, targets, n_draws=2000, seed=2030)

Each draw gives every action one effect from a triangular distribution (minimum = the smaller of
low and high, mode = central, maximum = the larger), independently of the other actions, and
keeps it for every year (an action that under-delivers does so throughout). Business as usual
is not drawn: the spread is the plan's, not the statistics'. The draws are made all at once
from numpy's PCG64 generator seeded with `seed` (the same seed gives the same draws, whatever
the chunk size), and evaluated in chunks of draws so that memory stays bounded.

The Carbon Law test is the trajectory check's (methods.md §3.1): the plan's territorial total
summed over from_year..to_year against the allowed path summed over the same years. The goal
test: the plan's territorial total in goal_year at or below goal_t (e.g. the kommun's 2030
target in tonnes; no default, because the target's scope is a decision, not a statistic).

Frames (MonteCarloResult):
  percentiles  kommun_kod, scenario, inventory, sector, year, central_t, mean_t, p10_t, p50_t,
               p90_t (projected years; sector 'total' = the inventory's total)
  summary      one row: kommun_kod, scenario, n_draws, seed, from_year, to_year, allowed_sum_t,
               central_sum_t, p10_sum_t, p50_sum_t, p90_sum_t, p_meets_carbon_law,
               central_meets_carbon_law, goal_year, goal_t, central_goal_year_t,
               p10_goal_year_t, p50_goal_year_t, p90_goal_year_t, p_meets_goal
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.defs.plan.engine import PLAN, PlanInputError, PlanModel, evaluate

DEFAULT_DRAWS = 2000
DEFAULT_CHUNK = 256
TOTAL = "total"


@dataclass(frozen=True)
class Targets:
    allowed_t: Mapping[int, float]  # the Carbon Law path of the territorial total, by year
    from_year: int  # the sums run from here (the as-of year) ...
    to_year: int  # ... to here (2050)
    goal_year: int = 2030
    goal_t: float | None = None

    def allowed_sum(self) -> float:
        missing = [y for y in range(self.from_year, self.to_year + 1) if y not in self.allowed_t]
        if missing:
            raise PlanInputError(f"the allowed path lacks years {missing[0]}..{missing[-1]}")
        return float(sum(self.allowed_t[y] for y in range(self.from_year, self.to_year + 1)))


def targets_from_trajectory(
    yearly: pl.DataFrame,
    *,
    as_of_year: int,
    end_year: int = 2050,
    goal_year: int = 2030,
    goal_t: float | None = None,
) -> Targets:
    """From the trajectory check's yearly paths of ONE kommun and method (columns year,
    allowed_t): the allowed path from the as-of year."""
    paths = yearly.filter(pl.col("allowed_t").is_not_null())
    if paths.get_column("year").n_unique() != paths.height:
        raise PlanInputError("the yearly paths hold more than one kommun or method")
    allowed = {int(y): float(v) for y, v in paths.select("year", "allowed_t").iter_rows()}
    return Targets(allowed, as_of_year, end_year, goal_year, goal_t)


@dataclass(frozen=True)
class MonteCarloResult:
    percentiles: pl.DataFrame
    summary: pl.DataFrame
    draws: np.ndarray = field(repr=False)  # (N, A) the effects drawn


def triangular_draws(model: PlanModel, n_draws: int, seed: int) -> np.ndarray:
    """(N, A) effects by inverse transform of one uniform per draw and action (so a range of
    zero width is its central value, not an error)."""
    rng = np.random.default_rng(seed)
    uniform = rng.random((n_draws, len(model.actions)))
    low, mode, high = model.low[None, :], model.central[None, :], model.high[None, :]
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        split = np.where(width > 0, (mode - low) / width, 0.5)
        left = low + np.sqrt(uniform * width * (mode - low))
        right = high - np.sqrt((1.0 - uniform) * width * (high - mode))
    return np.where(width > 0, np.where(uniform < split, left, right), mode)


def monte_carlo(
    model: PlanModel,
    targets: Targets | None = None,
    *,
    n_draws: int = DEFAULT_DRAWS,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
    actions: Iterable[str] | None = None,
    scenario: str = PLAN,
) -> MonteCarloResult:
    """The plan (or the named actions, as `scenario`) under n_draws effect draws."""
    if n_draws < 1 or chunk_size < 1:
        raise PlanInputError("n_draws and chunk_size must be at least 1")
    include = model.in_plan if actions is None else model.include(actions)
    groups, members = sector_groups(model)
    draws = triangular_draws(model, n_draws, seed)
    totals = np.empty((n_draws, len(groups), len(model.years)))
    for start in range(0, n_draws, chunk_size):
        chunk = draws[start : start + chunk_size]
        emissions = evaluate(model, include[None, :], chunk).activity_emissions[:, 0]  # (n, I, Y)
        totals[start : start + len(chunk)] = group_sums(model, emissions, members)
    central = group_sums(
        model, evaluate(model, include[None, :]).activity_emissions[:, 0], members
    )[0]
    return MonteCarloResult(
        percentiles=percentile_frame(model, scenario, groups, totals, central),
        summary=summary_frame(model, scenario, groups, totals, central, targets, n_draws, seed),
        draws=draws,
    )


def sector_groups(
    model: PlanModel,
) -> tuple[list[tuple[str, str]], list[tuple[list[int], list[int]]]]:
    """(inventory, sector) groups and, for each, (activity indexes, residual sector indexes):
    every territorial SMHI sector, the territorial total, every scope-2 GPC sector and the
    scope-2 total."""
    groups, members = [], []
    territorial = [i for i, a in enumerate(model.activities) if a.inventory == "territorial"]
    for s, sector in enumerate(model.bau.sectors):
        groups.append(("territorial", sector))
        members.append(([i for i in territorial if model.activity_sector[i] == s], [s]))
    groups.append(("territorial", TOTAL))
    members.append((territorial, list(range(len(model.bau.sectors)))))
    scope2 = [i for i, a in enumerate(model.activities) if a.inventory == "scope2"]
    for gpc in sorted({model.activities[i].gpc_ref for i in scope2}):
        groups.append(("scope2", gpc))
        members.append(([i for i in scope2 if model.activities[i].gpc_ref == gpc], []))
    if scope2:
        groups.append(("scope2", TOTAL))
        members.append((scope2, []))
    return groups, members


def group_sums(model: PlanModel, emissions: np.ndarray, members) -> np.ndarray:
    """(n, G, Y) from activity emissions (n, I, Y) and the residuals."""
    out = np.empty((emissions.shape[0], len(members), emissions.shape[2]))
    for g, (activities, residuals) in enumerate(members):
        out[:, g] = emissions[:, activities].sum(axis=1) + model.residual[residuals].sum(axis=0)
    return out


def percentile_frame(model, scenario, groups, totals, central) -> pl.DataFrame:
    keep = model.bau.projected
    years = model.years[keep].astype(np.int64)
    p10, p50, p90 = np.percentile(totals[:, :, keep], [10, 50, 90], axis=0)
    mean = totals[:, :, keep].mean(axis=0)
    frames = []
    for g, (inventory, sector) in enumerate(groups):
        n = len(years)
        frames.append(
            pl.DataFrame(
                {
                    "kommun_kod": [model.kommun_kod] * n,
                    "scenario": [scenario] * n,
                    "inventory": [inventory] * n,
                    "sector": [sector] * n,
                    "year": years,
                    "central_t": central[g, keep],
                    "mean_t": mean[g],
                    "p10_t": p10[g],
                    "p50_t": p50[g],
                    "p90_t": p90[g],
                }
            )
        )
    return pl.concat(frames)


def summary_frame(model, scenario, groups, totals, central, targets, n_draws, seed) -> pl.DataFrame:
    total = groups.index(("territorial", TOTAL))
    years = model.years
    row: dict = {
        "kommun_kod": model.kommun_kod,
        "scenario": scenario,
        "n_draws": n_draws,
        "seed": seed,
    }
    keys = [name for name in SUMMARY_SCHEMA if name not in row]
    row.update(dict.fromkeys(keys))
    if targets is not None:
        if not years[0] <= targets.from_year <= targets.to_year <= years[-1]:
            raise PlanInputError(
                f"targets span {targets.from_year}..{targets.to_year}, "
                f"outside the model's {years[0]}..{years[-1]}"
            )
        span = (years >= targets.from_year) & (years <= targets.to_year)
        sums = totals[:, total, span].sum(axis=1)
        central_sum = float(central[total, span].sum())
        allowed = targets.allowed_sum()
        row.update(
            from_year=targets.from_year,
            to_year=targets.to_year,
            allowed_sum_t=allowed,
            central_sum_t=central_sum,
            p10_sum_t=float(np.percentile(sums, 10)),
            p50_sum_t=float(np.percentile(sums, 50)),
            p90_sum_t=float(np.percentile(sums, 90)),
            p_meets_carbon_law=float((sums <= allowed).mean()),
            central_meets_carbon_law=central_sum <= allowed,
            goal_year=targets.goal_year,
            goal_t=targets.goal_t,
        )
        if years[0] <= targets.goal_year <= years[-1]:
            column = int(targets.goal_year - years[0])
            at_goal = totals[:, total, column]
            row.update(
                central_goal_year_t=float(central[total, column]),
                p10_goal_year_t=float(np.percentile(at_goal, 10)),
                p50_goal_year_t=float(np.percentile(at_goal, 50)),
                p90_goal_year_t=float(np.percentile(at_goal, 90)),
            )
            if targets.goal_t is not None:
                row["p_meets_goal"] = float((at_goal <= targets.goal_t).mean())
    return pl.DataFrame([row], schema=SUMMARY_SCHEMA)


SUMMARY_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "scenario": pl.Utf8,
    "n_draws": pl.Int64,
    "seed": pl.Int64,
    "from_year": pl.Int64,
    "to_year": pl.Int64,
    "allowed_sum_t": pl.Float64,
    "central_sum_t": pl.Float64,
    "p10_sum_t": pl.Float64,
    "p50_sum_t": pl.Float64,
    "p90_sum_t": pl.Float64,
    "p_meets_carbon_law": pl.Float64,
    "central_meets_carbon_law": pl.Boolean,
    "goal_year": pl.Int64,
    "goal_t": pl.Float64,
    "central_goal_year_t": pl.Float64,
    "p10_goal_year_t": pl.Float64,
    "p50_goal_year_t": pl.Float64,
    "p90_goal_year_t": pl.Float64,
    "p_meets_goal": pl.Float64,
}
