"""The API's response bodies as pydantic models: they are the OpenAPI document's schemas and the
examples that /docs shows. The handlers render their bodies themselves (once per build, see
render_cache.py), so these models describe and are never on the request path."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from pipelines.settings import DEFAULT_REPORT_KOMMUN as EXAMPLE_KOMMUN


def example(**values) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class ParameterError(BaseModel):
    parameter: str | None
    in_: str | None = Field(None, alias="in", description="query, path or header")
    detail: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, sent as `application/problem+json`."""

    model_config = example(
        type="about:blank",
        title="Unprocessable Entity",
        status=422,
        detail="unknown sector 'Rymdfart'",
        instance=f"/v1/kommuner/{EXAMPLE_KOMMUN}/emissions",
        parameter="sector",
        allowed=["agriculture", "transport"],
    )
    type: str = Field(description="Always about:blank: the status says what kind of problem.")
    title: str = Field(description="The status's phrase.")
    status: int
    detail: str = Field(description="What is wrong, in one sentence.")
    instance: str | None = Field(None, description="The path asked for.")
    parameter: str | None = Field(None, description="The parameter at fault.")
    allowed: list[str] | None = Field(None, description="The values the parameter may take.")
    unknown: list[str] | None = Field(None, description="Query parameters the route does not take.")
    errors: list[ParameterError] | None = Field(None, description="Every invalid parameter.")


class Health(BaseModel):
    model_config = example(status="ok", build_id="20261207T101500123456Z", built_at="2026-12-07")
    status: str = Field(description="ok")
    build_id: str = Field(description="The published build the API serves.")
    built_at: str | None = Field(description="When that build was made (ISO 8601).")


class Page(BaseModel):
    build_id: str
    total: int = Field(description="Rows in all pages (also the X-Total-Count header).")
    limit: int
    offset: int
    next: str | None = Field(
        description="The next page's URL (also the Link header, rel=next); null on the last page."
    )


class Kommun(BaseModel):
    model_config = example(
        kommun_kod=EXAMPLE_KOMMUN,
        kommun_namn="Borlänge",
        lan_kod="20",
        lan_namn="Dalarnas län",
        population=52_000,
        population_year=2024,
    )
    kommun_kod: str = Field(description="SCB's four-digit code.")
    kommun_namn: str
    lan_kod: str = Field(description="SCB's two-digit län code.")
    lan_namn: str
    population: int | None = Field(description="Residents at the end of population_year.")
    population_year: int | None


class KommunPage(Page):
    items: list[Kommun]


class RankInLan(BaseModel):
    year: int
    gas: str
    tonnes_per_capita: float | None
    unit: str | None
    rank_in_lan: int | None = Field(description="1 = the lowest emissions per resident.")
    kommuner_in_lan: int | None
    rank_in_sweden: int | None
    kommuner_in_sweden: int | None
    vintage: date | None


class KommunDetail(Kommun):
    model_config = example(
        **Kommun.model_config["json_schema_extra"]["examples"][0],
        latest_year=2024,
        latest_tonnes_co2e=412_345.6,
        latest_unit="t CO2e",
        vintage="2026-06-25",
        source_id="smhi_ned",
        rank_in_lan={"year": 2024, "gas": "CO2e", "tonnes_per_capita": 7.9, "rank_in_lan": 12},
    )
    latest_year: int | None
    latest_tonnes_co2e: float | None
    latest_unit: str
    vintage: date | None = Field(description="The SMHI release of the latest figure.")
    source_id: str
    rank_in_lan: RankInLan | None


class EmissionRow(BaseModel):
    model_config = example(
        year=2024,
        sector="Transporter",
        sector_code="transport",
        gas="CO2e",
        tonnes=101_234.5,
        unit="t CO2e",
        vintage="2026-06-25",
        source_id="smhi_ned",
        source="Nationella emissionsdatabasen",
        publisher="SMHI",
        licence="CC-BY-4.0",
    )
    year: int
    sector: str = Field(description="SMHI's main sector (huvudsektor).")
    sector_code: str
    gas: str
    tonnes: float | None
    unit: str
    vintage: date = Field(description="The SMHI release the row comes from.")
    source_id: str
    source: str | None
    publisher: str | None
    licence: str | None


