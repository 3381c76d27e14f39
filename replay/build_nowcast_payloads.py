"""Build the replay payloads the nowcast and its backtest need, deterministically.

    python -m replay.build_nowcast_payloads [--shared PATH]

1. `replay/payloads/smhi_rebuilt/CO2_2025-06-18.xlsx` (+ MANIFEST.json): SMHI's CO2 release of
   June 2025 (data to 2023), REBUILT in the SMHI export's format from Klimatbyrån's output of it
   (`territorial-data-pipeline_dcc591f/output/sector-emissions.json`, 290 kommuner x 9 main
   sectors). It is not an SMHI file: main sectors only (no Undersektor rows), kommun `Alla` rows
   are the sums of their sectors, län and Sweden rows the sums of their kommuner. The sector
   figures carry NO cement deduction (Klimatbyrån deducted cement from its totals only: Gotland's
   industry is 1.49 Mt in 2023), so they compare like with like with the raw CO2 export of
   2024-04-18. The report date is the commit date of that output (2025-06-18); SMHI's own date
   is unknown. The SMHI replay serves it when asked for (`replay/smhi.py`, sub CO2).
2. `replay/payloads/scb/TotaltUtslappN.json`: SCB's MI0107 table (Naturvårdsverket's national
   inventory) with the nine main sectors 1.0-9.0 besides LULUCF (10.0, built by
   `replay.build_sinks_payloads.build_lulucf`):
   - CO2-ekv.: Sweden by main sector from SMHI's June 2026 release
     (`territorial-data-pipeline_bf20c58/output/national-sector-emissions.json`; 1990, 2000, 2005,
     2010, 2015, 2020-2024). SMHI's kommun data are the national inventory spread on a grid, so
     its Sweden rows are the inventory by sector (2024: 47.65 Mt; Naturvårdsverket: 47.49 Mt);
   - CO2: the sum of the 290 kommuner of the June 2025 CO2 release above (1990, 2000, 2005,
     2010, 2015-2023); SMHI's unallocated CO2 is not in it;
   every other cell is '..'. No year after 2024 is served: MI0107 publishes year N in December
   of N+1, so the replay stands where the table stood in early 2026, and no placeholder figure
   is made up for 2025.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from replay.build_scb_payloads import OUT_DIR as SCB_DIR
from replay.build_sinks_payloads import build_lulucf, encode, sha256_of
from replay.build_smhi_payloads import (
    DEFAULT_SHARED,
    GGT_SECTORS,
    RAW_CO2_FILE,
    SEEDS_DIR,
    TDP,
    by_code,
    load_sector_json,
    read_raw_export,
    smhi_areas,
    sum_sectors,
)
from replay.smhi import REBUILT_DIR, xlsx_bytes
from sources.national_emissions import CONTENTS_CODE, SECTORS
from sources.smhi import ALLA, LABELS, load_reference, parse_smhi_excel

CO2_RELEASE_DATE = "2025-06-18"
CO2_COMMIT = "dcc591f75258928128a864d3d4e50e5b173d192c"
CO2_SECTOR_FILE = "territorial-data-pipeline_dcc591f/output/sector-emissions.json"
CO2_YEARS = (1990, 2000, 2005, 2010, *range(2015, 2024))
CO2_SHEET = "Koldioxid (CO2)"  # as in the raw export of 2024-04-18
CO2_TITLE = "Emissioner av Koldioxid (CO2)"
CO2_UNIT = "Enhet: ton/år"
REBUILT_NOTE = (
    "REBUILT, not an SMHI file: SMHI's CO2 release of June 2025 (data to 2023) rewritten in the "
    "export format from Klimatbyrån's output of it; main sectors only; kommun 'Alla' = sum of its "
    "sectors, län and Sweden = sums of their kommuner; no cement deduction; report date = date of "
    "the commit holding that output (SMHI's own date unknown)."
)

NATIONAL_GGT_FILE = "territorial-data-pipeline_bf20c58/output/national-sector-emissions.json"
NATIONAL_GGT_COMMIT = "bf20c580380961c3b1b246681992e2d9d2b26f11"
NOT_AVAILABLE = ".."
NATIONAL_GASES = ("CO2-ekv.", "CO2")
GAS_LABELS = {"CO2-ekv.": "Totala växthusgaser (CO2-ekv.)", "CO2": "Koldioxid (CO2)"}
# Swedish sector labels of the table [wording unverified; the codes are data_sources.md §1.6's].
SECTOR_LABELS = {
    "1.0": "Arbetsmaskiner",
    "2.0": "Avfall (inkl. avlopp)",
    "3.0": "El och fjärrvärme",
    "4.0": "Industri (energi och processer)",
    "5.0": "Utrikes transporter",
    "6.0": "Jordbruk",
    "7.0": "Produktanvändning (inkl. lösningsmedel)",
    "8.0": "Inrikes transporter",
    "9.0": "Egen uppvärmning av bostäder och lokaler",
}
PROVENANCE_BY_GAS = {
    "CO2-ekv.": (
        "Sectors 1.0-9.0: Sweden by SMHI main sector, SMHI release of June 2026 "
        f"({TDP}@{NATIONAL_GGT_COMMIT[:7]}:output/national-sector-emissions.json), standing in for "
        "Naturvårdsverket's MI0107 figures (the same inventory)"
    ),
    "CO2": (
        "Sectors 1.0-9.0: the sum of the 290 kommuner of SMHI's CO2 release of June 2025 "
        f"({TDP}@{CO2_COMMIT[:7]}:output/sector-emissions.json; unallocated CO2 not included), "
        "standing in for Naturvårdsverket's MI0107 CO2 figures"
    ),
}


# --------------------------------------------------------------------------- the CO2 release


def co2_sheet_rows(areas, kommun: dict, years: tuple[int, ...]) -> list[tuple]:
    """The workbook's rows: preamble, years, labels, then sector by sector Sweden, each län and
    its kommuner, in the raw export's order."""
    lan = {a.lan_kod: sum_sectors([kommun[c] for c, _ in a.kommuner]) for a in areas}
    riket = sum_sectors(list(kommun.values()))

    def values(sectors: dict) -> dict[str, list]:
        out = {ALLA: [round(sum(sectors[str(y)].values()), 3) for y in years]}
        for sector in GGT_SECTORS:
            out[sector] = [sectors[str(y)][sector] for y in years]
        return out

    blocks = [(ALLA, ALLA, values(riket))]
    for area in areas:
        blocks.append((area.lan_namn, ALLA, values(lan[area.lan_kod])))
        blocks.extend((area.lan_namn, name, values(kommun[code])) for code, name in area.kommuner)
    preamble = [
        ("Rapportnamn:", f"Länsrapport, {CO2_RELEASE_DATE}"),
        (CO2_TITLE,),
        (CO2_UNIT,),
        (),
    ]
    header = [(None, None, None, None, *years), (*LABELS, *["CO2"] * len(years))]
    data = [
        (sector, ALLA, lan_name, kommun_name, *block[sector])
        for sector in (ALLA, *GGT_SECTORS)
        for lan_name, kommun_name, block in blocks
    ]
    return [*preamble, *header, *data]


