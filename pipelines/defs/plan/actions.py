"""Actions as changes to what emits, the activities they change, and the portfolio loader.

An ACTIVITY is something that emits: a quantity in physical units (MWh of fuel, vehicle-km,
heated m², tonnes of product) split over fuels or heating types, each with an emission factor in
t CO2e per unit. It sits in one SMHI main sector (territorial activities) or outside SMHI's
inventory (`scope2`: grid electricity and heat used, GPC scope 2), and in one GPC sector. Its
business-as-usual quantity follows its SMHI sector's trend (territorial) or a constant or
annual rate (scope 2). What a sector emits beyond its listed activities is its residual, which
no action touches.

An ACTION changes one activity, in one of four ways (`change`, Swedish as the template shows):
- `relativ`:         the activity's quantity x (1 + effect); effect -0.3 = a 30 % cut (>= -1)
- `absolut`:         the activity's quantity + effect, in the activity's unit (may go below
                     zero: the engine caps at zero and flags)
- `bränslebyte`:     a share (0..1) of `from_fuel` moves to `to_fuel`; `energy_ratio` units of
                     the new fuel replace one unit of the old (0.35 for a heat pump replacing
                     direct electric heating counted in MWh; 1 for m² or vehicle-km)
- `emissionsfaktor`: the factor of `fuel` (or of every fuel) x (1 + effect)
with a low, central and high effect (the low effect is the smaller change), a start year, a
linear ramp over `ramp_years` (0 or 1 = full effect in the start year) and a lifetime in years
counted from the start year (outside it the action has no effect). Investment (SEK, spread
evenly over the ramp-up years) and the yearly operating cost (+) or saving (-) come with who
pays: funding rows (payer, source, share of the investment, secured or not); what no row covers
is unidentified funding, part of the climate-investment plan's gap.

Tracking: status (planerad, beslutad, pågående, genomförd, avbruten) with a reason when it was
set by hand (and always for avbruten), per cent done, the responsible organisation
(huvudansvarig) and collaborators (medverkande), a contact, a KPI (a Kolada id, a meter customer
category or a partner-reported figure) with its expected path, dependencies (`depends_on`),
`superseded_by`, and co-benefits on CityCatalyst's -2..2 scale. An action that is avbruten or
superseded is not in the plan (it is kept and flagged, never silently dropped).

Where the fields come from (read, nothing copied):
- kausaltech/kausal-watch actions/models/action.py: responsible parties with a role
  (primary / collaborator -> huvudansvarig / medverkande), contact persons, status with
  `manual_status` + `manual_status_reason` (-> status_set_by_hand + status_reason),
  `completion` (-> percent_done), start and end dates (-> start_year, lifetime_years),
  indicators (-> the KPI), dependency relationships (-> depends_on), `superseded_by`.
- kausaltech/kausal-paths (AGPL; read only) nodes/actions/action.py and nodes/costs.py: an
  action changes a node of an activity-to-emissions graph; its impact is the output with the
  action enabled minus the output without it; cost efficiency is discounted cost over impact;
  costs are kept by who pays. Here the graph is flattened to activity x fuel x factor.
- Open-Earth-Foundation/CityCatalyst hiap/app/prioritizer/schema/generic_action_schema.json:
  the co-benefit keys and their -2..2 scale (air_quality, water_quality, habitat,
  cost_of_living, housing, mobility, stakeholder_engagement), GPC sectors per action,
  dependencies, KPIs and the implementation timeline.
- NetZeroCities' Climate City Contract (Action Plan module B-2 portfolio, Climate Investment
  Plan): investment per year, sector and payer, funding sources and the funding gap
  (from the published description as recalled; the templates were not checked offline).

`load_portfolio(directory)` reads the five CSV files of a portfolio (see FILES); every problem
names the file, the line and the field, and all problems of all files come back together
(PortfolioError). `actions_from_records` and `activities_from_records` take the same keys from
any source (the partner template's frames later), typed or as text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# SMHI main sectors by the warehouse's code (dbt seed smhi_sector_names.csv, huvudsektor rows).
SMHI_SECTORS = (
    "transport",
    "industry",
    "electricity_district_heating",
    "own_heating",
    "off_road_machinery",
    "agriculture",
    "product_use",
    "waste",
    "international_transport",
)
INVENTORIES = ("territorial", "scope2")
ACTIVITY_KINDS = ("fuel_use", "vehicle_km", "heated_area", "process")
RELATIVE, ABSOLUTE, FUEL_SWITCH, FACTOR_CHANGE = (
    "relativ",
    "absolut",
    "bränslebyte",
    "emissionsfaktor",
)
CHANGE_KINDS = (RELATIVE, ABSOLUTE, FUEL_SWITCH, FACTOR_CHANGE)
STATUSES = ("planerad", "beslutad", "pågående", "genomförd", "avbruten")
CANCELLED, COMPLETED = "avbruten", "genomförd"
DECIDED = ("beslutad", "pågående", "genomförd")  # the "beslutade" scenario
PAYERS = (
    "kommun",
    "kommunalt bolag",
    "region",
    "näringsliv",
    "hushåll",
    "statligt stöd",
    "EU-stöd",
)
GRANT_PAYERS = ("statligt stöd", "EU-stöd")
ROLES = ("huvudansvarig", "medverkande")
KPI_KINDS = ("kolada", "mätare", "partner")
CO_BENEFITS = (
    "air_quality",
    "water_quality",
    "habitat",
    "cost_of_living",
    "housing",
    "mobility",
    "stakeholder_engagement",
)
SECTOR_GROWTH, CONSTANT_GROWTH = "sector", "constant"
FIRST_YEAR, LAST_YEAR = 1990, 2100
SHARE_TOLERANCE = 1e-6

GPC_REF = re.compile(r"^(I|II|III|IV|V|VI)(\.\d+){1,2}$")
KOLADA_ID = re.compile(r"^[A-Z]\d{5}$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ActivityFuel:
    fuel: str
    base_share: float  # share of the activity's quantity in the base year (the shares sum to 1)
    factor_t_per_unit: float  # t CO2e per unit of the activity on this fuel


@dataclass(frozen=True)
class Activity:
    activity_id: str
    name: str
    kind: str  # ACTIVITY_KINDS
    unit: str  # MWh, fordonskm, m², t
    smhi_sector: str | None  # SMHI_SECTORS; None for scope 2
    gpc_ref: str  # e.g. I.3.1
    inventory: str  # territorial | scope2
    base_year: int
    base_quantity: float
    fuels: tuple[ActivityFuel, ...]
    bau_growth: str | float  # "sector" (territorial), "constant", or a yearly rate (scope 2)
    source: str = ""
    is_assumption: bool = True
    is_synthetic: bool = False
    line: int | None = field(default=None, compare=False)  # its line in the file it came from

    @property
    def base_emissions_t(self) -> float:
        return self.base_quantity * sum(f.base_share * f.factor_t_per_unit for f in self.fuels)

    @property
    def fuel_names(self) -> tuple[str, ...]:
        return tuple(f.fuel for f in self.fuels)


@dataclass(frozen=True)
class Effect:
    low: float
    central: float
    high: float

    @property
    def bounds(self) -> tuple[float, float]:
        return min(self.low, self.high), max(self.low, self.high)


@dataclass(frozen=True)
class Funding:
    payer: str  # PAYERS
    funding_source: str  # e.g. "Klimatklivet (Naturvårdsverket)", "egen budget"
    share: float  # of the investment, 0..1
    secured: bool  # decided / granted


@dataclass(frozen=True)
class Responsible:
    organisation: str
    role: str  # ROLES


@dataclass(frozen=True)
class Kpi:
    kind: str  # KPI_KINDS
    ref: str  # Kolada id, meter customer category, or the partner figure's name
    unit: str = ""
    # (year, value): for a meter KPI the expected change of weather-corrected energy against
    # the same months before the start, as a share (-0.08 = 8 % less); else the KPI's value.
    expected: tuple[tuple[int, float], ...] = ()

    def expected_for(self, year: int) -> float | None:
        return dict(self.expected).get(year)


@dataclass(frozen=True)
class Action:
    action_id: str
    partner_id: str  # who reports it (the kommun's own actions: borlange_kommun)
    title: str
    activity_id: str
    change: str  # CHANGE_KINDS
    effect: Effect
    start_year: int
    ramp_years: int
    lifetime_years: int
    status: str  # STATUSES
    smhi_sector: str | None = None
    gpc_ref: str = ""
    description: str = ""
    from_fuel: str | None = None
    to_fuel: str | None = None
    energy_ratio: float = 1.0
    fuel: str | None = None  # emissionsfaktor: the fuel whose factor changes; None = every fuel
    investment_sek: float = 0.0
    opex_sek_per_year: float = 0.0  # + cost, - saving, per year in force (scaled by the ramp)
    opex_payer: str | None = None
    funding: tuple[Funding, ...] = ()
    status_set_by_hand: bool = False
    status_reason: str = ""
    percent_done: float = 0.0
    responsible: tuple[Responsible, ...] = ()
    contact_name: str = ""
    contact_email: str = ""
    kpi: Kpi | None = None
    depends_on: tuple[str, ...] = ()
    superseded_by: str | None = None
    co_benefits: tuple[tuple[str, int], ...] = ()
    is_synthetic: bool = False
    source: str = ""
    assumptions: str = ""
    line: int | None = field(default=None, compare=False)  # its line in the file it came from

    @property
    def in_plan(self) -> bool:
        """Cancelled and superseded actions stay in the portfolio but not in the plan."""
        return self.status != CANCELLED and self.superseded_by is None

    @property
    def last_year(self) -> int:
        return self.start_year + self.lifetime_years - 1

    @property
    def investment_years(self) -> int:
        return max(1, self.ramp_years)

    def fraction(self, years: np.ndarray) -> np.ndarray:
        """Share of the full effect in force each year: a linear ramp from the start year
        (1/ramp, 2/ramp, ... 1), zero before the start and after the lifetime."""
        years = np.asarray(years)
        ramp = max(1, self.ramp_years)
        ramped = np.minimum(1.0, (years - self.start_year + 1) / ramp)
        inside = (years >= self.start_year) & (years <= self.last_year)
        return np.where(inside, ramped, 0.0)

    @property
    def primary_organisation(self) -> str | None:
        return next((r.organisation for r in self.responsible if r.role == "huvudansvarig"), None)

    @property
    def secured_share(self) -> float:
        return sum(f.share for f in self.funding if f.secured)


@dataclass(frozen=True)
class Portfolio:
    activities: tuple[Activity, ...]
    actions: tuple[Action, ...]
    is_synthetic: bool = False
    activity_by_id: dict = field(init=False, repr=False, compare=False)
    action_by_id: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "activity_by_id", {a.activity_id: a for a in self.activities})
        object.__setattr__(self, "action_by_id", {a.action_id: a for a in self.actions})

    @property
    def plan_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.in_plan)


# ---------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class PlanProblem:
    """One thing wrong, where: the file (or source name), its line, the field; a stable code."""

    file: str
    row: int | None
    field: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.row}" if self.row is not None else "")
        where += f" [{self.field}]" if self.field else ""
        return f"{where}: {self.message} ({self.code})"


class PortfolioError(ValueError):
    def __init__(self, problems: list[PlanProblem]):
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the portfolio:\n{shown}{more}")


# ---------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # text | int | float | bool | choice | list | email
    required: bool = False
    allowed: tuple = ()
    minimum: float | None = None
    maximum: float | None = None


ACTIVITY_FIELDS = (
    Field("activity_id", "text", True),
    Field("name", "text", True),
    Field("kind", "choice", True, ACTIVITY_KINDS),
    Field("unit", "text", True),
    Field("smhi_sector", "choice", False, SMHI_SECTORS),
    Field("gpc_ref", "text", True),
    Field("inventory", "choice", True, INVENTORIES),
    Field("base_year", "int", True, minimum=FIRST_YEAR, maximum=LAST_YEAR),
    Field("base_quantity", "float", True, minimum=0),
    Field("bau_growth", "text", True),
    Field("source", "text", True),
    Field("is_assumption", "bool", True),
    Field("is_synthetic", "bool", False),
)
ACTIVITY_FUEL_FIELDS = (
    Field("activity_id", "text", True),
    Field("fuel", "text", True),
    Field("base_share", "float", True, minimum=0, maximum=1),
    Field("factor_t_per_unit", "float", True, minimum=0),
    Field("source", "text", False),
)
ACTION_FIELDS = (
    Field("action_id", "text", True),
    Field("partner_id", "text", True),
    Field("title", "text", True),
    Field("description", "text", False),
    Field("smhi_sector", "choice", False, SMHI_SECTORS),
    Field("gpc_ref", "text", True),
    Field("activity_id", "text", True),
    Field("change", "choice", True, CHANGE_KINDS),
    Field("from_fuel", "text", False),
    Field("to_fuel", "text", False),
    Field("energy_ratio", "float", False, minimum=0),
    Field("fuel", "text", False),
    Field("effect_low", "float", True),
    Field("effect_central", "float", True),
    Field("effect_high", "float", True),
    Field("start_year", "int", True, minimum=FIRST_YEAR, maximum=LAST_YEAR),
    Field("ramp_years", "int", True, minimum=0, maximum=50),
    Field("lifetime_years", "int", True, minimum=1, maximum=100),
    Field("investment_sek", "float", True, minimum=0),
    Field("opex_sek_per_year", "float", False),
    Field("opex_payer", "choice", False, PAYERS),
    Field("status", "choice", True, STATUSES),
    Field("status_set_by_hand", "bool", False),
    Field("status_reason", "text", False),
    Field("percent_done", "float", False, minimum=0, maximum=100),
    Field("responsible_org", "text", True),
    Field("collaborators", "list", False),
    Field("contact_name", "text", False),
    Field("contact_email", "email", False),
    Field("kpi_kind", "choice", False, KPI_KINDS),
    Field("kpi_ref", "text", False),
    Field("kpi_unit", "text", False),
    Field("depends_on", "list", False),
    Field("superseded_by", "text", False),
    *(Field(f"co_{key}", "int", False, minimum=-2, maximum=2) for key in CO_BENEFITS),
    Field("is_synthetic", "bool", False),
    Field("source", "text", False),
    Field("assumptions", "text", False),
)
FUNDING_FIELDS = (
    Field("action_id", "text", True),
    Field("payer", "choice", True, PAYERS),
    Field("funding_source", "text", True),
    Field("share", "float", True, minimum=0, maximum=1),
    Field("secured", "bool", True),
)
KPI_PATH_FIELDS = (
    Field("action_id", "text", True),
    Field("year", "int", True, minimum=FIRST_YEAR, maximum=LAST_YEAR),
    Field("expected_value", "float", True),
)
FILES = {
    "activities": ("activities.csv", ACTIVITY_FIELDS),
    "activity_fuels": ("activity_fuels.csv", ACTIVITY_FUEL_FIELDS),
    "actions": ("actions.csv", ACTION_FIELDS),
    "funding": ("action_funding.csv", FUNDING_FIELDS),
    "kpi_path": ("action_kpi_path.csv", KPI_PATH_FIELDS),
}
TRUE_WORDS = {"ja": True, "true": True, "1": True, "nej": False, "false": False, "0": False}


@dataclass(frozen=True)
class Record:
    """One parsed row: where it came from and its typed values by key (None when empty)."""

    file: str
    row: int | None
    values: dict

    def __getitem__(self, key: str):
        return self.values.get(key)

    def problem(self, key: str | None, code: str, message: str) -> PlanProblem:
        return PlanProblem(self.file, self.row, key, code, message)


def parse_records(
    rows: Iterable[tuple[int | None, Mapping]], fields: tuple[Field, ...], file: str
) -> tuple[list[Record], list[PlanProblem]]:
    """Typed records from (row number, {key: value}) pairs; a value may be text or typed."""
    records, problems = [], []
    for row, raw in rows:
        values, row_problems = {}, []
        for spec in fields:
            value, message = parse_value(spec, raw.get(spec.key))
            if message:
                row_problems.append(
                    PlanProblem(file, row, spec.key, f"invalid_{spec.kind}", message)
                )
            elif value is None and spec.required:
                row_problems.append(
                    PlanProblem(file, row, spec.key, "missing_value", f"{spec.key} is required")
                )
            values[spec.key] = value
        problems += row_problems
        records.append(Record(file, row, values))
    return records, problems


def parse_value(spec: Field, value) -> tuple[object, str | None]:
    """(typed value or None, None) or (None, what is wrong)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return ([] if spec.kind == "list" else None), None
    if isinstance(value, float) and math.isnan(value):
        return None, None
    text = value.strip() if isinstance(value, str) else value
    try:
        if spec.kind in ("int", "float"):
            number = _number(text, spec.kind)
            if spec.minimum is not None and number < spec.minimum:
                return None, f"{spec.key} must be at least {spec.minimum:g}, got {text!r}"
            if spec.maximum is not None and number > spec.maximum:
                return None, f"{spec.key} must be at most {spec.maximum:g}, got {text!r}"
            return number, None
        if spec.kind == "bool":
            if isinstance(text, bool):
                return text, None
            flag = TRUE_WORDS.get(str(text).casefold())
            if flag is None:
                return None, f"{spec.key} must be ja or nej, got {text!r}"
            return flag, None
        if spec.kind == "choice":
            if text not in spec.allowed:
                return (
                    None,
                    f"{spec.key} must be one of {', '.join(map(str, spec.allowed))}, got {text!r}",
                )
            return text, None
        if spec.kind == "list":
            items = text if isinstance(text, (list, tuple)) else str(text).split(";")
            return [str(i).strip() for i in items if str(i).strip()], None
        if spec.kind == "email":
            if not EMAIL.match(str(text)):
                return None, f"{spec.key} must be an e-mail address, got {text!r}"
            return str(text), None
        return str(text), None
    except ValueError:
        return (
            None,
            f"{spec.key} must be a {_KIND_WORDS[spec.kind]}, got {text!r}",
        )