class EmissionsPage(Page):
    items: list[EmissionRow]


class TrajectorySummary(BaseModel):
    """A row of marts.trajectory (every column of the mart; the main ones named here)."""

    model_config = ConfigDict(extra="allow")
    kommun_kod: str
    method: str
    gas: str | None = None
    trend_sum_t: float | None = None
    allowed_sum_t: float | None = None
    meets_paris: bool | None = None


class PathYear(BaseModel):
    year: int
    gas: str | None
    allowed_t: float | None
    emissions_t: float | None
    emissions_kind: str | None
    cumulative_allowed_t: float | None
    cumulative_emissions_t: float | None
    budget_t: float | None
    remaining_budget_t: float | None


class TrajectoryMethod(BaseModel):
    method: str
    summary: TrajectorySummary | None
    path: list[PathYear]


class Trajectory(BaseModel):
    model_config = example(
        kommun_kod=EXAMPLE_KOMMUN,
        methods=[
            {
                "method": "carbon_law",
                "summary": {
                    "kommun_kod": EXAMPLE_KOMMUN,
                    "method": "carbon_law",
                    "meets_paris": False,
                },
                "path": [{"year": 2025, "allowed_t": 350_000.0, "emissions_t": 398_000.0}],
            }
        ],
    )
    kommun_kod: str
    methods: list[TrajectoryMethod]


class NowcastEstimate(BaseModel):
    huvudsektor: str = Field(description="SMHI main sector; 'Alla' is the kommun's total.")
    gas: str = Field(description="'CO2e' or 'CO2'.")
    year: int
    nowcast_t: float = Field(description="The central estimate, tonnes of `gas`.")
    lower_80_t: float
    upper_80_t: float
    lower_95_t: float
    upper_95_t: float
    is_estimate: bool = Field(description="Always true: an estimate, never an SMHI statistic.")
    value_kind: str
    method: str
    vintage: date = Field(description="The SMHI release the estimate starts from.")
    base_year: int = Field(description="SMHI's last year in that release.")
    horizon_years: int
    national_indicator: str | None
    national_value_kind: str | None
    national_vintage: date | None
    uses_synthetic_input: bool = Field(description="True when a synthetic local feed was used.")
    interval_calibration: str | None
    source_id: str


class NowcastBacktest(BaseModel):
    origin_vintage: date
    actual_vintage: date
    gas: str
    kommuner: int
    mae_t: float
    mae_pct: float
    coverage_80: float
    coverage_95: float
    mae_ratio_to_lad: float | None
    mae_ratio_to_persistence: float | None
    mae_ratio_to_national_scaling: float | None
    actual_common_change_share: float = Field(
        description="Share of the scored year's tonnes that SMHI moved by one common factor per "
        "sector (its own scaling where local data was missing), 0-1."
    )


class NowcastParis(BaseModel):
    method: str
    as_of_year: int
    end_year: int
    probability_on_path: float = Field(description="Share of the Monte Carlo draws on the path.")
    meets_paris_central: bool
    meets_paris_trajectory: bool | None
    draws: int


class NowcastBaseYearCell(BaseModel):
    gas: str
    vintage: date = Field(description="The SMHI release.")
    year: int = Field(description="The release's newest year, the nowcast's base year.")
    huvudsektor: str
    tonnes: float = Field(description="SMHI's figure for the year, t.")
    previous_t: float = Field(description="SMHI's figure for the year before, t.")
    ratio: float
    common_factor: float = Field(description="The sector's modal ratio over the kommuner.")


