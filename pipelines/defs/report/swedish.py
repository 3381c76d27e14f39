"""Swedish for citizens: the one place where the marts' codes become the words the site and the
report print (methods, sectors, quality classes, statuses, consumption components, kommun names),
with the sector palette both draw with and Swedish alphabetical order. Presentation only: no number
is computed here. A code without a name falls back to a readable phrase, never to the raw code."""

from __future__ import annotations

import re
import unicodedata

# Trajectory presets (dbt_project/seeds/trajectory_methods.csv).
METHOD_NAMES = {
    "carbon_law": "Koldioxidlagen, 1,5 °C (11,72 % per år)",
    "carbon_law_1_7c": "Koldioxidlagen, 1,7 °C (7,38 % per år)",
    "carbon_budget": "Koldioxidbudget (koldioxid, 1,5 °C)",
    "borlange_local": "Borlänges egen koldioxidbudget (16,4 % per år)",
}
# One sentence per method for "Så räknar vi" and the report.
METHOD_EXPLAINED = {
    "carbon_law": (
        "Utsläppen ska halveras ungefär vart sjätte år: den tillåtna banan minskar med 11,72 % "
        "per år från i år till 2050, vilket ger hälften av chansen att hålla uppvärmningen under "
        "1,5 °C. Kommunen klarar Parisavtalet om trendens summa till 2050 ryms i banans summa."
    ),
    "carbon_law_1_7c": (
        "Samma räkning som Koldioxidlagen men med 7,38 % minskning per år, som hör till en "
        "uppvärmning på 1,7 °C: en mildare bana."
    ),
    "carbon_budget": (
        "Sveriges koldioxidbudget för 1,5 °C fördelas på kommunerna efter deras andel av "
        "utsläppen sedan 2015. Budgeten gäller bara koldioxid. Budgeten tar slut den dag "
        "trendens summa har använt kommunens andel."
    ),
    "borlange_local": (
        "Borlänges egen budget från 2018: koldioxidutsläppen minskar med 16,4 % varje år från "
        "2020 till 2040, utan SSAB:s utsläpp."
    ),
}
COMPONENT_NAMES = {
    "households": "hushåll",
    "public_sector": "offentlig konsumtion",
    "investments": "investeringar",
    "public_sector+investments": "offentlig konsumtion och investeringar",
}
# How each component is estimated, and by which key it is shared out (fct_consumption_emissions).
COMPONENT_EXPLAINED = {
    "households": "SEI:s Konsumtionskompassen: hushållens utsläpp per invånare gånger folkmängden",
    "public_sector": "Sveriges offentliga konsumtion (SCB), fördelad efter kommunens andel av BRP",
    "investments": "Sveriges investeringar (SCB), fördelade efter kommunens andel av BRP",
}
ALLOCATION_KEYS = {"brp_share": "andel av BRP", "population": "folkmängd"}
# Sources as a citizen reads them (marts.dim_data_source is written for maintainers).
SOURCE_NAMES = {
    "smhi_ned": "Nationella emissionsdatabasen; SMHI för Naturvårdsverket",
    "scb_population": "Folkmängd den 31 december; SCB",
    "borlange_energi_feed": "Borlänge Energis månadsrapporter; Borlänge Energi",
    "borlange_energi_meters": "Borlänge Energis elmätare; Borlänge Energi",
    "scb_kre": "Kommunal och regional energistatistik; SCB för Energimyndigheten",
    "scb_lulucf": "Utsläpp och upptag från markanvändning (LULUCF); SCB för Naturvårdsverket",
    "scb_forest_land": "Markanvändningen: produktiv skogsmark; SCB",
    "partner_removals": "Partnernas rapporter om kolupptag; Klimatneutrala Borlänge 2030",
    "local_sinks_seed": (
        "Kommunens egna uppgifter om kolsänkor, införda för hand; Klimatneutrala Borlänge 2030"
    ),
    "scb_consumption": "Miljöpåverkan från konsumtion, fördelad efter BRP per kommun; SCB",
    "sei_konsumtionskompassen": "Konsumtionskompassen: hushållens utsläpp; SEI via Klimatkollen",
    "partner_submissions": (
        "Partnernas rapporter (utsläpp, energi, åtgärder); Klimatneutrala Borlänge 2030"
    ),
    "kolada": "Kolada, kommun- och regiondatabasen; RKA",
    "electricity_maps": "Elens klimatpåverkan timme för timme; Electricity Maps",
    "naturvardsverket_mi0107": (
        "Sveriges utsläpp och upptag per sektor (MI0107); SCB för Naturvårdsverket"
    ),
    "borlange_plan": "Klimatplanens scenariomodell; projektets egen beräkning",
    "borlange_nowcast": (
        "Uppskattning av utsläppen efter SMHI:s senaste år; projektets egen beräkning"
    ),
}
# The marts a citizen can download or meets in a footnote: what each holds, in a few words.
MART_NAMES = {
    "dim_kommun": "Sveriges kommuner och län",
    "dim_sector": "utsläppssektorerna",
    "dim_data_source": "datakällorna",
    "fct_emissions": "utsläpp per kommun, sektor och år",
    "emissions_per_capita": "utsläpp per invånare, per kommun och år",
    "emissions_rank_in_lan": "kommunernas placering i länet och i Sverige",
    "trajectory": "utsläppsbanor: klarar kommunen Parisavtalet?",
    "trajectory_lan": "utsläppsbanor per län",
    "fct_carbon_budget": "tillåten bana och trend per år och metod",
    "fct_consumption_emissions": "konsumtionsbaserade utsläpp",
    "consumption_trajectory": "takten i de konsumtionsbaserade utsläppen",
    "fct_carbon_sinks": "kolsänkor per kommun och år",
    "climate_neutrality_balance": "balansen mellan utsläpp och upptag",
    "portfolio_vs_gap": "partnernas åtgärder mot gapet 2030",
    "peer_comparison": "jämförelse med liknande kommuner",
    "fct_district_heating_climate_value": "fjärrvärmens klimatvärde",
    "partner_reporting_status": "partnernas rapportering",
    "fct_emissions_lan": "utsläpp per län, sektor och år",
    "fct_emissions_sweden": "Sveriges utsläpp per sektor och år",
    "fct_district_heating_monthly": "fjärrvärme per månad",
    "fct_district_heating_hourly": "fjärrvärme per timme",
    "fct_electricity": "elanvändning",
    "fct_energy_balance": "kommunens energibalans",
    "fct_energy_production": "energiproduktion",
    "fct_energy_use": "energianvändning",
    "fct_grid_carbon_intensity_monthly": "elens klimatpåverkan per månad",
    "fct_gpc_inventory": "utsläppen enligt det internationella GPC-protokollet",
    "fct_indicators": "indikatorer för uppföljning",
    "fct_electricity_emissions_hourly": "elens utsläpp timme för timme",
    "fct_electricity_timing_effect_monthly": "tidseffekten i elanvändningen per månad",
    "fct_meter_daily_profile": "elanvändningens dygnsprofil",
    "fct_meter_data_quality": "mätvärdenas kvalitet",
    "fct_meter_hourly_energy": "mätvärden timme för timme",
    "fct_meter_load_profile": "lastprofiler",
    "fct_action_portfolio": "partnernas åtgärder",
    "fct_partner_emissions": "partnernas utsläpp",
    "fct_partner_removals": "partnernas kolupptag",
    "dim_peer_group_members": "jämförelsegruppernas kommuner",
    "emission_revisions": "SMHI:s revideringar",
    "emissions_area_balance": "utsläpp och upptag per yta",
    "partner_territorial_share": "partnernas andel av kommunens utsläpp",
    "fct_emissions_nowcast": "uppskattade utsläpp efter SMHI:s senaste år",
    "fct_nowcast_backtest": "uppskattningarnas träffsäkerhet per kommun",
    "fct_nowcast_backtest_summary": "uppskattningarnas träffsäkerhet sammanfattad",
    "fct_nowcast_paris": "sannolikheten att klara Parisavtalet",
    "fct_nowcast_base_year_common_change": "SMHI:s senaste år: delar uppräknade från året före",
    "fct_scenario_emissions": "planens scenarier: utsläpp utan och med åtgärder",
    "fct_action_impact": "varje åtgärds effekt och överlapp",
    "fct_mac_curve": "åtgärdskostnadskurvan (kostnad per ton)",
    "fct_investment_plan": "klimatinvesteringsplanen",
    "fct_action_tracking": "åtgärdernas uppmätta resultat",
    "fct_plan_summary": "planen sammanfattad",
}
QUALITY_NAMES = {
    "measured": "uppmätt",
    "reported": "rapporterad",
    "modelled": "modellerad",
    "downscaled": "nedskalad från riket",
}
SINK_TYPE_NAMES = {
    "forest_land_lulucf": "skogsmark (rikets kolsänka, nedskalad)",
    "own_forest_estate": "kommunens egen skog",
}
# Who reported a sink, by source (fct_carbon_sinks.source_id); partners keep their own names.
REPORTER_NAMES = {
    "scb_lulucf": "Naturvårdsverket (rikets växthusgasinventering), via SCB",
}
VALUE_STATUS_NAMES = {
    "synthetic": "syntetisk (exempeldata)",
    "assumption": "antagande",
    "estimate": "uppskattning",
    "reported": "rapporterad",
    "measured": "uppmätt",
}
SYNTHETIC_STATUSES = frozenset({"synthetic"})
BALANCE_BASIS = {"actual": "utfall", "projection": "prognos"}
EMISSIONS_KIND = {"actual": "utfall", "trend": "trend", "projection": "prognos"}
UNIT_NAMES = {
    "count": "antal",
    "t CO2e per resident": "t CO2e per invånare",
    "MWh per resident": "MWh per invånare",
    "per 1 000 residents": "per 1 000 invånare",
}
ALLOCATION_METHOD_NAMES = {
    "alternative_production": "alternativproduktionsmetoden",
    "energy": "energimetoden",
}
CUSTOMER_CATEGORY_NAMES = {
    "hushall_lagenhet": "hushåll i lägenhet",
    "hushall_villa": "hushåll i villa",
    "hushall_villa_elvarme": "hushåll i villa med elvärme",
    "smaforetag": "småföretag",
    "storre_foretag": "större företag",
    "laddning": "laddning av elfordon",
    "fjv_smahus": "fjärrvärme, småhus",
    "fjv_flerbostadshus": "fjärrvärme, flerbostadshus",
    "fjv_lokaler": "fjärrvärme, lokaler",
    "fjv_industri": "fjärrvärme, industri",
}

