"""Regenerate the SMHI replay payloads and the SMHI name seeds, deterministically.

    python -m replay.build_smhi_payloads [--shared PATH]

Inputs are the shared Klimatkollen files (see `<shared>/SOURCE.md`); outputs:

* `dbt_project/seeds/scb_kommuner.csv`, `smhi_kommun_name_aliases.csv`, `smhi_sector_names.csv`
* `replay/payloads/smhi/GGT_2026-06-25.xlsx`, `GGT_2026-04-23.xlsx`, `CO2_2024-04-18.xlsx`,
  `MANIFEST.json`

The workbooks are written fresh with openpyxl (no styles, fixed properties and zip
timestamps), so running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl

from replay.smhi import PAYLOAD_DIR, xlsx_bytes
from sources.smhi import ALLA, LABELS, SmhiReference, load_reference, parse_smhi_excel

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data" / "klimatkollen"
SEEDS_DIR = REPO / "dbt_project" / "seeds"

TDP = "Klimatbyran/territorial-data-pipeline"
COMMITS = {
    "bf20c58": "bf20c580380961c3b1b246681992e2d9d2b26f11",
    "cc3a6b0": "cc3a6b093defcf987d537418e95c1a8432260b6a",
}
SCB_CODES_FILE = "territorial-data-pipeline_bf20c58/facts/kommunlankod_2023.xls"
RAW_CO2_FILE = (
    "territorial-data-pipeline_bf20c58/tests/reference_dataframes/df_municipalities_2022.xlsx"
)
TOTALS_FILE = "derived/municipality_total_emissions_long.csv"

# Name variants Klimatbyrån normalises (methods.md §1 step 3 and §5 item 13).
KNOWN_ALIASES = (
    ("Falu kommun", "2080", "variant normalised by Klimatbyrån (methods.md §1, §5 item 13)"),
    ("Region Gotland", "0980", "variant normalised by Klimatbyrån (methods.md §1, §5 item 13)"),
    ("Upplands-Väsby", "0114", "variant normalised by Klimatbyrån (methods.md §1, §5 item 13)"),
    ("Stockholms stad", "0180", "variant normalised by Klimatbyrån (methods.md §1, §5 item 13)"),
    ("Malmö stad", "1280", "variant normalised by Klimatbyrån (methods.md §1, §5 item 13)"),
)

# (raw name, canonical name, sector_code, note). Raw spellings from the 2024-04-18 CO2 export
# and the 2025/2026 GGT releases; one row per raw spelling.
HUVUDSEKTORER = (
    ("Alla", "Alla", "all", "aggregate of all main sectors"),
    ("Transporter", "Transporter", "transport", ""),
    ("Industri (energi + processer)", "Industri (energi + processer)", "industry", "no subsectors"),
    ("Jordbruk", "Jordbruk", "agriculture", ""),
    ("El och fjärrvärme", "El och fjärrvärme", "electricity_district_heating", "no subsectors"),
    (
        "Egen uppvärmning av bostäder och lokaler",
        "Egen uppvärmning av bostäder och lokaler",
        "own_heating",
        "spelling of the 2025 and 2026 GGT releases",
    ),
    (
        "Egen uppärmning av bostäder och lokaler",
        "Egen uppvärmning av bostäder och lokaler",
        "own_heating",
        "typo in the 2024-04-18 CO2 export",
    ),
    ("Arbetsmaskiner", "Arbetsmaskiner", "off_road_machinery", ""),
    (
        "Produktanvändning (inkl. lösningsmedel)",
        "Produktanvändning (inkl. lösningsmedel)",
        "product_use",
        "",
    ),
    ("Avfall (inkl.avlopp)", "Avfall (inkl.avlopp)", "waste", ""),
    (
        "Utrikes transporter",
        "Utrikes transporter",
        "international_transport",
        "included in the Alla total",
    ),
)

ASCII = "ASCII spelling in the 2024-04-18 CO2 export"
UNDERSEKTORER = (
    ("Alla", "Alla", "all", "aggregate of the main sector's subsectors"),
    ("Personbilar", "Personbilar", "transport.cars", ""),
    ("Tunga lastbilar", "Tunga lastbilar", "transport.heavy_trucks", ""),
    ("Lätta lastbilar", "Lätta lastbilar", "transport.light_trucks", ""),
    ("Bussar", "Bussar", "transport.buses", ""),
    ("Mopeder och Motorcyklar", "Mopeder och Motorcyklar", "transport.mopeds_motorcycles", ""),
    (
        "Slitage fran däck och bromsar",
        "Slitage från däck och bromsar",
        "transport.tyre_brake_wear",
        ASCII,
    ),
    ("Slitage fran vägbanan", "Slitage från vägbanan", "transport.road_surface_wear", ASCII),
    (
        "Avdunsting fran vägfordon",
        "Avdunstning från vägfordon",
        "transport.road_vehicle_evaporation",
        ASCII + "; 'Avdunsting' is a typo",
    ),
    (
        "inrikes civil sjöfart (inkl privata fritidsbåtar)",
        "Inrikes civil sjöfart (inkl privata fritidsbåtar)",
        "transport.domestic_shipping",
        "lower-case initial in the export",
    ),
    ("Inrikes flygtrafik", "Inrikes flygtrafik", "transport.domestic_aviation", ""),
    ("Järnväg", "Järnväg", "transport.rail", ""),
    ("Djurs matsmältning", "Djurs matsmältning", "agriculture.enteric_fermentation", ""),
    (
        "Kogödsel (lagring, användning och bete)",
        "Kogödsel (lagring, användning och bete)",
        "agriculture.manure_cattle",
        "",
    ),
    (
        "Svingödsel (lagring, användning och bete)",
        "Svingödsel (lagring, användning och bete)",
        "agriculture.manure_pigs",
        "",
    ),
    (
        "Hastgödsel (lagring, användning och bete)",
        "Hästgödsel (lagring, användning och bete)",
        "agriculture.manure_horses",
        ASCII,
    ),
    (
        "Hönsgödsel (lagring, användning och bete)",
        "Hönsgödsel (lagring, användning och bete)",
        "agriculture.manure_poultry",
        "",
    ),
    (
        "Fårgödsel m.m. (lagring, användning och bete)",
        "Fårgödsel m.m. (lagring, användning och bete)",
        "agriculture.manure_sheep_other",
        "",
    ),
    (
        "Användning av konstgödsel",
        "Användning av konstgödsel",
        "agriculture.synthetic_fertiliser",
        "",
    ),
    ("Skörderester som gödsel", "Skörderester som gödsel", "agriculture.crop_residues", ""),
    ("Kalkning av åkermark", "Kalkning av åkermark", "agriculture.liming", ""),
    ("Odling av organogena jordar", "Odling av organogena jordar", "agriculture.organic_soils", ""),
    ("Odling av mineraljordar", "Odling av mineraljordar", "agriculture.mineral_soils", ""),
    (
        "Indirekta utsläpp av lustgas fran brukad mark",
        "Indirekta utsläpp av lustgas från brukad mark",
        "agriculture.indirect_n2o",
        ASCII,
    ),
    ("Övrigt gödselmedel m.m", "Övrigt gödselmedel m.m", "agriculture.other_fertilisers", ""),
    ("Bostäder", "Bostäder", "own_heating.housing", ""),
    (
        "Kommersiella och offentliga lokaler",
        "Kommersiella och offentliga lokaler",
        "own_heating.commercial_public",
        "",
    ),
    (
        "Jordbruks- och skogsbrukslokaler",
        "Jordbruks- och skogsbrukslokaler",
        "own_heating.agriculture_forestry",
        "",
    ),
    (
        "Skotrar och fyrhjulingar",
        "Skotrar och fyrhjulingar",
        "off_road_machinery.snowmobiles_atvs",
        "",
    ),
    ("Hushållens arbetsmaskiner", "Hushållens arbetsmaskiner", "off_road_machinery.households", ""),
    (
        "Kommersiella och offentliga verksamheter",
        "Kommersiella och offentliga verksamheter",
        "off_road_machinery.commercial_public",
        "",
    ),
    (
        "Jordbruk och skogsbruk",
        "Jordbruk och skogsbruk",
        "off_road_machinery.agriculture_forestry",
        "",
    ),
    (
        "Industri- och byggsektorns arbetsmaskiner (inkl vägarbeten)",
        "Industri- och byggsektorns arbetsmaskiner (inkl vägarbeten)",
        "off_road_machinery.industry_construction",
        "",
    ),
    ("Fiskebåtar", "Fiskebåtar", "off_road_machinery.fishing_boats", ""),
    (
        "Övrigt (flygplatser, hamnar, m.m.)",
        "Övrigt (flygplatser, hamnar, m.m.)",
        "off_road_machinery.other",
        "",
    ),
    (
        "Lösningsmedelsanvändning - verksamheter",
        "Lösningsmedelsanvändning - verksamheter",
        "product_use.solvents_business",
        "",
    ),
    (
        "Lösningsmedelsanvändning - hushåll",
        "Lösningsmedelsanvändning - hushåll",
        "product_use.solvents_households",
        "",
    ),
    ("Färg - hushåll", "Färg - hushåll", "product_use.paint_households", ""),
    ("Färg - verksamheter", "Färg - verksamheter", "product_use.paint_business", ""),
    ("Smörjmedel", "Smörjmedel", "product_use.lubricants", ""),
    ("Paraffinvax", "Paraffinvax", "product_use.paraffin_wax", ""),
    ("Urea for katalysatorer", "Urea för katalysatorer", "product_use.urea_catalysts", ASCII),
    (
        "Lustgas fran produktanvändning",
        "Lustgas från produktanvändning",
        "product_use.n2o_product_use",
        ASCII,
    ),
    (
        "Användning av fluorerade gaser",
        "Användning av fluorerade gaser",
        "product_use.fluorinated_gases",
        "",
    ),
    ("Övrig produktanvändning", "Övrig produktanvändning", "product_use.other", ""),
    ("Avfallsdeponier", "Avfallsdeponier", "waste.landfills", ""),
    ("Behandling av avloppsvatten", "Behandling av avloppsvatten", "waste.wastewater", ""),
    (
        "Biologisk behandling av avfall",
        "Biologisk behandling av avfall",
        "waste.biological_treatment",
        "",
    ),
    (
        "Krematorier och förbranning av farligt avfall",
        "Krematorier och förbranning av farligt avfall",
        "waste.crematoria_hazardous_incineration",
        "",
    ),
    ("Oavsiktliga bränder", "Oavsiktliga bränder", "waste.accidental_fires", ""),
    ("Övrig avfallshantering", "Övrig avfallshantering", "waste.other", ""),
    (
        "Utrikes sjöfart inom Sveriges gränser",
        "Utrikes sjöfart inom Sveriges gränser",
        "international_transport.shipping",
        "",
    ),
    (
        "Utrikes flyg under 1000 m höjd i svenskt luftrum",
        "Utrikes flyg under 1000 m höjd i svenskt luftrum",
        "international_transport.aviation_below_1000m",
        "",
    ),
)

# The 9 main sectors of the GGT releases, in the order of the raw export, with 'Alla' first.
GGT_SECTORS = (
    "Transporter",
    "Industri (energi + processer)",
    "Jordbruk",
    "El och fjärrvärme",
    "Egen uppvärmning av bostäder och lokaler",
    "Arbetsmaskiner",
    "Produktanvändning (inkl. lösningsmedel)",
    "Avfall (inkl.avlopp)",
    "Utrikes transporter",
)
GGT_TITLE = "Emissioner av Växthusgaser totalt (CO2-ekv.)"
GGT_UNIT = "Enhet: ton CO2-ekv/år"
GGT_SHEET = "Växthusgaser totalt (CO2-ekv.)"  # unverified: the real GGT sheet name


@dataclass(frozen=True)
class GgtRelease:
    report_date: str  # the date written in the Rapportnamn line and the file name
    commit: str  # short commit of territorial-data-pipeline
    vintage_code: str  # klimatkollen_vintage in the derived totals CSV
    blank_preamble_row: bool  # the 4-row preamble has a blank 4th row; the 3-row one does not
    years: tuple[int, ...]
    note: str

    @property
    def file_name(self) -> str:
        return f"GGT_{self.report_date}.xlsx"


GGT_RELEASES = (
    GgtRelease(
        "2026-06-25",
        "bf20c58",
        "tdp_bf20c58",
        True,
        (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024),
        "SMHI GGT release of about June 2026 (data to 2024, no 2016-2019); report date = commit "
        "date.",
    ),
    # The 2025 release's real report date is unknown: we write the extraction date, i.e. the
    # date of the commit that holds Klimatbyrån's output built from it (2026-04-23).
    GgtRelease(
        "2026-04-23",
        "cc3a6b0",
        "tdp_cc3a6b0",
        False,
        (1990, 2000, 2005, 2010, *range(2015, 2024)),
        "SMHI GGT release of 2025 (data to 2023, incl. 2016-2019); report date = extraction "
        "(commit) date, the real SMHI report date is unknown.",
    ),
)


# --------------------------------------------------------------------------- seeds


def read_scb_codes(path: Path) -> list[dict[str, str]]:
    """kommun_kod, kommun_namn, lan_kod, lan_namn for every kommun in SCB's code list."""
    import xlrd  # only the builder reads .xls

    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    cells = [
        (str(sheet.cell_value(i, 0)).strip(), str(sheet.cell_value(i, 1)).strip())
        for i in range(sheet.nrows)
    ]
    lan = {code: name for code, name in cells if code.isdigit() and len(code) == 2}
    kommuner = [(code, name) for code, name in cells if code.isdigit() and len(code) == 4]
    return [
        {"kommun_kod": code, "kommun_namn": name, "lan_kod": code[:2], "lan_namn": lan[code[:2]]}
        for code, name in sorted(kommuner)
    ]


