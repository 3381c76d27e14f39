"""Named trajectory methods, one row each in the dbt seed `trajectory_methods.csv`.

Users add a preset by adding a row; every row is validated here with an error that names
the file, the line and the method, so a typo fails loudly instead of computing nonsense.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("carbon_law", "carbon_budget", "fixed_rate_path")
GASES = ("CO2", "CO2e")
TREND_METHODS = ("lad", "ols")

COLUMNS = (
    "method",
    "kind",
    "gas",
    "trend_method",
    "trend_start_year",
    "reduction_rate",
    "end_year",
    "national_budget_t",
    "overhead_t",
    "overhead_reference_budget_t",
    "budget_year",
    "share_start_year",
    "path_start_year",
    "path_end_year",
    "kommun_kod",
    "excludes",
    "deducts",
    "description",
    "source",
)
# Known deductions the warehouse holds a seed for (subtracted where reported, nothing elsewhere).
DEDUCTIONS = ("cement",)

# Parameters each kind needs; every other parameter must be empty for that kind.
REQUIRED = {
    "carbon_law": ("reduction_rate",),
    "carbon_budget": ("national_budget_t", "budget_year", "share_start_year"),
    "fixed_rate_path": ("reduction_rate", "path_start_year", "path_end_year"),
}
OPTIONAL = {
    "carbon_law": (),
    "carbon_budget": ("overhead_t", "overhead_reference_budget_t"),
    "fixed_rate_path": (),
}
KIND_PARAMETERS = (
    "reduction_rate",
    "national_budget_t",
    "overhead_t",
    "overhead_reference_budget_t",
    "budget_year",
    "share_start_year",
    "path_start_year",
    "path_end_year",
)
INT_FIELDS = {
    "trend_start_year",
    "end_year",
    "budget_year",
    "share_start_year",
    "path_start_year",
    "path_end_year",
}

METHOD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
KOMMUN_KOD = re.compile(r"^\d{4}$")


class PresetError(ValueError):
    """A row of the presets seed that cannot be used."""


@dataclass(frozen=True)
class MethodPreset:
    method: str
    kind: str  # carbon_law | carbon_budget | fixed_rate_path
    gas: str  # CO2 | CO2e: the gas the input emissions must be in
    trend_method: str  # lad | ols
    trend_start_year: int  # first year the trend is fitted on
    end_year: int  # last year of the trajectory
    reduction_rate: float | None = None  # fraction per year (0.1172 = 11.72 %/yr)
    national_budget_t: float | None = None  # carbon_budget: national budget from budget_year
    overhead_t: float | None = None  # carbon_budget: national overheads ...
    overhead_reference_budget_t: float | None = None  # ... stated against this national budget
    budget_year: int | None = None  # carbon_budget: the budget counts from 1 Jan of this year
    share_start_year: int | None = None  # carbon_budget: grandfathering window start
    path_start_year: int | None = None  # fixed_rate_path: the path's base year
    path_end_year: int | None = None  # fixed_rate_path: the path's last year
    kommun_kod: tuple[str, ...] = ()  # only these kommuner get rows; () = all
    excludes: str | None = (
        None  # a partner whose own reported emissions the scope leaves out (SSAB)
    )
    deducts: str | None = None  # a known deduction from a warehouse seed (cement)
    description: str = ""
    source: str = ""

    @property
    def national_budget_net_t(self) -> float | None:
        """The national budget less its pro-rata share of the national overheads:
        B_nat = B - (O / B_ref) * B (methods.md §3.2)."""
        if self.national_budget_t is None:
            return None
        if self.overhead_t is None:
            return self.national_budget_t
        return (
            self.national_budget_t
            - self.overhead_t / self.overhead_reference_budget_t * self.national_budget_t
        )


def default_presets_path() -> Path:
    from pipelines.settings import SEEDS_DIR  # late: keeps the module light for the CLI's --help

    return SEEDS_DIR / "trajectory_methods.csv"


def load_presets(path: Path | str | None = None) -> dict[str, MethodPreset]:
    """Every preset in the seed, by method name, in file order."""
    path = Path(path) if path is not None else default_presets_path()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PresetError(f"{path}: missing column(s) {', '.join(missing)}")
        presets: dict[str, MethodPreset] = {}
        for row in reader:
            where = f"{path}:{reader.line_num} (method {row.get('method')!r})"
            preset = parse_preset(row, where)
            if preset.method in presets:
                raise PresetError(f"{where}: duplicate method name")
            presets[preset.method] = preset
    if not presets:
        raise PresetError(f"{path}: no presets")
    return presets


def parse_preset(row: dict[str, str], where: str = "preset") -> MethodPreset:
    """One seed row (all values as text) to a validated MethodPreset."""
    cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
    values = {name: _parse_cell(name, cells.get(name, ""), where) for name in COLUMNS}
    values["kommun_kod"] = _parse_kommun_codes(cells.get("kommun_kod", ""), where)
    values["description"] = values["description"] or ""
    values["source"] = values["source"] or ""
    _check_identity(values, where)
    if values["deducts"] not in (None, *DEDUCTIONS):
        raise PresetError(
            f"{where}: deducts must be empty or one of {', '.join(DEDUCTIONS)}, got "
            f"{values['deducts']!r}"
        )
    _check_kind_parameters(values, where)
    _check_years_and_rates(values, where)
    return MethodPreset(**values)


def _parse_cell(name: str, text: str, where: str):
    if name in ("kommun_kod",):
        return text
    if text == "":
        return None
    if name in INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            raise PresetError(f"{where}: {name} must be a whole year, got {text!r}") from None
    if name in ("reduction_rate", "national_budget_t", "overhead_t", "overhead_reference_budget_t"):
        try:
            return float(text)
        except ValueError:
            raise PresetError(f"{where}: {name} must be a number, got {text!r}") from None
    return text


def _parse_kommun_codes(text: str, where: str) -> tuple[str, ...]:
    codes = tuple(c for c in re.split(r"[;\s]+", text) if c)
    bad = [c for c in codes if not KOMMUN_KOD.match(c)]
    if bad:
        raise PresetError(
            f"{where}: kommun_kod must be 4-digit codes separated by ';', got {', '.join(bad)}"
        )
    return codes


def _check_identity(values: dict, where: str) -> None:
    if not values["method"] or not METHOD_NAME.match(values["method"]):
        raise PresetError(f"{where}: method must be a lower-case name like carbon_law_2030")
    for name, allowed in (("kind", KINDS), ("gas", GASES), ("trend_method", TREND_METHODS)):
        if values[name] not in allowed:
            raise PresetError(
                f"{where}: {name} must be one of {', '.join(allowed)}, got {values[name]!r}"
            )
    for name in ("trend_start_year", "end_year"):
        if values[name] is None:
            raise PresetError(f"{where}: {name} is required")


def _check_kind_parameters(values: dict, where: str) -> None:
    kind = values["kind"]
    missing = [n for n in REQUIRED[kind] if values[n] is None]
    if missing:
        raise PresetError(f"{where}: kind {kind} needs {', '.join(missing)}")
    stray = [
        n
        for n in KIND_PARAMETERS
        if values[n] is not None and n not in REQUIRED[kind] + OPTIONAL[kind]
    ]
    if stray:
        raise PresetError(f"{where}: kind {kind} does not use {', '.join(stray)}; leave them empty")
    if (values["overhead_t"] is None) != (values["overhead_reference_budget_t"] is None):
        raise PresetError(f"{where}: overhead_t and overhead_reference_budget_t go together")


def _check_years_and_rates(values: dict, where: str) -> None:
    if values["end_year"] <= values["trend_start_year"]:
        raise PresetError(f"{where}: end_year must be after trend_start_year")
    rate = values["reduction_rate"]
    if rate is not None and not 0 < rate < 1:
        raise PresetError(
            f"{where}: reduction_rate is a fraction per year (0.1172 for 11.72 %), got {rate}"
        )
    for name in ("national_budget_t", "overhead_reference_budget_t"):
        if values[name] is not None and values[name] <= 0:
            raise PresetError(f"{where}: {name} must be positive")
    if values["overhead_t"] is not None and values["overhead_t"] < 0:
        raise PresetError(f"{where}: overhead_t must not be negative")
    if values["budget_year"] is not None and values["budget_year"] > values["end_year"]:
        raise PresetError(f"{where}: budget_year must not be after end_year")
    start, stop = values["path_start_year"], values["path_end_year"]
    if start is not None and not start < stop <= values["end_year"]:
        raise PresetError(f"{where}: need path_start_year < path_end_year <= end_year")