_KIND_WORDS = {"int": "whole number", "float": "number"}


def _number(text, kind: str) -> float | int:
    if isinstance(text, bool):
        raise ValueError(text)
    number = float(text) if not isinstance(text, (int, float)) else text
    if not math.isfinite(number):
        raise ValueError(text)
    if kind == "int":
        if float(number) != int(number):
            raise ValueError(text)
        return int(number)
    return float(number)


# ---------------------------------------------------------------------------- activities


def activities_from_records(
    activity_rows: Iterable[tuple[int | None, Mapping]],
    fuel_rows: Iterable[tuple[int | None, Mapping]],
    *,
    activities_file: str = "activities",
    fuels_file: str = "activity_fuels",
) -> tuple[list[Activity], list[PlanProblem]]:
    records, problems = parse_records(activity_rows, ACTIVITY_FIELDS, activities_file)
    fuel_records, fuel_problems = parse_records(fuel_rows, ACTIVITY_FUEL_FIELDS, fuels_file)
    problems += fuel_problems
    problems += _duplicates(records, ("activity_id",))
    problems += _duplicates(fuel_records, ("activity_id", "fuel"))
    fuels_by_activity: dict[str, list[Record]] = defaultdict(list)
    known = {r["activity_id"] for r in records}
    for fuel in fuel_records:
        if fuel["activity_id"] is not None and fuel["activity_id"] not in known:
            problems.append(
                fuel.problem(
                    "activity_id", "unknown_activity", f"no activity {fuel['activity_id']!r}"
                )
            )
        fuels_by_activity[fuel["activity_id"]].append(fuel)
    activities = []
    for record in records:
        activity, activity_problems = _activity(
            record, fuels_by_activity.get(record["activity_id"], [])
        )
        problems += activity_problems
        if activity is not None:
            activities.append(activity)
    return activities, problems