# SMHI's main sectors (dbt_project/seeds/smhi_sector_names.csv): one colour each, on the site and
# in the report, so a sector looks the same wherever a citizen meets it.
SECTOR_COLOURS = {
    "Transporter": "#1f3b73",
    "Industri (energi + processer)": "#c0392b",
    "Jordbruk": "#1e7b45",
    "El och fjärrvärme": "#8e44ad",
    "Egen uppvärmning av bostäder och lokaler": "#b35900",
    "Arbetsmaskiner": "#117a65",
    "Produktanvändning (inkl. lösningsmedel)": "#5d6d7e",
    "Avfall (inkl.avlopp)": "#7d6608",
    "Utrikes transporter": "#2c3e50",
}
OTHER_COLOURS = ["#1f3b73", "#c0392b", "#1e7b45", "#8e44ad", "#b35900", "#117a65", "#5d6d7e"]

# Kommuner that call themselves "stad" (Sveriges Kommuner och Regioner's list).
STAD = frozenset(
    {
        "Borås",
        "Göteborg",
        "Haparanda",
        "Helsingborg",
        "Landskrona",
        "Lidingö",
        "Malmö",
        "Mölndal",
        "Solna",
        "Stockholm",
        "Sundbyberg",
        "Trollhättan",
        "Vaxholm",
        "Västerås",
    }
)
# Genitives that no rule gives.
GENITIVE = {"Falun": "Falu"}
VOWELS = set("aeiouyåäöéAEIOUYÅÄÖ")
NBSP = "\u00a0"
MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


