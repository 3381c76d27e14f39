"""Trajectory charts for one kommun and method: a PNG (matplotlib) and a self-contained,
interactive HTML page (inline SVG drawn by a few lines of JS; no external requests).

Both take the same `ChartData`, built from the trajectory asset's yearly paths."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: charts are written to files and metadata, never shown
# Labels are data (kommun names): a "$…$" in one is text, never TeX math.
matplotlib.rcParams["text.parse_math"] = False
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from pipelines.defs.trajectory.runs import TrajectoryRun  # noqa: E402

TEMPLATE = Path(__file__).with_name("templates") / "trajectory.html"


@dataclass(frozen=True)
class ChartData:
    kommun: str
    method: str
    gas: str
    as_of_year: int
    years: list[int]
    actual: list[float | None]  # observed emissions
    approximated: list[float | None]  # trend values between the last data year and as-of
    trend: list[float | None]  # trend from as-of to the end year
    allowed: list[float | None]  # the method's allowed path
    remaining_budget: list[float | None]  # budget left after each year on the trend
    summary: dict


def chart_data(yearly: pl.DataFrame, summary: dict, kommun_namn: str) -> ChartData:
    """One kommun and method's yearly paths (columns of trajectory.yearly_paths)."""
    rows = yearly.sort("year")

    last_actual = summary.get("last_data_year")

    def series(kind: str) -> list[float | None]:
        # The approximated line starts at the last actual point, so that it reads as a continuation.
        return [
            r["emissions_t"]
            if r["emissions_kind"] == kind or (kind == "approximated" and r["year"] == last_actual)
            else None
            for r in rows.iter_rows(named=True)
        ]

    budget = summary.get("budget_t")
    as_of = summary["as_of_year"]
    remaining, spent = [], 0.0
    for r in rows.iter_rows(named=True):
        if budget is None or r["year"] < as_of or r["trend_t"] is None:
            remaining.append(None)
            continue
        spent += r["trend_t"]
        remaining.append(budget - spent)
    trend = [r["trend_t"] if r["year"] >= as_of else None for r in rows.iter_rows(named=True)]
    return ChartData(
        kommun=kommun_namn,
        method=summary["method"],
        gas=summary["gas"],
        as_of_year=as_of,
        years=rows.get_column("year").to_list(),
        actual=series("actual"),
        approximated=series("approximated"),
        trend=trend,
        allowed=rows.get_column("allowed_t").to_list(),
        remaining_budget=remaining,
        summary={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in summary.items()},
    )


def title(data: ChartData) -> str:
    verdict = (
        "on a Paris-aligned path"
        if data.summary.get("meets_paris")
        else "not on a Paris-aligned path"
    )
    if data.summary.get("meets_paris") is None:
        verdict = data.summary.get("scope_status") or "no verdict"
    return f"{data.kommun}: {data.method} ({data.gas}), as of {data.as_of_year}: {verdict}"


def render_png(data: ChartData) -> bytes:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, height_ratios=[3, 1.4])

    def plot(axis, values, **style):
        axis.plot(data.years, [None if v is None else v / 1000 for v in values], **style)

    plot(top, data.actual, color="#1f3b73", marker="o", linewidth=2, label="actual (SMHI)")
    plot(
        top,
        data.approximated,
        color="#1f3b73",
        linestyle="--",
        marker="o",
        markerfacecolor="white",
        label="approximated (trend)",
    )
    plot(top, data.trend, color="#c0392b", linestyle=":", linewidth=2, label="trend")
    plot(top, data.allowed, color="#27ae60", linewidth=2, label="allowed path")
    top.set_ylabel(f"kt {data.gas} per year")
    top.set_ylim(bottom=0)
    top.axvline(data.as_of_year, color="#999", linewidth=0.8)
    top.legend(loc="upper right", frameon=False)
    top.set_title(title(data), fontsize=11)
    plot(
        bottom,
        data.remaining_budget,
        color="#8e44ad",
        linewidth=2,
        label="budget left on the trend",
    )
    bottom.axhline(0, color="#333", linewidth=0.8)
    bottom.set_ylabel(f"kt {data.gas} left")
    bottom.legend(loc="upper right", frameon=False)
    footer = (
        f"trend sum {fmt_t(data.summary.get('trend_sum_t'))} vs allowed "
        f"{fmt_t(data.summary.get('allowed_sum_t'))}; net zero "
        f"{data.summary.get('net_zero_date') or 'never on this trend'}; budget exhausted "
        f"{data.summary.get('budget_exhausted_date') or 'not on this trend'}"
    )
    fig.text(0.01, 0.01, footer, fontsize=8, color="#555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def fmt_t(value) -> str:
    return "n/a" if value is None else f"{value:,.0f} t"


def render_html(data: ChartData) -> str:
    payload = json.dumps(asdict(data), ensure_ascii=False).replace("</", "<\\/")
    return (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("{{TITLE}}", _escape(title(data)))
        .replace("{{DATA}}", payload)
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_charts(
    run: TrajectoryRun, reports_dir: Path, kommun_kod: str, kommun_namn: str
) -> dict[str, dict]:
    """PNG and HTML per method for one kommun; returns {method: {png, html, png_bytes}}."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for summary in run.summary.filter(pl.col("kommun_kod") == kommun_kod).iter_rows(named=True):
        yearly = run.yearly.filter(
            (pl.col("kommun_kod") == kommun_kod) & (pl.col("method") == summary["method"])
        )
        if yearly.height == 0:
            continue
        data = chart_data(yearly, summary, kommun_namn)
        stem = reports_dir / f"trajectory_{kommun_kod}_{summary['method']}"
        png = render_png(data)
        stem.with_suffix(".png").write_bytes(png)
        stem.with_suffix(".html").write_text(render_html(data), encoding="utf-8")
        written[summary["method"]] = {
            "png": stem.with_suffix(".png"),
            "html": stem.with_suffix(".html"),
            "png_bytes": png,
        }
    return written


def chart_markdown(written: dict[str, dict]) -> str:
    """The charts inline (PNG) for the asset's metadata, each with the path of its HTML."""
    parts = []
    for method, files in written.items():
        encoded = base64.b64encode(files["png_bytes"]).decode("ascii")
        parts.append(
            f"### {method}\n\n![{method}](data:image/png;base64,{encoded})\n\n"
            f"Interactive: `{files['html']}`"
        )
    return "\n\n".join(parts)