def _activity(
    record: Record, fuel_records: list[Record]
) -> tuple[Activity | None, list[PlanProblem]]:
    problems: list[PlanProblem] = []
    if record["activity_id"] is not None and not IDENTIFIER.match(record["activity_id"]):
        problems.append(
            record.problem("activity_id", "invalid_identifier", "use letters, digits, _ . -")
        )
    if record["gpc_ref"] is not None and not GPC_REF.match(record["gpc_ref"]):
        problems.append(
            record.problem(
                "gpc_ref",
                "invalid_gpc_ref",
                f"a GPC reference like I.3.1, got {record['gpc_ref']!r}",
            )
        )
    territorial = record["inventory"] == "territorial"
    if territorial and record["smhi_sector"] is None:
        problems.append(
            record.problem(
                "smhi_sector", "missing_value", "a territorial activity needs its SMHI main sector"
            )
        )
    if record["inventory"] == "scope2" and record["smhi_sector"] is not None:
        problems.append(
            record.problem(
                "smhi_sector",
                "scope2_with_sector",
                "a scope-2 activity is outside SMHI's inventory: leave smhi_sector empty",
            )
        )
    growth, growth_problem = _growth(record["bau_growth"], territorial)
    if growth_problem:
        problems.append(record.problem("bau_growth", "invalid_bau_growth", growth_problem))
    if not fuel_records:
        problems.append(
            record.problem(None, "no_fuels", "the activity has no rows in activity_fuels")
        )
    shares = sum(f["base_share"] or 0.0 for f in fuel_records)
    if fuel_records and abs(shares - 1.0) > SHARE_TOLERANCE:
        problems.append(
            record.problem(
                None, "fuel_shares_not_one", f"its fuels' base shares sum to {shares:g}, not 1"
            )
        )
    if problems or any(record[f.key] is None for f in ACTIVITY_FIELDS if f.required):
        return None, problems
    fuels = tuple(
        ActivityFuel(f["fuel"], f["base_share"], f["factor_t_per_unit"])
        for f in fuel_records
        if f["fuel"] is not None
        and f["base_share"] is not None
        and f["factor_t_per_unit"] is not None
    )
    return Activity(
        activity_id=record["activity_id"],
        name=record["name"],
        kind=record["kind"],
        unit=record["unit"],
        smhi_sector=record["smhi_sector"],
        gpc_ref=record["gpc_ref"],
        inventory=record["inventory"],
        base_year=record["base_year"],
        base_quantity=record["base_quantity"],
        fuels=fuels,
        bau_growth=growth,
        source=record["source"],
        is_assumption=record["is_assumption"],
        is_synthetic=bool(record["is_synthetic"]),
        line=record.row,
    ), problems