def reference_from(kommuner: list[dict[str, str]], aliases: dict[str, str]) -> SmhiReference:
    return SmhiReference(
        kommun_names={r["kommun_kod"]: r["kommun_namn"] for r in kommuner},
        lan_of_kommun={r["kommun_kod"]: r["lan_kod"] for r in kommuner},
        lan_names={r["lan_kod"]: r["lan_namn"] for r in kommuner},
        kommun_aliases=aliases,
        sectors={},
    )


def sector_seed_rows() -> list[dict[str, str]]:
    return [
        {
            "level": level,
            "raw_name": raw,
            "canonical_name": canonical,
            "sector_code": code,
            "note": note,
        }
        for level, table in (("huvudsektor", HUVUDSEKTORER), ("undersektor", UNDERSEKTORER))
        for raw, canonical, code, note in table
    ]


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- raw CO2 export


@dataclass(frozen=True)
class RawExport:
    sheet: str
    rows: list[tuple]
    header_index: int  # 0-based index of the Huvudsektor row


def read_raw_export(path: Path) -> RawExport:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
        sheet = ws.title
    finally:
        wb.close()
    header_index = next(i for i, row in enumerate(rows) if row[0] == LABELS[0])
    return RawExport(sheet, rows, header_index)


@dataclass(frozen=True)
class Area:
    lan_kod: str
    lan_namn: str  # as SMHI writes it
    kommuner: tuple[tuple[str, str], ...]  # (kommun_kod, name as SMHI writes it), in SMHI's order