def check_co2_sectors(kommun: dict) -> None:
    for code, sectors in kommun.items():
        if sorted(int(y) for y in sectors) != list(CO2_YEARS):
            raise ValueError(f"{CO2_SECTOR_FILE} kommun {code}: years {sorted(sectors)}")
        for year, values in sectors.items():
            if set(values) != set(GGT_SECTORS):
                raise ValueError(
                    f"{CO2_SECTOR_FILE} kommun {code} {year}: sectors {sorted(values)}"
                )


def build_co2_release(shared: Path) -> tuple[bytes, dict]:
    reference = load_reference(SEEDS_DIR)
    areas = smhi_areas(read_raw_export(shared / RAW_CO2_FILE), reference)
    kommun = by_code(load_sector_json(shared / CO2_SECTOR_FILE), reference.kommun_code, "kommun")
    check_co2_sectors(kommun)
    content = xlsx_bytes(
        CO2_SHEET,
        co2_sheet_rows(areas, kommun, CO2_YEARS),
        created=datetime.fromisoformat(CO2_RELEASE_DATE),
        creator="replay.build_nowcast_payloads",
        description=REBUILT_NOTE,
    )
    name = f"CO2_{CO2_RELEASE_DATE}.xlsx"
    parsed = parse_smhi_excel(content, file_name=name, sub="CO2", reference=reference)
    kommuner = parsed.frame.filter(parsed.frame["level"] == "kommun")["kommun_kod"].n_unique()
    if kommuner != 290:
        raise ValueError(f"{name}: expected 290 kommuner, parsed {kommuner}")
    entry = {
        "sub": "CO2",
        "vintage": CO2_RELEASE_DATE,
        "years": list(parsed.years),
        "rows": parsed.frame["source_row"].n_unique(),
        "bytes": len(content),
        "sha256": sha256_bytes(content),
        "rebuilt": True,
        "provenance": {
            "repository": TDP,
            "commit": CO2_COMMIT,
            "source_files": [
                CO2_SECTOR_FILE,
                f"{RAW_CO2_FILE} (SMHI's län and kommun names, order)",
            ],
            "note": REBUILT_NOTE,
        },
    }
    return content, {name: entry}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the national table


