"""The report's charts: PNGs drawn with matplotlib and embedded as data URIs, so the page makes
no request of its own. Each takes rows already read from a mart."""

from __future__ import annotations

import base64
import io
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
# Labels are data (network, kommun and partner names): a "$…$" in one is text, never TeX math.
matplotlib.rcParams["text.parse_math"] = False
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

from pipelines.defs.report import swedish  # noqa: E402

PALETTE = [
    "#1f3b73",
    "#c0392b",
    "#27ae60",
    "#8e44ad",
    "#e67e22",
    "#16a085",
    "#7f8c8d",
    "#d4ac0d",
    "#2c3e50",
]


def swedish_ticks(axis) -> None:
    """Tick labels the Swedish way (1 234,5), as every number in the report."""
    axis.set_major_formatter(
        FuncFormatter(lambda v, _: swedish.number(v, 0 if float(v).is_integer() else 1))
    )


def data_uri(fig) -> str:
    for ax in fig.axes:
        if isinstance(ax.yaxis.get_major_formatter(), ScalarFormatter):  # not category labels
            swedish_ticks(ax.yaxis)
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def sectors_over_time(series: list[dict]) -> str:
    """Stacked areas of the main sectors, kt CO2e per year."""
    by_sector: dict[str, dict[int, float]] = defaultdict(dict)
    for r in series:
        by_sector[r["huvudsektor"]][r["year"]] = r["tonnes"] / 1000
    years = sorted({r["year"] for r in series})
    order = sorted(by_sector, key=lambda s: -sum(by_sector[s].values()))
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.stackplot(
        years,
        [[by_sector[s].get(y, 0.0) for y in years] for s in order],
        labels=order,
        colors=[swedish.sector_colour(s, i) for i, s in enumerate(order)],
        alpha=0.9,
    )
    ax.set_ylabel("kt CO2e per år")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_xlim(min(years), max(years))
    return data_uri(fig)