def smhi_areas(raw: RawExport, reference: SmhiReference) -> list[Area]:
    """Län and kommun names as SMHI writes them, in the export's order, matched to SCB codes."""
    order: dict[str, tuple[str, list]] = {}
    for row in raw.rows[raw.header_index + 1 :]:
        if (row[0], row[1]) != (ALLA, ALLA) or row[2] == ALLA:
            continue
        lan_kod = reference.lan_code(row[2])
        if lan_kod is None:
            raise ValueError(f"{RAW_CO2_FILE}: län {row[2]!r} not in the SCB code list")
        entry = order.setdefault(lan_kod, (row[2], []))
        if row[3] != ALLA:
            kommun_kod = reference.kommun_code(row[3])
            if kommun_kod is None:
                raise ValueError(
                    f"{RAW_CO2_FILE}: kommun {row[3]!r} not in the SCB code list or aliases"
                )
            entry[1].append((kommun_kod, row[3]))
    return [Area(code, name, tuple(kommuner)) for code, (name, kommuner) in order.items()]


def alias_seed_rows(areas: list[Area], reference: SmhiReference) -> list[dict[str, str]]:
    rows = [{"alias": a, "kommun_kod": c, "note": n} for a, c, n in KNOWN_ALIASES]
    known = {a for a, _, _ in KNOWN_ALIASES}
    for area in areas:
        for code, name in area.kommuner:
            if name != reference.kommun_names[code] and name not in known:
                rows.append(
                    {
                        "alias": name,
                        "kommun_kod": code,
                        "note": f"spelling in the SMHI export ({RAW_CO2_FILE})",
                    }
                )
    return rows