def _growth(text, territorial: bool) -> tuple[str | float | None, str | None]:
    if text is None:
        return None, None
    if territorial:
        if text != SECTOR_GROWTH:
            return None, "a territorial activity follows its SMHI sector's trend: write sector"
        return SECTOR_GROWTH, None
    if text == CONSTANT_GROWTH:
        return CONSTANT_GROWTH, None
    try:
        rate = float(text)
    except ValueError:
        return None, f"constant or a yearly rate like -0.01, got {text!r}"
    if not math.isfinite(rate) or rate <= -1:
        return None, f"a yearly rate above -1, got {text!r}"
    return rate, None


# ---------------------------------------------------------------------------- actions


def actions_from_records(
    action_rows: Iterable[tuple[int | None, Mapping]],
    funding_rows: Iterable[tuple[int | None, Mapping]] = (),
    kpi_rows: Iterable[tuple[int | None, Mapping]] = (),
    *,
    actions_file: str = "actions",
    funding_file: str = "action_funding",
    kpi_file: str = "action_kpi_path",
) -> tuple[list[Action], list[PlanProblem]]:
    records, problems = parse_records(action_rows, ACTION_FIELDS, actions_file)
    funding, funding_problems = parse_records(funding_rows, FUNDING_FIELDS, funding_file)
    paths, path_problems = parse_records(kpi_rows, KPI_PATH_FIELDS, kpi_file)
    problems += funding_problems + path_problems
    problems += _duplicates(records, ("action_id",))
    problems += _duplicates(funding, ("action_id", "payer", "funding_source"))
    problems += _duplicates(paths, ("action_id", "year"))
    known = {r["action_id"]: r for r in records}
    for child in (*funding, *paths):
        if child["action_id"] is not None and child["action_id"] not in known:
            problems.append(
                child.problem("action_id", "unknown_action", f"no action {child['action_id']!r}")
            )
    funding_by_action: dict[str, list[Record]] = defaultdict(list)
    for row in funding:
        funding_by_action[row["action_id"]].append(row)
    path_by_action: dict[str, list[Record]] = defaultdict(list)
    for row in paths:
        path_by_action[row["action_id"]].append(row)
    actions = []
    for record in records:
        action, action_problems = _action(
            record,
            funding_by_action.get(record["action_id"], []),
            path_by_action.get(record["action_id"], []),
        )
        problems += action_problems
        if action is not None:
            actions.append(action)
    return actions, problems


