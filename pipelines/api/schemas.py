"""The API's response bodies as pydantic models: they are the OpenAPI document's schemas and the
examples that /docs shows. The handlers render their bodies themselves (once per build, see
render_cache.py), so these models describe and are never on the request path."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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
        instance="/v1/kommuner/2081/emissions",
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
        kommun_kod="2081",
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
        kommun_kod="2081",
        methods=[
            {
                "method": "carbon_law",
                "summary": {"kommun_kod": "2081", "method": "carbon_law", "meets_paris": False},
                "path": [{"year": 2025, "allowed_t": 350_000.0, "emissions_t": 398_000.0}],
            }
        ],
    )
    kommun_kod: str
    methods: list[TrajectoryMethod]


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