def number(value: float, decimals: int) -> str:
    """1234.5 -> '1 234,5' (no-break space between thousands, decimal comma, minus sign)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",").replace("-", "\u2212")


def name(mapping: dict[str, str], code: str | None) -> str:
    """The Swedish name of a code; an unknown code reads as words, never as snake_case."""
    if code is None:
        return "–"
    return mapping.get(code, code.replace("_", " "))


def method_name(method: str) -> str:
    return name(METHOD_NAMES, method)


def compound_form(kommun_namn: str) -> str:
    """The name before "kommun" or "stad": Stockholm -> Stockholms, Borlänge and Borås stay (a
    vowel or an s ends them), Falun -> Falu."""
    if kommun_namn in GENITIVE:
        return GENITIVE[kommun_namn]
    if kommun_namn[-1] in VOWELS or kommun_namn[-1] in "sxzSXZ":
        return kommun_namn
    return kommun_namn + "s"


def official_name(kommun_namn: str) -> str:
    """The kommun's own name: "Stockholms stad", "Borlänge kommun", "Alingsås kommun";
    Gotland is a region."""
    if kommun_namn == "Gotland":
        return "Region Gotland"
    return f"{compound_form(kommun_namn)} {'stad' if kommun_namn in STAD else 'kommun'}"


def mart_name(mart: str) -> str:
    """A mart as a citizen reads it: marts.fct_emissions -> utsläpp per kommun, sektor och år."""
    table = mart.removeprefix("marts.")
    return MART_NAMES.get(table, table.replace("_", " "))


def component_explained(component: str, key_year: int | None = None) -> str:
    text = COMPONENT_EXPLAINED.get(component, "")
    return f"{text} ({key_year})" if text and key_year else text


def reporter(source_id: str | None, reporter_name: str | None) -> str:
    return REPORTER_NAMES.get(source_id or "", reporter_name or "")


def date_time(value) -> str:
    """A timestamp as '2026-12-07 kl. 18.05' (UTC), a date as '2026-12-07'."""
    text = str(value)
    if m := re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})", text):
        return f"{m[1]} kl. {m[2]}.{m[3]} (UTC)"
    if m := re.match(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})", text):
        return f"{m[1]}-{m[2]}-{m[3]} kl. {m[4]}.{m[5]} (UTC)"
    return text[:10]


def unit(text: str | None) -> str:
    return UNIT_NAMES.get(text or "", text or "")


def file_size(size: int | None) -> str:
    """Bytes as a citizen reads them: 94,3 MB, 520 kB."""
    if size is None:
        return ""
    for unit_name, step in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= step:
            return f"{number(size / step, 1 if size < 100 * step else 0)}{NBSP}{unit_name}"
    return f"{size}{NBSP}byte"


LICENCES = {
    "Internal": "intern källa (fråga innan du publicerar)",
    "internal": "intern källa (fråga innan du publicerar)",
    "Not stated; shared with Klimatkollen (ask before redistributing)": (
        "inte angivet; delat med Klimatkollen (fråga innan du sprider vidare)"
    ),
    "Creative Commons Zero 1.0 (public domain)": "CC0 (fri att använda)",
    "Creative Commons Attribution 4.0 International": "CC BY 4.0 (ange källan)",
}


def licence(title: str | None) -> str:
    return LICENCES.get(title or "", "se datapaketets beskrivning")


# Where a long header word may break (soft hyphens), so a table of nine sectors fits a page.
BREAKS = {
    "Transporter": "Trans\u00adporter",
    "transporter": "trans\u00adporter",
    "Arbetsmaskiner": "Arbets\u00admaskiner",
    "Produktanvändning": "Produkt\u00adanvändning",
    "uppvärmning": "upp\u00advärmning",
    "fjärrvärme": "fjärr\u00advärme",
    "lösningsmedel": "lösnings\u00admedel",
    "processer": "pro\u00adcesser",
}


def breakable(text: str) -> str:
    return " ".join(BREAKS.get(word, word) for word in text.split(" "))


def possessive(kommun_namn: str) -> str:
    """Borlänges, Stockholms, but Borås."""
    return kommun_namn if kommun_namn[-1] in "sxzSXZ" else kommun_namn + "s"


def scope_status(status: str | None) -> str:
    """The trajectory's scope note in Swedish ('' when the scope is complete)."""
    if not status or status == "complete":
        return ""
    if m := re.match(r"not met: no (.+?) partner submission", status):
        return (
            f"kan inte beräknas: {m[1]} har inte lämnat någon rapport, så {m[1]}:s utsläpp "
            "kan inte räknas bort"
        )
    if m := re.match(r"partial: no (.+?) figure for ([\d, ]+)", status):
        return f"delvis: {m[1]} saknar siffra för {m[2].strip()}, så de åren är utelämnade"
    if status.startswith("complete"):
        return ""
    return "avgränsningen kunde inte göras fullt ut"