def check_sector_coverage(raw: RawExport) -> None:
    """Every raw sector name in the CO2 export must be in the sector tables."""
    huvud = {raw_name for raw_name, *_ in HUVUDSEKTORER}
    under = {raw_name for raw_name, *_ in UNDERSEKTORER}
    data = raw.rows[raw.header_index + 1 :]
    missing = sorted({r[0] for r in data} - huvud) + sorted({r[1] for r in data} - under)
    if missing:
        raise ValueError(
            f"sector names in {RAW_CO2_FILE} missing from the sector tables: {missing}"
        )
    if set(GGT_SECTORS) - huvud:
        raise ValueError(
            f"GGT sector names missing from the sector tables: {sorted(set(GGT_SECTORS) - huvud)}"
        )


# --------------------------------------------------------------------------- GGT workbooks

SectorYears = dict[str, dict[str, float]]  # year -> sector -> tonnes


def load_sector_json(path: Path) -> dict[str, SectorYears]:
    return {item["name"]: item["sectors"] for item in json.loads(path.read_text(encoding="utf-8"))}


def load_totals(path: Path, vintage_code: str) -> dict[str, dict[int, float]]:
    totals: dict[str, dict[int, float]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["klimatkollen_vintage"] == vintage_code:
                totals[row["kommun_kod"]][int(row["year"])] = float(row["tonnes"])
    return dict(totals)


def by_code(named: dict[str, SectorYears], lookup, what: str) -> dict[str, SectorYears]:
    coded = {}
    for name, sectors in named.items():
        code = lookup(name)
        if code is None:
            raise ValueError(f"{what} {name!r} has no SCB code")
        coded[code] = sectors
    return coded


def sum_sectors(parts: list[SectorYears]) -> SectorYears:
    """Sector-wise sum over areas, rounded to the JSON's 2 decimals to avoid float noise."""
    total: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for part in parts:
        for year, sectors in part.items():
            for sector, tonnes in sectors.items():
                total[year][sector] += tonnes
    return {year: {s: round(t, 2) for s, t in sectors.items()} for year, sectors in total.items()}


def check_years(what: str, sectors: SectorYears, years: tuple[int, ...]) -> None:
    if sorted(int(y) for y in sectors) != list(years):
        raise ValueError(f"{what}: years {sorted(sectors)} differ from the release's {list(years)}")
    for year, values in sectors.items():
        if set(values) != set(GGT_SECTORS):
            raise ValueError(
                f"{what} {year}: sectors {sorted(values)} are not the 9 GGT main sectors"
            )


def area_rows(
    sectors: SectorYears, years: tuple[int, ...], total: dict[int, float] | None
) -> dict[str, list]:
    """Year values for the Alla row and each main sector of one area."""
    out = {
        ALLA: [
            total[y] if total and y in total else round(sum(sectors[str(y)].values()), 3)
            for y in years
        ]
    }
    for sector in GGT_SECTORS:
        out[sector] = [sectors[str(y)][sector] for y in years]
    return out


def ggt_sheet_rows(
    release: GgtRelease,
    areas: list[Area],
    riket: SectorYears,
    lan: dict[str, SectorYears],
    kommun: dict[str, SectorYears],
    totals: dict[str, dict[int, float]],
) -> list[tuple]:
    years = release.years
    preamble = [("Rapportnamn:", f"Länsrapport, {release.report_date}"), (GGT_TITLE,), (GGT_UNIT,)]
    if release.blank_preamble_row:
        preamble.append(())
    header = [(None, None, None, None, *years), (*LABELS, *["GGT"] * len(years))]
    blocks: list[tuple[str, str, dict[str, list]]] = [(ALLA, ALLA, area_rows(riket, years, None))]
    for area in areas:
        blocks.append((area.lan_namn, ALLA, area_rows(lan[area.lan_kod], years, None)))
        for code, name in area.kommuner:
            blocks.append((area.lan_namn, name, area_rows(kommun[code], years, totals.get(code))))
    # Same order as the raw export: sector by sector, Sweden, then each län followed by its
    # kommuner.
    data = [
        (sector, ALLA, lan_name, kommun_name, *values[sector])
        for sector in (ALLA, *GGT_SECTORS)
        for lan_name, kommun_name, values in blocks
    ]
    return [*preamble, *header, *data]


def build_ggt(
    release: GgtRelease, shared: Path, areas: list[Area], reference: SmhiReference
) -> tuple[list, list]:
    """(sheet rows, source files) for one GGT release."""
    folder = f"territorial-data-pipeline_{release.commit}/output"
    kommun = by_code(
        load_sector_json(shared / folder / "municipality-sector-emissions.json"),
        reference.kommun_code,
        "kommun",
    )
    sources = [f"{folder}/municipality-sector-emissions.json"]
    region_file = shared / folder / "region-sector-emissions.json"
    national_file = shared / folder / "national-sector-emissions.json"
    if region_file.exists():
        lan = by_code(load_sector_json(region_file), reference.lan_code, "län")
        sources.append(f"{folder}/region-sector-emissions.json")
    else:  # the older commit has no län file: län = sum of its kommuner
        lan = {a.lan_kod: sum_sectors([kommun[c] for c, _ in a.kommuner]) for a in areas}
    if national_file.exists():
        (riket,) = load_sector_json(national_file).values()
        sources.append(f"{folder}/national-sector-emissions.json")
    else:
        riket = sum_sectors(list(kommun.values()))
    for what, data in [("riket", riket), *lan.items(), *kommun.items()]:
        check_years(f"{release.file_name} {what}", data, release.years)
    totals = load_totals(shared / TOTALS_FILE, release.vintage_code)
    if totals:
        sources.append(
            f"{TOTALS_FILE} (klimatkollen_vintage={release.vintage_code}, kommun Alla rows)"
        )
    return ggt_sheet_rows(release, areas, riket, lan, kommun, totals), sources


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Built:
    file_name: str
    sub: str
    vintage: str
    content: bytes
    provenance: dict


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(built: list[Built], reference: SmhiReference) -> dict:
    files = {}
    for item in built:
        parsed = parse_smhi_excel(
            item.content, file_name=item.file_name, sub=item.sub, reference=reference
        )
        if parsed.frame["kommun_kod"].n_unique() - 1 != 290:  # n_unique counts the null
            raise ValueError(f"{item.file_name}: expected 290 kommuner")
        files[item.file_name] = {
            "sub": item.sub,
            "vintage": item.vintage,
            "years": list(parsed.years),
            "rows": parsed.frame["source_row"].n_unique(),
            "bytes": len(item.content),
            "sha256": sha256(item.content),
            "provenance": item.provenance,
        }
    return {"generated_by": "python -m replay.build_smhi_payloads", "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared klimatkollen data folder"
    )
    args = parser.parse_args(argv)
    shared: Path = args.shared.resolve()

    kommuner = read_scb_codes(shared / SCB_CODES_FILE)
    raw = read_raw_export(shared / RAW_CO2_FILE)
    check_sector_coverage(raw)
    base_reference = reference_from(kommuner, {a: c for a, c, _ in KNOWN_ALIASES})
    areas = smhi_areas(raw, base_reference)
    write_csv(
        SEEDS_DIR / "scb_kommuner.csv",
        ["kommun_kod", "kommun_namn", "lan_kod", "lan_namn"],
        kommuner,
    )
    write_csv(
        SEEDS_DIR / "smhi_kommun_name_aliases.csv",
        ["alias", "kommun_kod", "note"],
        alias_seed_rows(areas, base_reference),
    )
    write_csv(
        SEEDS_DIR / "smhi_sector_names.csv",
        ["level", "raw_name", "canonical_name", "sector_code", "note"],
        sector_seed_rows(),
    )
    reference = load_reference(SEEDS_DIR)

    co2_date = "2024-04-18"
    built = [
        Built(
            f"CO2_{co2_date}.xlsx",
            "CO2",
            co2_date,
            xlsx_bytes(raw.sheet, raw.rows, created=datetime.fromisoformat(co2_date)),
            {
                "source_files": [RAW_CO2_FILE],
                "repository": TDP,
                "commit": COMMITS["bf20c58"],
                "note": "raw SMHI export 'Länsrapport, 2024-04-18', rewritten cell for cell",
            },
        )
    ]
    for release in GGT_RELEASES:
        rows, sources = build_ggt(release, shared, areas, reference)
        built.append(
            Built(
                release.file_name,
                "GGT",
                release.report_date,
                xlsx_bytes(GGT_SHEET, rows, created=datetime.fromisoformat(release.report_date)),
                {
                    "source_files": sources,
                    "repository": TDP,
                    "commit": COMMITS[release.commit],
                    "note": release.note + " Län and Sweden Alla rows are sums of their sectors.",
                },
            )
        )
    check_same_cells(built[0].content, raw)

    PAYLOAD_DIR.mkdir(parents=True, exist_ok=True)
    for item in built:
        (PAYLOAD_DIR / item.file_name).write_bytes(item.content)
    manifest_text = (
        json.dumps(manifest(built, reference), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    (PAYLOAD_DIR / "MANIFEST.json").write_text(manifest_text, encoding="utf-8")
    report_sizes()
    return 0


def check_same_cells(content: bytes, raw: RawExport) -> None:
    """The rewritten CO2 export must hold exactly the raw export's values."""
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    width = max(len(r) for r in raw.rows)

    def pad(row: tuple) -> tuple:
        return tuple(row) + (None,) * (width - len(row))

    if [pad(r) for r in rows] != [pad(r) for r in raw.rows]:
        raise ValueError("the rewritten CO2 workbook differs from the raw export")


def report_sizes() -> None:
    total = 0
    for path in sorted(PAYLOAD_DIR.iterdir()):
        size = path.stat().st_size
        total += size
        print(f"{size:>10,d}  {path.relative_to(REPO)}")
    print(f"{total:>10,d}  total")
    if total > 4_000_000:
        print("warning: replay/payloads/smhi is over 4 MB", file=sys.stderr)
    for path in sorted(SEEDS_DIR.glob("s*_*.csv")):
        print(
            f"{sum(1 for _ in path.open(encoding='utf-8')) - 1:>10,d}  rows in "
            f"{path.relative_to(REPO)}"
        )


if __name__ == "__main__":
    sys.exit(main())