def _action(
    record: Record, funding: list[Record], path: list[Record]
) -> tuple[Action | None, list[PlanProblem]]:
    problems = _action_row_rules(record)
    total_share = sum(f["share"] or 0.0 for f in funding)
    if total_share > 1 + SHARE_TOLERANCE:
        problems.append(
            funding[-1].problem(
                "share",
                "funding_over_investment",
                f"the funding shares of {record['action_id']} sum to {total_share:g}, more than 1",
            )
        )
    if path and record["kpi_kind"] is None:
        problems.append(
            path[0].problem(
                "action_id",
                "path_without_kpi",
                f"{record['action_id']} has an expected path but no KPI",
            )
        )
    if problems or any(record[f.key] is None for f in ACTION_FIELDS if f.required):
        return None, problems
    responsible = (Responsible(record["responsible_org"], "huvudansvarig"),) + tuple(
        Responsible(org, "medverkande") for org in record["collaborators"]
    )
    kpi = None
    if record["kpi_kind"] is not None:
        kpi = Kpi(
            record["kpi_kind"],
            record["kpi_ref"],
            record["kpi_unit"] or "",
            tuple(sorted((p["year"], p["expected_value"]) for p in path if p["year"] is not None)),
        )
    return Action(
        action_id=record["action_id"],
        partner_id=record["partner_id"],
        title=record["title"],
        description=record["description"] or "",
        smhi_sector=record["smhi_sector"],
        gpc_ref=record["gpc_ref"],
        activity_id=record["activity_id"],
        change=record["change"],
        from_fuel=record["from_fuel"],
        to_fuel=record["to_fuel"],
        energy_ratio=1.0 if record["energy_ratio"] is None else record["energy_ratio"],
        fuel=record["fuel"],
        effect=Effect(record["effect_low"], record["effect_central"], record["effect_high"]),
        start_year=record["start_year"],
        ramp_years=record["ramp_years"],
        lifetime_years=record["lifetime_years"],
        investment_sek=record["investment_sek"],
        opex_sek_per_year=record["opex_sek_per_year"] or 0.0,
        opex_payer=record["opex_payer"],
        funding=tuple(
            Funding(f["payer"], f["funding_source"], f["share"], f["secured"])
            for f in funding
            if None not in (f["payer"], f["funding_source"], f["share"], f["secured"])
        ),
        status=record["status"],
        status_set_by_hand=bool(record["status_set_by_hand"]),
        status_reason=record["status_reason"] or "",
        percent_done=record["percent_done"] or 0.0,
        responsible=responsible,
        contact_name=record["contact_name"] or "",
        contact_email=record["contact_email"] or "",
        kpi=kpi,
        depends_on=tuple(record["depends_on"]),
        superseded_by=record["superseded_by"],
        co_benefits=tuple(
            (key, record[f"co_{key}"]) for key in CO_BENEFITS if record[f"co_{key}"] is not None
        ),
        is_synthetic=bool(record["is_synthetic"]),
        source=record["source"] or "",
        assumptions=record["assumptions"] or "",
        line=record.row,
    ), problems