_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y"})


def sort_key(text: str) -> str:
    """Swedish alphabetical order: A–Z, then Å, Ä, Ö (é sorts as e, ü as y)."""
    folded = text.casefold().translate(_ORDER)
    # Other accents (é, è) sort as their base letter.
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def sector_colour(sector: str, index: int = 0) -> str:
    return SECTOR_COLOURS.get(sector, OTHER_COLOURS[index % len(OTHER_COLOURS)])


# The glossary (the site's ordlista.html): id (the link target), term, plain explanation.
GLOSSARY = [
    (
        "bestandighet",
        "Beständighet",
        "Hur länge kolet stannar borta från luften: under 100 år (träd och mark, som kan "
        "avverkas eller brinna), 100–1000 år (till exempel biokol) eller över 1000 år "
        "(lagring i berggrunden).",
    ),
    (
        "co2e",
        "CO2e (koldioxidekvivalenter)",
        "Alla växthusgaser omräknade till den mängd koldioxid som värmer jorden lika mycket. "
        "1 kt (kiloton) är 1 000 ton.",
    ),
    (
        "huvudsektor",
        "Huvudsektor",
        "SMHI:s indelning av utsläppen efter var de uppstår, till exempel transporter, "
        "industri och jordbruk.",
    ),
    (
        "klimatneutral",
        "Klimatneutral",
        "När de utsläpp som är kvar tas upp av kolsänkor av tillräcklig kvalitet, så att "
        "nettot blir noll eller lägre.",
    ),
    (
        "kolsanka",
        "Kolsänka",
        "Något som tar upp koldioxid ur luften och binder kolet, till exempel växande skog.",
    ),
    (
        "koldioxidbudget",
        "Koldioxidbudget",
        "Den mängd koldioxid som får släppas ut i alla framtida år om uppvärmningen ska "
        "stanna under en viss nivå. Sveriges budget delas mellan kommunerna; när en kommun "
        "har släppt ut sin andel är budgeten slut, och det som återstår blir negativt.",
    ),
    (
        "koldioxidlagen",
        "Koldioxidlagen",
        "En tumregel från klimatforskningen: utsläppen halveras "
        "ungefär vart sjätte år, det vill säga minskar med 11,72 % om året, för att hålla "
        "uppvärmningen under 1,5 °C.",
    ),
    (
        "konsumtionsbaserade-utslapp",
        "Konsumtionsbaserade utsläpp",
        "Utsläpp som kommunens invånare, offentliga sektor och investeringar orsakar, var i "
        "världen de än sker. De räknas för sig och läggs inte ihop med de territoriella.",
    ),
    (
        "kvalitetsklass",
        "Kvalitetsklass",
        "Hur säker en siffra för en kolsänka är: uppmätt på plats, rapporterad av den som "
        "gjorde upptaget, modellerad ur lokala uppgifter, eller nedskalad från hela landet.",
    ),
    (
        "nedskalad",
        "Nedskalad",
        "En siffra för hela Sverige som fördelats på kommunerna efter en nyckel, till exempel "
        "kommunens andel av skogsmarken. Den säger inget uppmätt om just den kommunen.",
    ),
    (
        "parisavtalet",
        "Parisavtalet",
        "Världens klimatavtal från 2015: den globala uppvärmningen ska hållas väl under 2 °C "
        "och helst under 1,5 °C.",
    ),
    (
        "revidering",
        "Revidering och version",
        "SMHI räknar om tidigare år när metoderna blir bättre. Varje utgåva är en version, "
        "märkt med dagen den publicerades.",
    ),
    (
        "syntetisk",
        "Syntetisk (exempeldata)",
        "Påhittade siffror som bara visar hur sidan fungerar, där en riktig källa ännu saknas. "
        "De är alltid märkta och ska inte citeras.",
    ),
    (
        "territoriella-utslapp",
        "Territoriella utsläpp",
        "Utsläpp som sker inom kommunens gränser, oavsett vem som orsakar dem.",
    ),
    (
        "tillaten-bana",
        "Tillåten bana",
        "De utsläpp per år som en metod ger kommunen om den ska göra sin del av Parisavtalet.",
    ),
    (
        "trend",
        "Trend",
        "Utsläppen framåt om de fortsätter att ändras som de har gjort sedan 2015.",
    ),
]