def national_series(shared: Path) -> dict[tuple[str, str], dict[int, float]]:
    """{(sector code, gas code): {year: tonnes}} for the nine main sectors."""
    code_of = {name: code for code, name in SECTORS.items()}
    series: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    (sweden,) = load_sector_json(shared / NATIONAL_GGT_FILE).values()
    for year, sectors in sweden.items():
        for name, tonnes in sectors.items():
            series[(code_of[name], "CO2-ekv.")][int(year)] = float(tonnes)
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for kommun in load_sector_json(shared / CO2_SECTOR_FILE).values():
        for year, sectors in kommun.items():
            for name, tonnes in sectors.items():
                totals[(code_of[name], int(year))] += tonnes
    for (code, year), tonnes in totals.items():
        series[(code, "CO2")][year] = round(tonnes, 2)
    return series


def build_national_table(shared: Path) -> dict:
    """TotaltUtslappN with sectors 1.0-10.0 and both gases over LULUCF's years (1990-2024)."""
    lulucf = build_lulucf(shared)
    meta = lulucf["metadata"]
    years = list(meta["dimension"]["Tid"]["category"]["index"])
    lulucf_values = dict(zip(years, lulucf["cube"]["value"], strict=True))
    sector_codes = [*SECTORS, "10.0"]
    sector_labels = [
        *(SECTOR_LABELS[c] for c in SECTORS),
        meta["dimension"]["Sektor"]["category"]["label"]["10.0"],
    ]
    meta["dimension"]["Sektor"]["category"]["index"] = {c: i for i, c in enumerate(sector_codes)}
    meta["dimension"]["Sektor"]["category"]["label"] = dict(
        zip(sector_codes, sector_labels, strict=True)
    )
    meta["dimension"]["Vaxthusgaser"]["category"]["index"] = {
        g: i for i, g in enumerate(NATIONAL_GASES)
    }
    meta["dimension"]["Vaxthusgaser"]["category"]["label"] = dict(GAS_LABELS)
    meta["size"] = [len(meta["dimension"][d]["category"]["index"]) for d in meta["id"]]
    meta["note"] = [
        "Negativa värden är nettoupptag.",
        "Replay payload: sektor 1.0-9.0 (huvudsektorer) och 10.0 (LULUCF); se extension.replay.",
    ]
    # The table-level provenance stays LULUCF's (the sinks domain reads it); the main sectors'
    # is per gas, which sources/national_emissions.py reads.
    meta["extension"]["replay"]["provenance_by_gas"] = dict(PROVENANCE_BY_GAS)
    series = national_series(shared)
    values, status = [], {}
    for sector in sector_codes:
        for gas in NATIONAL_GASES:
            for year in years:
                if sector == "10.0":
                    value = lulucf_values[year] if gas == "CO2-ekv." else None
                else:
                    tonnes = series[(sector, gas)].get(int(year))
                    value = None if tonnes is None else round(tonnes / 1000.0, 5)
                if value is None:
                    status[str(len(values))] = NOT_AVAILABLE
                values.append(value)
    note = [
        *lulucf["note"],
        "Sectors 1.0-9.0 added by replay/build_nowcast_payloads.py for the nowcast's national "
        "indicator: " + "; ".join(PROVENANCE_BY_GAS.values()) + ".",
        "Cells without a source figure are '..' (CO2-ekv. 2016-2019 and CO2 2024 of the main "
        "sectors, CO2 of LULUCF). No year after 2024 is held.",
    ]
    sources = [
        *lulucf["sources"],
        {"path": NATIONAL_GGT_FILE, "sha256": sha256_of(shared / NATIONAL_GGT_FILE)},
        {"path": CO2_SECTOR_FILE, "sha256": sha256_of(shared / CO2_SECTOR_FILE)},
    ]
    return {
        "table_id": lulucf["table_id"],
        "note": note,
        "sources": sources,
        "metadata": meta,
        "cube": {"id": lulucf["cube"]["id"], "value": values, "status": status},
    }


def check_contents(table: dict) -> None:
    if list(table["metadata"]["dimension"]["ContentsCode"]["category"]["index"]) != [CONTENTS_CODE]:
        raise ValueError("TotaltUtslappN: unexpected contents codes")


# --------------------------------------------------------------------------- writing


def write_payloads(
    shared: Path, smhi_dir: Path = REBUILT_DIR, scb_dir: Path = SCB_DIR
) -> dict[str, int]:
    sizes = {}
    content, files = build_co2_release(shared)
    smhi_dir.mkdir(parents=True, exist_ok=True)
    for name in files:
        (smhi_dir / name).write_bytes(content)
        sizes[str(smhi_dir / name)] = len(content)
    manifest = {"generated_by": "python -m replay.build_nowcast_payloads", "files": files}
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (smhi_dir / "MANIFEST.json").write_text(text, encoding="utf-8")
    table = build_national_table(shared)
    check_contents(table)
    data = encode(table)
    scb_dir.mkdir(parents=True, exist_ok=True)
    (scb_dir / f"{table['table_id']}.json").write_bytes(data)
    sizes[str(scb_dir / f"{table['table_id']}.json")] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared klimatkollen data folder"
    )
    args = parser.parse_args(argv)
    for path, size in write_payloads(args.shared.resolve()).items():
        print(f"{size:>10,d}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