def _action_row_rules(record: Record) -> list[PlanProblem]:
    """The rules one row can be checked by on its own (cross-record rules: validate_portfolio)."""
    out: list[PlanProblem] = []
    if record["action_id"] is not None and not IDENTIFIER.match(record["action_id"]):
        out.append(record.problem("action_id", "invalid_identifier", "use letters, digits, _ . -"))
    if record["gpc_ref"] is not None and not GPC_REF.match(record["gpc_ref"]):
        out.append(
            record.problem(
                "gpc_ref",
                "invalid_gpc_ref",
                f"a GPC reference like I.3.1, got {record['gpc_ref']!r}",
            )
        )
    out += _effect_rules(record)
    change = record["change"]
    if change == FUEL_SWITCH:
        for key in ("from_fuel", "to_fuel"):
            if record[key] is None:
                out.append(record.problem(key, "missing_value", f"a bränslebyte needs {key}"))
        if record["from_fuel"] is not None and record["from_fuel"] == record["to_fuel"]:
            out.append(
                record.problem(
                    "to_fuel", "switch_to_same_fuel", "to_fuel must differ from from_fuel"
                )
            )
        if record["energy_ratio"] is not None and record["energy_ratio"] <= 0:
            out.append(
                record.problem("energy_ratio", "invalid_float", "energy_ratio must be above 0")
            )
    else:
        for key in ("from_fuel", "to_fuel", "energy_ratio"):
            if record[key] is not None:
                out.append(
                    record.problem(
                        key, "field_not_used", f"{key} is only for a bränslebyte; leave it empty"
                    )
                )
    if change != FACTOR_CHANGE and record["fuel"] is not None:
        out.append(
            record.problem(
                "fuel",
                "field_not_used",
                "fuel is only for an emissionsfaktor change; leave it empty",
            )
        )
    ramp, lifetime = record["ramp_years"], record["lifetime_years"]
    if ramp is not None and lifetime is not None and ramp > lifetime:
        out.append(
            record.problem(
                "ramp_years",
                "ramp_longer_than_lifetime",
                f"ramp_years {ramp} is longer than lifetime_years {lifetime}",
            )
        )
    if (record["status_set_by_hand"] or record["status"] == CANCELLED) and not record[
        "status_reason"
    ]:
        why = "was set by hand" if record["status_set_by_hand"] else "is avbruten"
        out.append(
            record.problem(
                "status_reason",
                "status_without_reason",
                f"the status {why}: say why in status_reason",
            )
        )
    if (
        record["status"] == COMPLETED
        and record["percent_done"] is not None
        and record["percent_done"] != 100
    ):
        out.append(
            record.problem(
                "percent_done",
                "completed_not_100",
                f"a genomförd action is 100 % done, got {record['percent_done']:g}",
            )
        )
    opex = record["opex_sek_per_year"]
    if opex not in (None, 0) and record["opex_payer"] is None:
        out.append(
            record.problem("opex_payer", "missing_value", "who bears the yearly cost or saving?")
        )
    if record["kpi_kind"] is not None and record["kpi_ref"] is None:
        out.append(
            record.problem(
                "kpi_ref",
                "missing_value",
                "a KPI needs its reference (Kolada id, meter category or figure)",
            )
        )
    if record["kpi_kind"] is None and record["kpi_ref"] is not None:
        out.append(
            record.problem(
                "kpi_kind",
                "missing_value",
                "say which kind of KPI kpi_ref is: kolada, mätare or partner",
            )
        )
    if (
        record["kpi_kind"] == "kolada"
        and record["kpi_ref"] is not None
        and not KOLADA_ID.match(record["kpi_ref"])
    ):
        out.append(
            record.problem(
                "kpi_ref",
                "invalid_kolada_id",
                f"a Kolada id like N07713, got {record['kpi_ref']!r}",
            )
        )
    if record["action_id"] is not None and record["action_id"] in (record["depends_on"] or []):
        out.append(
            record.problem("depends_on", "depends_on_itself", "an action cannot depend on itself")
        )
    if record["action_id"] is not None and record["superseded_by"] == record["action_id"]:
        out.append(
            record.problem(
                "superseded_by", "superseded_by_itself", "an action cannot supersede itself"
            )
        )
    return out


