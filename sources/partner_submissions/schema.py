"""The partner-submission schema: ONE definition that drives both the template and the validator.

A submission has five sheets, in this order (Swedish sheet names, as the file shows them):

    Organisation who reports, for which year one-row table (headings in row 1, values in row 2)
    Utsläpp emissions, t CO2e table (headings in row 1, one record per row from row 2) Energi energy
    use, MWh table Åtgärder actions in the climate-investment plan Kolupptag carbon removals, t CO2

Every sheet is a plain table: the Swedish headings in row 1 (the unit, when there is one, is
part of the heading in parentheses, e.g. "Utsläpp (t CO2e)"), the records below. Organisation is
the same layout with exactly one record (row 2), so one reader and one set of checks serve all
sheets. Every column of the template must be present (optional columns may be left empty);
columns are found by heading, so their order does not matter.

Each column has an English snake_case `key` (the column name in the parsed polars frames and in
the warehouse), a Swedish `heading`, a `kind` (which fixes the polars dtype), a unit, whether a
value is required, and a Swedish and English help text (shown in the template's instructions,
as heading comments and as Excel input prompts).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import polars as pl

FIRST_YEAR = 1990  # the first year of Borlänge's (SMHI's) emission statistics
START_YEAR_HORIZON = 50  # an action may start at most this many years after today
INSTRUCTIONS_SHEET = "Instruktioner"
HEADER_ROW = 1  # the headings row in every sheet (1-based, as Excel shows it)
FIRST_DATA_ROW = 2

# The plan's vocabularies (pipelines/defs/plan/actions.py holds the same; a test keeps them equal).
STATUSES = ("planerad", "beslutad", "pågående", "genomförd", "avbruten")
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
CHANGE_KINDS = ("relativ", "absolut", "bränslebyte", "emissionsfaktor")
PAYERS = (
    "kommun",
    "kommunalt bolag",
    "region",
    "näringsliv",
    "hushåll",
    "statligt stöd",
    "EU-stöd",
)
KPI_KINDS = ("kolada", "mätare", "partner")


class Kind(enum.Enum):
    TEXT = "text"
    EMAIL = "email"
    YEAR = "year"  # a whole year
    INTEGER = "integer"  # a whole number (with `allowed`, a choice of numbers: scope)
    DECIMAL = "decimal"  # a number, decimal allowed
    CHOICE = "choice"  # one of `allowed` (text)
    YES_NO = "yes_no"  # ja / nej -> Boolean
    DATE = "date"  # YYYY-MM-DD


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: Kind
    required: bool
    help_sv: str
    help_en: str
    unit: str | None = None
    allowed: tuple = ()
    minimum: float | None = None  # DECIMAL / INTEGER: smallest allowed value
    future_years: bool = True  # YEAR: False -> not after today's year (the reporting year)
    negative_hint_sv: str = ""  # extra advice when the value is negative
    negative_hint_en: str = ""
    # A plan column (the Åtgärder sheet's scenario-model fields, issue 24) may be absent from the
    # file: a submission on the template of before keeps validating.
    plan: bool = False

    @property
    def dtype(self) -> pl.DataType:
        if self.kind in (Kind.TEXT, Kind.EMAIL):
            return pl.String()
        if self.kind in (Kind.YEAR, Kind.INTEGER):
            return pl.Int64()
        if self.kind is Kind.DECIMAL:
            return pl.Float64()
        if self.kind is Kind.CHOICE:
            return pl.Enum(list(self.allowed))
        if self.kind is Kind.YES_NO:
            return pl.Boolean()
        return pl.Date()

    @property
    def required_sv(self) -> str:
        return "obligatorisk" if self.required else "frivillig"

    @property
    def required_en(self) -> str:
        return "required" if self.required else "optional"


@dataclass(frozen=True)
class Sheet:
    key: str  # English key: organisation, emissions, energy, actions, removals
    name: str  # the Swedish sheet name (and CSV section name)
    title_en: str
    help_sv: str
    help_en: str
    columns: tuple[Column, ...]
    unique_key: tuple[
        str, ...
    ] = ()  # column keys that identify a row: the same values twice = duplicate
    single_row: bool = False  # Organisation: exactly one record
    min_rows: int = 0
    max_template_rows: int = 500  # rows the template prepares (data validation range)
    by_key: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})

    def column(self, key: str) -> Column:
        return self.by_key[key]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.key: c.dtype for c in self.columns}


def _comment() -> Column:
    return Column(
        "comment",
        "Kommentar",
        Kind.TEXT,
        False,
        "Fritt fält för förklaringar och antaganden.",
        "Free text for explanations and assumptions.",
    )


ORGANISATION = Sheet(
    key="organisation",
    name="Organisation",
    title_en="Organisation",
    help_sv="Vem som rapporterar och för vilket år. En enda rad (rad 2); partner och år är "
    "ifyllda i mallen.",
    help_en="Who reports, and for which year. One single row (row 2); partner and year are "
    "pre-filled.",
    single_row=True,
    min_rows=1,
    columns=(
        Column(
            "partner_id",
            "Partner-id",
            Kind.TEXT,
            True,
            "Er organisations id i partnerregistret. Ifyllt i mallen; ändra inte.",
            "Your organisation's id in the partner registry. Pre-filled; do not change.",
        ),
        Column(
            "reporting_year",
            "Rapportår",
            Kind.YEAR,
            True,
            "Året som uppgifterna gäller (helt år, t.ex. 2025). Ifyllt i mallen.",
            "The year the figures are for (a whole year, e.g. 2025). Pre-filled.",
            future_years=False,
        ),
        Column(
            "contact_name",
            "Kontaktperson",
            Kind.TEXT,
            True,
            "Namn på den som kan svara på frågor om uppgifterna.",
            "Name of the person who can answer questions about the figures.",
        ),
        Column(
            "contact_email",
            "E-post",
            Kind.EMAIL,
            True,
            "Kontaktpersonens e-postadress.",
            "The contact person's e-mail address.",
        ),
        Column(
            "submitted_date",
            "Inlämningsdatum",
            Kind.DATE,
            True,
            "Datum då filen skickas in, ÅÅÅÅ-MM-DD.",
            "The date the file is submitted, YYYY-MM-DD.",
        ),
    ),
)

EMISSIONS = Sheet(
    key="emissions",
    name="Utsläpp",
    title_en="Emissions",
    help_sv="Organisationens egna utsläpp under rapportåret, en rad per scope och kategori, i ton "
    "CO2e.",
    help_en="The organisation's own emissions in the reporting year, one row per scope and "
    "category, in tonnes CO2e.",
    unique_key=("scope", "category", "method", "inside_territory"),
    min_rows=1,
    columns=(
        Column(
            "scope",
            "Scope",
            Kind.INTEGER,
            True,
            "1 = egna direkta utsläpp (bränslen, fordon), 2 = köpt el och värme, 3 = övriga "
            "indirekta (resor, inköp, transporter).",
            "1 = own direct emissions (fuels, vehicles), 2 = purchased electricity and heat, "
            "3 = other indirect (travel, purchases, transport).",
            allowed=(1, 2, 3),
        ),
        Column(
            "category",
            "Kategori",
            Kind.TEXT,
            True,
            "Vad utsläppen kommer från, t.ex. Fordon, Fjärrvärme, El, Tjänsteresor.",
            "What the emissions come from, e.g. Fordon (vehicles), Fjärrvärme (district heating), "
            "Tjänsteresor (business travel).",
        ),
        Column(
            "tonnes_co2e",
            "Utsläpp (t CO2e)",
            Kind.DECIMAL,
            True,
            "Utsläppen i ton koldioxidekvivalenter (t CO2e), 0 eller mer. Inte kg: dela kg med "
            "1000.",
            "Emissions in tonnes of CO2 equivalents (t CO2e), 0 or more. Not kg: divide kg by "
            "1000.",
            unit="t CO2e",
            minimum=0,
            negative_hint_sv="Utsläpp kan inte vara negativa; rapportera kolupptag på bladet "
            "'Kolupptag'.",
            negative_hint_en="Emissions cannot be negative; report carbon removals on the sheet "
            "'Kolupptag' (carbon removals).",
        ),
        Column(
            "method",
            "Metod",
            Kind.TEXT,
            False,
            "Beräkningsmetod eller källa. Obligatorisk för scope 2: skriv marknadsbaserad eller "
            "platsbaserad.",
            "Calculation method or source. Required for scope 2: write marknadsbaserad "
            "(market-based) or platsbaserad (location-based).",
        ),
        Column(
            "inside_territory",
            "Inom kommunen",
            Kind.YES_NO,
            True,
            "ja om utsläppet sker inom Borlänge kommuns gränser, annars nej.",
            "ja (yes) if the emission happens inside Borlänge kommun, otherwise nej (no).",
            allowed=("ja", "nej"),
        ),
        _comment(),
    ),
)

ENERGY = Sheet(
    key="energy",
    name="Energi",
    title_en="Energy use",
    help_sv="Energianvändning under rapportåret per energibärare, i MWh.",
    help_en="Energy use in the reporting year per energy carrier, in MWh.",
    unique_key=("energy_carrier", "supplier"),
    columns=(
        Column(
            "energy_carrier",
            "Energibärare",
            Kind.CHOICE,
            True,
            "Välj i listan: el, fjärrvärme, diesel, bensin, HVO, biogas, eldningsolja eller annat.",
            "Pick from the list: el (electricity), fjärrvärme (district heating), diesel, bensin "
            "(petrol), HVO, biogas, eldningsolja (heating oil) or annat (other).",
            allowed=(
                "el",
                "fjärrvärme",
                "diesel",
                "bensin",
                "HVO",
                "biogas",
                "eldningsolja",
                "annat",
            ),
        ),
        Column(
            "mwh",
            "Energianvändning (MWh)",
            Kind.DECIMAL,
            True,
            "Använd energi i megawattimmar (MWh), 0 eller mer. Inte kWh: dela kWh med 1000.",
            "Energy used in megawatt hours (MWh), 0 or more. Not kWh: divide kWh by 1000.",
            unit="MWh",
            minimum=0,
        ),
        Column(
            "supplier",
            "Leverantör",
            Kind.TEXT,
            False,
            "Energileverantör, t.ex. Borlänge Energi.",
            "The energy supplier, e.g. Borlänge Energi.",
        ),
        _comment(),
    ),
)


def _plan(key, heading, kind, help_sv, help_en, **kw) -> Column:
    return Column(key, heading, kind, False, help_sv, help_en, plan=True, **kw)


# The scenario model's fields of an action (pipelines/defs/plan/actions.py describes each). Optional
# as columns; once a row names its activity, the rules in validate.py say which are needed.
PLAN_COLUMNS = (
    _plan(
        "activity_id",
        "Aktivitet",
        Kind.TEXT,
        "Vilken aktivitet åtgärden ändrar, med kommunens id ur planen (t.ex. bus_vkm). Tomt: "
        "åtgärden räknas inte i scenariomodellen.",
        "The activity the action changes, by the plan's id (e.g. bus_vkm). Empty: the action is "
        "not in the scenario model.",
    ),
    _plan(
        "smhi_sector",
        "Sektor (SMHI)",
        Kind.CHOICE,
        "SMHI:s huvudsektor som åtgärden minskar utsläppen i.",
        "The SMHI main sector whose emissions the action cuts.",
        allowed=SMHI_SECTORS,
    ),
    _plan(
        "gpc_ref",
        "GPC-sektor",
        Kind.TEXT,
        "GPC-referens, t.ex. I.3.1 eller II.1.1.",
        "The GPC reference, e.g. I.3.1 or II.1.1.",
    ),
    _plan(
        "change",
        "Typ av effekt",
        Kind.CHOICE,
        "Hur aktiviteten ändras: relativ (andel, -0,3 = 30 % mindre), absolut (i aktivitetens "
        "enhet), bränslebyte (andel från ett bränsle till ett annat) eller emissionsfaktor "
        "(andel).",
        "How the activity changes: relativ (a share, -0.3 = 30 % less), absolut (in the "
        "activity's unit), bränslebyte (a share moved from one fuel to another) or "
        "emissionsfaktor (a share of the factor).",
        allowed=CHANGE_KINDS,
    ),
    _plan(
        "from_fuel",
        "Från bränsle",
        Kind.TEXT,
        "Bränslebyte: bränslet som ersätts.",
        "Fuel switch: the fuel replaced.",
    ),
    _plan(
        "to_fuel",
        "Till bränsle",
        Kind.TEXT,
        "Bränslebyte: det nya bränslet.",
        "Fuel switch: the new fuel.",
    ),
    _plan(
        "energy_ratio",
        "Energikvot",
        Kind.DECIMAL,
        "Bränslebyte: enheter nytt bränsle per enhet gammalt (1 om tomt; 0,35 för värmepump mot "
        "direktel).",
        "Fuel switch: units of the new fuel per unit of the old (1 when empty; 0.35 for a heat "
        "pump replacing direct electric heating).",
        minimum=0,
    ),
    _plan(
        "fuel",
        "Bränsle",
        Kind.TEXT,
        "Emissionsfaktor: bränslet vars faktor ändras (tomt = alla).",
        "Emission factor: the fuel whose factor changes (empty = every fuel).",
    ),
    _plan(
        "effect_low",
        "Effekt låg",
        Kind.DECIMAL,
        "Den minsta troliga effekten, i samma form som 'Effekt central'.",
        "The smallest likely effect, in the same form as 'Effekt central'.",
    ),
    _plan(
        "effect_central",
        "Effekt central",
        Kind.DECIMAL,
        "Den mest troliga effekten: en andel (-0,3) eller, för absolut, en mängd i aktivitetens "
        "enhet.",
        "The most likely effect: a share (-0.3) or, for absolut, a quantity in the activity's "
        "unit.",
    ),
    _plan(
        "effect_high",
        "Effekt hög",
        Kind.DECIMAL,
        "Den största troliga effekten.",
        "The largest likely effect.",
    ),
    _plan(
        "ramp_years",
        "Upptrappning (år)",
        Kind.INTEGER,
        "År tills full effekt (0 eller 1 = full effekt från startåret).",
        "Years to full effect (0 or 1 = full effect from the start year).",
        minimum=0,
    ),
    _plan(
        "end_year",
        "Slutår",
        Kind.YEAR,
        "Sista året åtgärden verkar (livslängdens slut).",
        "The last year the action has effect (the end of its lifetime).",
    ),
    _plan(
        "opex_sek_per_year",
        "Driftkostnad (SEK/år)",
        Kind.DECIMAL,
        "Årlig driftkostnad i kronor; en besparing som negativt tal.",
        "Yearly operating cost in kronor; a saving as a negative number.",
        unit="SEK/år",
    ),
    _plan(
        "opex_payer",
        "Driftkostnad bärs av",
        Kind.CHOICE,
        "Vem som bär driftkostnaden eller får besparingen.",
        "Who bears the operating cost or gets the saving.",
        allowed=PAYERS,
    ),
    _plan(
        "payer",
        "Finansiär",
        Kind.CHOICE,
        "Vem som betalar investeringen (eller den del som 'Finansieringsandel' anger).",
        "Who pays the investment (or the part 'Finansieringsandel' gives).",
        allowed=PAYERS,
    ),
    _plan(
        "funding_source",
        "Finansieringskälla",
        Kind.TEXT,
        "Varifrån pengarna kommer, t.ex. egen budget eller Klimatklivet (Naturvårdsverket).",
        "Where the money comes from, e.g. own budget or Klimatklivet (Naturvårdsverket).",
    ),
    _plan(
        "funding_share",
        "Finansieringsandel",
        Kind.DECIMAL,
        "Andel av investeringen som finansiären betalar, 0–1 (1 om tomt). Resten räknas som ej "
        "identifierad finansiering.",
        "Share of the investment the payer pays, 0–1 (1 when empty). The rest counts as "
        "unidentified funding.",
        minimum=0,
    ),
    _plan(
        "funding_secured",
        "Finansiering säkrad",
        Kind.YES_NO,
        "ja om pengarna är beslutade eller beviljade.",
        "ja (yes) when the money is decided or granted.",
        allowed=("ja", "nej"),
    ),
    _plan(
        "status_reason",
        "Skäl för status",
        Kind.TEXT,
        "Varför statusen är satt (krävs för avbruten).",
        "Why the status is what it is (required for avbruten).",
    ),
    _plan(
        "percent_done",
        "Andel klar (%)",
        Kind.DECIMAL,
        "Hur långt åtgärden kommit, 0–100 %.",
        "How far the action has come, 0–100 %.",
        unit="%",
        minimum=0,
    ),
    _plan(
        "responsible_org",
        "Ansvarig organisation",
        Kind.TEXT,
        "Huvudansvarig organisation.",
        "The responsible (lead) organisation.",
    ),
    _plan(
        "contact_email",
        "Kontakt e-post",
        Kind.EMAIL,
        "E-post till den som kan svara på frågor om åtgärden.",
        "E-mail of the person who can answer questions on the action.",
    ),
    _plan(
        "kpi_kind",
        "Indikatortyp",
        Kind.CHOICE,
        "Hur resultatet mäts: kolada (ett Kolada-id), mätare (en kundkategori i mätdata) eller "
        "partner (en siffra ni rapporterar).",
        "How the result is measured: kolada (a Kolada id), mätare (a meter customer category) or "
        "partner (a figure you report).",
        allowed=KPI_KINDS,
    ),
    _plan(
        "kpi_ref",
        "Indikator",
        Kind.TEXT,
        "Kolada-id (t.ex. N07713), mätarens kundkategori eller namnet på er siffra.",
        "The Kolada id (e.g. N07713), the meter customer category or the name of your figure.",
    ),
)


ACTIONS = Sheet(
    key="actions",
    name="Åtgärder",
    title_en="Actions",
    help_sv="Åtgärderna i klimatinvesteringsplanen: vad ni gör, vad det kostar och hur mycket det "
    "minskar utsläppen.",
    help_en="The actions in the climate-investment plan: what you do, what it costs and how much "
    "it cuts emissions.",
    unique_key=("action_id",),
    columns=(
        Column(
            "action_id",
            "Åtgärds-id",
            Kind.TEXT,
            True,
            "Er egen kod för åtgärden, t.ex. A1. Unik i filen; behåll samma kod år efter år.",
            "Your own code for the action, e.g. A1. Unique in the file; keep the same code every "
            "year.",
        ),
        Column(
            "title",
            "Åtgärd",
            Kind.TEXT,
            True,
            "Kort beskrivning av åtgärden.",
            "A short description of the action.",
        ),
        Column(
            "status",
            "Status",
            Kind.CHOICE,
            True,
            "Välj i listan: planerad, beslutad, pågående, genomförd eller avbruten.",
            "Pick from the list: planerad (planned), beslutad (decided), pågående (in progress), "
            "genomförd (completed) or avbruten (cancelled).",
            allowed=STATUSES,
        ),
        Column(
            "start_year",
            "Startår",
            Kind.YEAR,
            True,
            "Året då åtgärden startar eller startade.",
            "The year the action starts or started.",
        ),
        Column(
            "investment_sek",
            "Investering (SEK)",
            Kind.DECIMAL,
            True,
            "Investeringskostnad i kronor (SEK), 0 eller mer. Inte tkr eller Mkr: skriv hela "
            "beloppet.",
            "Investment cost in Swedish kronor (SEK), 0 or more. Not thousands or millions: "
            "write the full amount.",
            unit="SEK",
            minimum=0,
        ),
        Column(
            "expected_annual_reduction_t",
            "Förväntad minskning (t CO2e/år)",
            Kind.DECIMAL,
            True,
            "Förväntad utsläppsminskning per år när åtgärden är genomförd, i ton CO2e per år.",
            "Expected emission cut per year once the action is done, in tonnes CO2e per year.",
            unit="t CO2e/år",
            minimum=0,
        ),
        Column(
            "realised_reduction_t",
            "Uppnådd minskning (t CO2e)",
            Kind.DECIMAL,
            False,
            "Minskning som uppnåtts under rapportåret, i ton CO2e (lämna tomt om okänt).",
            "The cut achieved in the reporting year, in tonnes CO2e (leave empty if unknown).",
            unit="t CO2e",
            minimum=0,
        ),
        _comment(),
        *PLAN_COLUMNS,
    ),
)

REMOVALS = Sheet(
    key="removals",
    name="Kolupptag",
    title_en="Carbon removals",
    help_sv="Koldioxid som organisationen tagit upp och lagrat under rapportåret, i ton CO2.",
    help_en="Carbon dioxide the organisation removed and stored in the reporting year, in tonnes "
    "CO2.",
    unique_key=("removal_type", "method", "permanence"),
    columns=(
        Column(
            "removal_type",
            "Typ av upptag",
            Kind.CHOICE,
            True,
            "Välj i listan: biokol, trädplantering, CCS/BECCS eller annat.",
            "Pick from the list: biokol (biochar), trädplantering (tree planting), CCS/BECCS or "
            "annat (other).",
            allowed=("biokol", "trädplantering", "CCS/BECCS", "annat"),
        ),
        Column(
            "tonnes_co2",
            "Upptag (t CO2)",
            Kind.DECIMAL,
            True,
            "Upptagen koldioxid i ton CO2, som ett positivt tal (0 eller mer).",
            "Carbon dioxide removed, in tonnes CO2, as a positive number (0 or more).",
            unit="t CO2",
            minimum=0,
            negative_hint_sv="Ange upptaget som ett positivt tal (mängden som tagits upp).",
            negative_hint_en="Give the removal as a positive number (the amount removed).",
        ),
        Column(
            "method",
            "Metod",
            Kind.TEXT,
            True,
            "Hur upptaget är beräknat eller verifierat.",
            "How the removal was calculated or verified.",
        ),
        Column(
            "permanence",
            "Varaktighet",
            Kind.CHOICE,
            True,
            "Hur länge kolet förväntas vara lagrat: under 100 år, 100–1000 år eller över 1000 år.",
            "How long the carbon is expected to stay stored: under 100 years, 100–1000 years or "
            "over 1000 years.",
            allowed=("under 100 år", "100–1000 år", "över 1000 år"),
        ),
        _comment(),
    ),
)

SHEETS: tuple[Sheet, ...] = (ORGANISATION, EMISSIONS, ENERGY, ACTIONS, REMOVALS)
SHEET_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}
SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
DATA_SHEETS: tuple[Sheet, ...] = SHEETS[1:]