class Nowcast(BaseModel):
    model_config = example(
        kommun_kod=EXAMPLE_KOMMUN,
        is_estimate=True,
        estimates=[
            {
                "huvudsektor": "Alla",
                "gas": "CO2e",
                "year": 2025,
                "nowcast_t": 422_978.4,
                "lower_80_t": 337_269.2,
                "upper_80_t": 508_687.6,
                "is_estimate": True,
            }
        ],
        backtest={"gas": "CO2e", "mae_pct": 3.35, "coverage_80": 0.8, "coverage_95": 0.952},
        paris=[{"method": "carbon_law", "probability_on_path": 0.0}],
    )
    kommun_kod: str
    is_estimate: bool = Field(description="Always true: every figure here is an estimate.")
    estimates: list[NowcastEstimate]
    backtest: NowcastBacktest | None
    paris: list[NowcastParis]
    smhi_preliminary: list[NowcastBaseYearCell] = Field(
        description="The kommun's sectors in SMHI's newest year that moved from the year before by "
        "their sector's common factor: most likely SMHI's own scaling, so SMHI's figure is "
        "preliminary there and will probably be revised (an inference from the figures)."
    )


class ScenarioYear(BaseModel):
    scenario: str = Field(description="bau (business as usual), plan or beslutade.")
    year: int
    inventory: str = Field(description="territorial (SMHI's inventory) or scope2.")
    sector: str = Field(description="SMHI main sector code or GPC reference; 'total'.")
    emissions_t: float | None = Field(description="t CO2e, the engine's central value.")
    emissions_kind: str | None = Field(description="actual, estimated or projected.")
    p10_t: float | None
    p50_t: float | None
    p90_t: float | None
    is_synthetic: bool


class ScenarioSummary(BaseModel):
    scenario: str
    from_year: int
    to_year: int
    goal_year: int | None
    goal_t: float | None = Field(description="The allowed emissions in the goal year, t CO2e.")
    central_goal_year_t: float | None
    p10_goal_year_t: float | None
    p50_goal_year_t: float | None
    p90_goal_year_t: float | None
    p_meets_goal: float | None = Field(description="Share of the draws at or below the goal.")
    p_meets_carbon_law: float | None
    is_synthetic: bool


class Scenarios(BaseModel):
    model_config = example(
        kommun_kod=EXAMPLE_KOMMUN,
        is_projection=True,
        summary=[{"scenario": "plan", "goal_year": 2030, "p_meets_goal": 0.0}],
        years=[{"scenario": "plan", "year": 2030, "sector": "total", "emissions_t": 278_920.0}],
    )
    kommun_kod: str
    is_projection: bool = Field(description="Always true: scenarios are projections.")
    summary: list[ScenarioSummary]
    years: list[ScenarioYear]


class Action(BaseModel):
    action_id: str
    title: str | None
    status: str | None = Field(description="planerad, beslutad, pågående, genomförd, avbruten.")
    percent_done: float | None
    in_plan: bool | None
    smhi_sector: str | None
    gpc_ref: str | None
    impact_t: float | None = Field(description="The plan without it minus the plan, t CO2e.")
    standalone_t: float | None
    cost_per_tonne_sek: float | None
    kpi_kind: str | None
    expected_value: float | None
    realised_value: float | None
    flag: str | None
    is_synthetic: bool


class Actions(BaseModel):
    model_config = example(
        year=2030,
        is_projection=True,
        actions=[{"action_id": "ssab-ugnar", "status": "beslutad", "impact_t": 40_000.0}],
    )
    year: int
    is_projection: bool
    actions: list[Action]


class DatasetColumn(BaseModel):
    name: str
    type: str
    unit: str | None
    description: str | None


class Dataset(BaseModel):
    model_config = example(
        name="fct_emissions",
        description="Territorial emissions per kommun, year, sector and gas",
        rows=1_234_567,
        columns=[{"name": "kommun_kod", "type": "string", "unit": None, "description": "…"}],
        vintage="2026-06-25",
        build_id="20261207T101500123456Z",
        licences=["Creative Commons Attribution 4.0"],
        sources=["SMHI, Nationella emissionsdatabasen"],
        downloads={"csv": "/v1/datasets/fct_emissions.csv"},
    )
    name: str
    description: str | None
    rows: int | None
    columns: list[DatasetColumn]
    vintage: str | None
    build_id: str
    licences: list[str | None]
    sources: list[str | None]
    downloads: dict[str, str] = Field(
        description="Format to URL: relative to the API, or under API_PUBLIC_BASE_URL when set."
    )


class DatasetsPage(Page):
    licence: str | dict | None = Field(description="The attribution the build asks for.")
    items: list[Dataset]