def _effect_rules(record: Record) -> list[PlanProblem]:
    values = {k: record[f"effect_{k}"] for k in ("low", "central", "high")}
    if any(v is None for v in values.values()):
        return []
    out = []
    low, high = min(values["low"], values["high"]), max(values["low"], values["high"])
    if not low <= values["central"] <= high:
        out.append(
            record.problem(
                "effect_central",
                "central_outside_range",
                f"effect_central {values['central']:g} is not between effect_low and effect_high",
            )
        )
    change = record["change"]
    for name, value in values.items():
        if change in (RELATIVE, FACTOR_CHANGE) and value < -1:
            out.append(
                record.problem(
                    f"effect_{name}",
                    "cut_beyond_all",
                    f"a {change} change cannot cut more than everything (-1), got {value:g}",
                )
            )
        if change == FUEL_SWITCH and not 0 <= value <= 1:
            out.append(
                record.problem(
                    f"effect_{name}",
                    "share_outside_0_1",
                    f"a bränslebyte moves a share from 0 to 1, got {value:g}",
                )
            )
    return out


def _duplicates(records: list[Record], keys: tuple[str, ...]) -> list[PlanProblem]:
    seen: dict[tuple, int | None] = {}
    out = []
    for record in records:
        key = tuple(record[k] for k in keys)
        if any(k is None for k in key):
            continue
        if key in seen:
            out.append(
                record.problem(
                    keys[0],
                    "duplicate",
                    f"{' / '.join(map(str, key))} is already on line {seen[key]}",
                )
            )
        else:
            seen[key] = record.row
    return out


# ---------------------------------------------------------------------------- the portfolio


def validate_portfolio(
    portfolio: Portfolio,
    *,
    meter_categories: Iterable[str] | None = None,
    actions_file: str = "actions",
    activities_file: str = "activities",
) -> list[PlanProblem]:
    """The rules that need more than one record: activities, fuels, dependencies, chains."""
    out: list[PlanProblem] = []
    for action in portfolio.actions:

        def problem(key, code, message, action=action):
            return PlanProblem(
                actions_file, action.line, key, code, f"{action.action_id}: {message}"
            )

        activity = portfolio.activity_by_id.get(action.activity_id)
        if activity is None:
            out.append(
                problem("activity_id", "unknown_activity", f"no activity {action.activity_id!r}")
            )
            continue
        if action.smhi_sector is not None and action.smhi_sector != activity.smhi_sector:
            out.append(
                problem(
                    "smhi_sector",
                    "sector_mismatch",
                    f"the action says {action.smhi_sector}, its activity "
                    f"{activity.activity_id} is in {activity.smhi_sector}",
                )
            )
        if activity.inventory == "territorial" and action.smhi_sector is None:
            out.append(
                problem(
                    "smhi_sector",
                    "missing_value",
                    f"its activity is in SMHI sector {activity.smhi_sector}: name it",
                )
            )
        if action.gpc_ref and action.gpc_ref != activity.gpc_ref:
            out.append(
                problem(
                    "gpc_ref",
                    "sector_mismatch",
                    f"the action says GPC {action.gpc_ref}, its activity is {activity.gpc_ref}",
                )
            )
        fuels = activity.fuel_names
        for key in ("from_fuel", "to_fuel", "fuel"):
            value = getattr(action, key)
            if value is not None and value not in fuels:
                out.append(
                    problem(
                        key,
                        "unknown_fuel",
                        f"activity {activity.activity_id} has no fuel {value!r} "
                        f"(it has {', '.join(fuels)})",
                    )
                )
        for dependency in action.depends_on:
            if dependency not in portfolio.action_by_id:
                out.append(
                    problem(
                        "depends_on",
                        "unknown_action",
                        f"depends on {dependency!r}, which is not in the portfolio",
                    )
                )
        if action.superseded_by is not None and action.superseded_by not in portfolio.action_by_id:
            out.append(
                problem(
                    "superseded_by",
                    "unknown_action",
                    f"superseded by {action.superseded_by!r}, which is not in the portfolio",
                )
            )
        if (
            action.kpi
            and action.kpi.kind == "mätare"
            and meter_categories is not None
            and action.kpi.ref not in set(meter_categories)
        ):
            out.append(
                problem(
                    "kpi_ref",
                    "unknown_meter_category",
                    f"no meter customer category {action.kpi.ref!r}",
                )
            )
    out += _switch_chains(portfolio, actions_file)
    out += _cycles(portfolio, actions_file)
    out += [
        PlanProblem(
            activities_file,
            a.line,
            "base_quantity",
            "negative_emissions",
            f"{a.activity_id}: base emissions below zero",
        )
        for a in portfolio.activities
        if a.base_emissions_t < 0
    ]
    return out