def trajectory(paths: list[dict], method: str, gas: str) -> str:
    """Actual and trend emissions against the method's allowed path."""
    rows = [r for r in paths if r["method"] == method]
    years = [r["year"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    actual = [
        r["emissions_t"] / 1000
        if r["emissions_kind"] == "actual" and r["emissions_t"] is not None
        else None
        for r in rows
    ]
    other = [
        r["emissions_t"] / 1000
        if r["emissions_kind"] != "actual" and r["emissions_t"] is not None
        else None
        for r in rows
    ]
    allowed = [None if r["allowed_t"] is None else r["allowed_t"] / 1000 for r in rows]
    # Years SMHI does not publish (1991-1999 ...) are skipped, so the line joins the years it has.
    observed = [(y, a) for y, a in zip(years, actual, strict=True) if a is not None]
    ax.plot(
        [y for y, _ in observed],
        [a for _, a in observed],
        color=PALETTE[0],
        marker="o",
        markersize=3,
        label="utfall (SMHI)",
    )
    ax.plot(years, other, color=PALETTE[1], linestyle=":", linewidth=2, label="trend")
    ax.plot(years, allowed, color=PALETTE[2], linewidth=2, label="tillåten bana")
    ax.set_ylabel(f"kt {gas} per år")
    ax.set_ylim(bottom=0)
    ax.set_title(swedish.method_name(method), fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return data_uri(fig)


def stacked_bars(series: list[dict], category: str, value: str, ylabel: str) -> str:
    """Bars per year, stacked by `category`, values in kt."""
    by_cat: dict[str, dict[int, float]] = defaultdict(dict)
    for r in series:
        if r[value] is not None:
            by_cat[r[category]][r["year"]] = r[value] / 1000
    years = sorted({y for d in by_cat.values() for y in d})
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bottom = [0.0] * len(years)
    for i, (name, values) in enumerate(sorted(by_cat.items())):
        heights = [values.get(y, 0.0) for y in years]
        ax.bar(years, heights, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=name)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    return data_uri(fig)


def horizontal_bars(
    labels: list[str], values: list[float | None], highlight: int | None, xlabel: str
) -> str:
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(labels) + 1.2))
    colours = [PALETTE[1] if i == highlight else PALETTE[0] for i in range(len(labels))]
    ax.barh(labels, [v or 0.0 for v in values], color=colours)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    swedish_ticks(ax.xaxis)
    ax.tick_params(axis="y", labelsize=8)
    return data_uri(fig)


def lines(series: dict[str, list[tuple[int, float | None]]], ylabel: str) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for i, (name, points) in enumerate(sorted(series.items())):
        ax.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="o",
            markersize=3,
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    years = sorted({p[0] for points in series.values() for p in points})
    ax.set_xticks(years)
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    return data_uri(fig)


def nowcast(actual: list[tuple[int, float]], estimates: list[dict], title: str) -> str:
    """SMHI's totals, then the estimate (uppskattning) with its 80 % and 95 % ranges as bands;
    `estimates` holds year, nowcast_t, lower/upper_80_t, lower/upper_95_t (tonnes)."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.plot(
        [y for y, _ in actual],
        [t / 1000 for _, t in actual],
        color=PALETTE[0],
        marker="o",
        markersize=3,
        label="utfall (SMHI)",
    )
    years = [r["year"] for r in estimates]
    # The band starts at SMHI's last year, so the estimate visibly continues from it.
    start = [actual[-1]] if actual and actual[-1][0] < min(years) else []
    band_years = [y for y, _ in start] + years
    for level, alpha in (("95", 0.15), ("80", 0.3)):
        ax.fill_between(
            band_years,
            [t / 1000 for _, t in start] + [r[f"lower_{level}_t"] / 1000 for r in estimates],
            [t / 1000 for _, t in start] + [r[f"upper_{level}_t"] / 1000 for r in estimates],
            color=PALETTE[1],
            alpha=alpha,
            linewidth=0,
            label=f"{level} % intervall",
        )
    ax.plot(
        band_years,
        [t / 1000 for _, t in start] + [r["nowcast_t"] / 1000 for r in estimates],
        color=PALETTE[1],
        linestyle="--",
        marker="o",
        markersize=4,
        label="uppskattning",
    )
    ax.set_ylabel("kt CO2e per år")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return data_uri(fig)


def wedges(
    years: list[int],
    bau: list[float],
    plan: list[float],
    band: tuple[list[float], list[float]],
    impacts: dict[str, list[float]],
) -> str:
    """Business as usual down to the plan, action by action: each wedge an action's single impact
    stacked on the plan, the overlap (shared by actions, owned by none) as its own grey wedge; the
    plan's P10-P90 as a band. Tonnes in, kt drawn."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    kt = [p / 1000 for p in plan]
    shares = [[v / 1000 for v in values] for values in impacts.values()]
    ax.stackplot(
        years,
        kt,
        *shares,
        labels=["planen", *impacts],
        colors=["#ffffff", *(PALETTE[i % len(PALETTE)] for i in range(len(impacts) - 1)), "#bbb"],
        alpha=0.85,
    )
    ax.fill_between(
        years,
        [v / 1000 for v in band[0]],
        [v / 1000 for v in band[1]],
        color="#000",
        alpha=0.12,
        linewidth=0,
        label="planen P10–P90",
    )
    ax.plot(years, [b / 1000 for b in bau], color="#000", linestyle="--", label="utan åtgärder")
    ax.plot(years, kt, color="#000", label="planen (central)")
    ax.set_ylabel("kt CO2e per år")
    ax.set_ylim(bottom=0)
    ax.set_xlim(min(years), max(years))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return data_uri(fig)


def mac_curve(rows: list[dict]) -> str:
    """Bars as wide as each action's added cut (kt) and as high as its cost per tonne (SEK),
    cheapest first."""
    fig, ax = plt.subplots(figsize=(9, 3.8))
    left = 0.0
    for i, r in enumerate(rows):
        width = r["width_t"] / 1000
        height = r["cost_per_tonne_sek"] or 0.0
        ax.bar(
            left,
            height,
            width=width,
            align="edge",
            color=PALETTE[i % len(PALETTE)],
            edgecolor="#fff",
            label=r["action_id"],
        )
        left += width
    ax.axhline(0, color="#000", linewidth=0.8)
    ax.set_xlabel("minskning 2030, kt CO2e per år (kumulativ)")
    ax.set_ylabel("kr per ton CO2e")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return data_uri(fig)