def _switch_chains(portfolio: Portfolio, actions_file: str) -> list[PlanProblem]:
    """A fuel that one plan action switches TO and another switches FROM on the same activity
    would make the result depend on the order; the engine switches from the business-as-usual
    mix in one pass, so such a chain is refused."""
    out = []
    by_activity: dict[str, list[Action]] = defaultdict(list)
    for action in portfolio.plan_actions:
        if action.change == FUEL_SWITCH:
            by_activity[action.activity_id].append(action)
    for activity_id, switches in by_activity.items():
        targets = {a.to_fuel: a.action_id for a in switches}
        for action in switches:
            if action.from_fuel in targets:
                out.append(
                    PlanProblem(
                        actions_file,
                        action.line,
                        "from_fuel",
                        "chained_switch",
                        f"{action.action_id}: switches from {action.from_fuel}, which "
                        f"{targets[action.from_fuel]} switches to on {activity_id}; "
                        "switch from the original fuel instead",
                    )
                )
    return out


def _cycles(portfolio: Portfolio, actions_file: str) -> list[PlanProblem]:
    graph = {
        a.action_id: [d for d in a.depends_on if d in portfolio.action_by_id]
        for a in portfolio.actions
    }
    state: dict[str, int] = {}
    out = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                line = portfolio.action_by_id[node].line
                out.append(
                    PlanProblem(
                        actions_file,
                        line,
                        "depends_on",
                        "dependency_cycle",
                        f"dependencies go round: {' -> '.join(cycle)}",
                    )
                )
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return out


def load_portfolio(
    directory: Path | str, *, meter_categories: Iterable[str] | None = None
) -> Portfolio:
    """The five CSV files of FILES in `directory` (lines starting with # are comments). Raises
    PortfolioError with every problem found; nothing is returned half-read."""
    directory = Path(directory)
    problems: list[PlanProblem] = []
    rows: dict[str, list] = {}
    synthetic = False
    for key, (name, fields) in FILES.items():
        path = directory / name
        file_rows, file_problems, banner_synthetic = read_csv_rows(path, fields)
        rows[key] = file_rows
        problems += file_problems
        synthetic = synthetic or banner_synthetic
    activities, activity_problems = activities_from_records(
        rows["activities"],
        rows["activity_fuels"],
        activities_file=str(directory / FILES["activities"][0]),
        fuels_file=str(directory / FILES["activity_fuels"][0]),
    )
    actions, action_problems = actions_from_records(
        rows["actions"],
        rows["funding"],
        rows["kpi_path"],
        actions_file=str(directory / FILES["actions"][0]),
        funding_file=str(directory / FILES["funding"][0]),
        kpi_file=str(directory / FILES["kpi_path"][0]),
    )
    problems += activity_problems + action_problems
    portfolio = Portfolio(tuple(activities), tuple(actions), is_synthetic=synthetic)
    if not problems:
        problems += validate_portfolio(
            portfolio,
            meter_categories=meter_categories,
            actions_file=str(directory / FILES["actions"][0]),
            activities_file=str(directory / FILES["activities"][0]),
        )
    if problems:
        raise PortfolioError(problems)
    return portfolio


def read_csv_rows(
    path: Path, fields: tuple[Field, ...]
) -> tuple[list[tuple[int, dict]], list[PlanProblem], bool]:
    """(line number, {heading: text}) per data line; problems for a missing file or heading and
    for headings nobody reads. Comment lines (#) before the headings are skipped; a comment
    saying SYNTHETIC marks the file synthetic."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except FileNotFoundError:
        return (
            [],
            [PlanProblem(name, None, None, "file_not_found", "the file does not exist")],
            False,
        )
    except UnicodeDecodeError:
        return [], [PlanProblem(name, None, None, "not_utf8", "the file is not UTF-8 text")], False
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    synthetic = any("SYNTHETIC" in line.upper() for line in lines[:skipped])
    reader = csv.DictReader(io.StringIO("".join(lines[skipped:])))
    headings = reader.fieldnames or []
    problems = [
        PlanProblem(name, skipped + 1, f.key, "missing_column", f"no column {f.key}")
        for f in fields
        if f.key not in headings and f.required
    ]
    known = {f.key for f in fields}
    problems += [
        PlanProblem(name, skipped + 1, h, "unknown_column", f"no field is called {h!r}")
        for h in headings
        if h not in known
    ]
    if problems:
        return [], problems, synthetic
    out = []
    for record in reader:
        if None in record:
            problems.append(
                PlanProblem(
                    name,
                    skipped + reader.line_num,
                    None,
                    "too_many_fields",
                    "the line has more fields than headings",
                )
            )
            continue
        out.append((skipped + reader.line_num, record))
    return out, problems, synthetic
