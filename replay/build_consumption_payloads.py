"""Build the bundled consumption-emission payloads from Klimatkollen's workbooks.

    python -m replay.build_consumption_payloads [--shared PATH]

Writes, deterministically (the same inputs give the same bytes):

* `replay/payloads/scb/MI1301MPSPINN.json`: SCB's consumption-based emissions by use, national,
  2008–2023, greenhouse gases in t CO2e, served by the fake PxWebApi. Values are the national
  'Totalt' rows of the sheets `Kons_HH` (households), `Kons_Off` (public sector: offentlig
  konsumtion och HIO) and `Kons_Inv` (investments) of `swedish_emissions.xlsx`, which cite
  SCB MI1301MPSPINN extracted 2026-02-05.
* `replay/payloads/scb/NR0105ENS2010T06A.json`: the allocation key per kommun, 2012–2023.
  SCB's BRP per kommun is NOT in ../shared and was not found in public repositories, so this
  payload holds RECONSTRUCTED allocation shares: each kommun's `Kons_Off` value divided by the
  national `Kons_Off` total of the same year. The payload says so in its label, its content label
  and its unit ('andel', not 'mnkr'), and MANIFEST.json records it. Reproducing `Kons_Off` from it
  is therefore partly circular: it checks the national totals, the key-year rule and the method, not
  the key levels themselves.
* `replay/payloads/consumption/Klimatkollen_data for 2023_shared April 2026.xlsx`: the SEI
  Konsumtionskompassen household sheet `Municipal_grouped`, rewritten cell for cell (the file feed's
  bundled default; the county sheet is left out).
* `replay/payloads/consumption/MANIFEST.json`: provenance of all three and the checks below.

Checks made on the way (the build fails if one does not hold):
- for every kommun and year, `Kons_Off` and `Kons_Inv` give the same share of their national total
  (within the workbook's rounding to whole tonnes): one key for both components;
- for 2008–2011, every kommun's share equals its 2012 share: years before NR0105's first year use
  the 2012 key.

Codes marked `# unverified` could not be checked against SCB's live metadata offline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl

from replay.build_scb_payloads import DEFAULT_SHARED, dimension, encode
from replay.build_scb_payloads import OUT_DIR as SCB_OUT_DIR
from replay.smhi import xlsx_bytes
from sources.consumption import (
    GHG_SUBSTANCE,
    MI1301_TABLE,
    NR0105_TABLE,
    SEI_HEADER,
    SEI_SHEET,
    parse_swedish_number,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CONSUMPTION_OUT_DIR = REPO_ROOT / "replay" / "payloads" / "consumption"
WORKBOOK = "territorial-data-pipeline_bf20c58/kpis/emissions/sources/swedish_emissions.xlsx"
SEI_WORKBOOK = (
    "territorial-data-pipeline_bf20c58/kpis/consumption/sources/Klimatkollen_data for "
    "2023_shared April 2026.xlsx"
)
TDP_COMMIT = "bf20c580380961c3b1b246681992e2d9d2b26f11"
# Klimatkollen's extraction date of both SCB tables; SCB's own release stamp is unverified.
EXTRACTED = "2026-02-05T00:00:00Z"
SEI_CREATED = datetime(2026, 4, 1)  # fixed workbook properties, for byte-identical output
USE_SHEETS = {"HHK": "Kons_HH", "OFFK": "Kons_Off", "INV": "Kons_Inv"}
USE_LABELS = {
    "HHK": "hushållens konsumtion",
    "OFFK": "offentlig konsumtion och HIO",
    "INV": "investeringar",
}
KEY_FIRST_YEAR = 2012  # NR0105ENS2010T06A: "År 2012 - 2023"
RECONSTRUCTED_CODE = "REKONSTRUERAD_ANDEL"  # deliberately not an SCB content code
RECONSTRUCTED_LABEL = (
    "Rekonstruerad fördelningsandel: kommunens värde i Klimatkollens Kons_Off delat med "
    "riket, INTE SCB:s BRP i mnkr (reconstructed allocation shares derived from "
    "Klimatkollen's Kons_Off, not SCB's BRP in MSEK)"
)


@dataclass(frozen=True)
class ConsumptionSheet:
    years: list[int]
    national: list[float]
    kommuner: dict[str, tuple[str, list[float]]]  # code -> (name, values)


def read_consumption_sheet(workbook, sheet: str) -> ConsumptionSheet:
    """A Kons_* sheet: header row 'Länskod, Län, Kommunkod, Kommun, 2008, …', kommun rows, län
    'Totalt' rows and a national 'Totalt' row; numbers are text like '74 664'."""
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Länskod")
    years = [int(y) for y in header[4:]]
    national, kommuner = None, {}
    for number, row in enumerate(rows, start=1):
        if not row or len(row) < 5 or row[0] in (None, "Länskod") or row[4] is None:
            continue
        try:
            values = [parse_swedish_number(v) for v in row[4 : 4 + len(years)]]
        except ValueError as exc:
            raise ValueError(f"{sheet} row {number}: {exc}") from None
        if row[2] == "-" and row[1] == "Totalt":
            national = values
        elif row[2] != "-":
            kommuner[str(row[2])] = (str(row[3]), values)
    if national is None:
        raise ValueError(f"{sheet}: no national 'Totalt' row")
    return ConsumptionSheet(years, national, kommuner)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_one_key_for_both(off: ConsumptionSheet, inv: ConsumptionSheet) -> float:
    """Largest difference, in tonnes of Kons_Off, between the Off and the Inv share of a kommun."""
    worst = 0.0
    for code, (_, off_values) in off.kommuner.items():
        inv_values = inv.kommuner[code][1]
        for i, _ in enumerate(off.years):
            share_off, share_inv = off_values[i] / off.national[i], inv_values[i] / inv.national[i]
            worst = max(worst, abs(share_off - share_inv) * off.national[i])
    if worst > 1.0:
        raise ValueError(f"Kons_Off and Kons_Inv do not share one key: {worst:.2f} t apart")
    return worst


def check_key_year_rule(off: ConsumptionSheet) -> float:
    """Largest difference, in tonnes, between a pre-2012 value and national × the 2012 share."""
    key = off.years.index(KEY_FIRST_YEAR)
    worst = 0.0
    for _, values in off.kommuner.values():
        share = values[key] / off.national[key]
        for i, year in enumerate(off.years):
            if year < KEY_FIRST_YEAR:
                worst = max(worst, abs(values[i] - share * off.national[i]))
    if worst > 1.0:
        raise ValueError(f"2008–2011 do not use the 2012 key: {worst:.2f} t apart")
    return worst


def px_metadata(
    *,
    table_id: str,
    label: str,
    contents: str,
    subject: tuple[str, str],
    note: list[str],
    dims: dict[str, dict],
) -> dict:
    ids = list(dims)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "updated": EXTRACTED,
        "note": note,
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ids,
        "size": [len(dims[d]["category"]["index"]) for d in ids],
        "dimension": dims,
        "extension": {
            "px": {
                "infofile": table_id[:6],
                "tableid": table_id,
                "decimals": 0,
                "official-statistics": True,
                "aggregallowed": False,
                "language": "sv",
                "contents": contents,
                "matrix": table_id,
                "subject-code": subject[0],
                "subject-area": subject[1],
            },
            "discontinued": None,
        },
        "value": [],
    }


def build_mi1301(sheets: dict[str, ConsumptionSheet], source: Path) -> dict:
    years = sheets["OFFK"].years
    for code, sheet in sheets.items():
        if sheet.years != years:
            raise ValueError(
                f"{USE_SHEETS[code]}: years {sheet.years} differ from Kons_Off's {years}"
            )
    total_only = (
        "Replay payload: only the total is held; leave the variable out (it is eliminated)."
    )
    dims = {
        "Uppkomst": dimension(
            "uppkomst",
            ["TOT"],
            ["totalt"],
            elimination=True,  # unverified code
            note=[total_only],
        ),
        "Anvandningstyp": dimension(
            "användning", list(USE_SHEETS), [USE_LABELS[c] for c in USE_SHEETS], elimination=False
        ),  # unverified codes
        "AmneMiljo": dimension(
            "ämne", [GHG_SUBSTANCE], ["växthusgaser (CO2-ekvivalenter)"], elimination=False
        ),
        "ProdgrpSNI2007": dimension(
            "produktgrupp SPIN 2007",
            ["TOT"],
            ["samtliga produktgrupper"],  # unverified code
            elimination=True,
            note=[total_only],
        ),
        "ContentsCode": dimension(
            "tabellinnehåll", ["MI1301AA"], ["Utsläpp"], elimination=False
        ),  # unverified code
        "Tid": dimension(
            "år", [str(y) for y in years], [str(y) for y in years], elimination=False, show="code"
        ),
    }
    dims["ContentsCode"]["category"]["unit"] = {"MI1301AA": {"base": "ton", "decimals": 0}}
    # Cube over Anvandningstyp x AmneMiljo x ContentsCode x Tid, Tid fastest.
    values = [value for code in USE_SHEETS for value in sheets[code].national]
    note = [
        f"Built by replay/build_consumption_payloads.py from {WORKBOOK} "
        f"(Klimatbyran/territorial-data-pipeline @{TDP_COMMIT[:7]}): the national 'Totalt' rows "
        "of sheets Kons_HH, Kons_Off and Kons_Inv, whose source rows cite SCB MI1301MPSPINN, "
        "extracted 2026-02-05.",
        "Unverified: the codes of Uppkomst, Anvandningstyp, ProdgrpSNI2007 and ContentsCode, the "
        "table label, and the 'updated' stamp (the extraction date stands in for SCB's release "
        "date).",
        "Only greenhouse gases, the total over origin and product group, and the three uses are "
        "held.",
    ]
    metadata = px_metadata(
        table_id=MI1301_TABLE,
        contents="Utsläpp",
        subject=("MI", "Miljö"),
        label="Miljöpåverkan från konsumtion efter produktgrupp SPIN 2007, användning och ämne. År "
        "2008 - 2023",
        note=["Replay payload: national totals by use only."],
        dims=dims,
    )
    return {
        "table_id": MI1301_TABLE,
        "note": note,
        "sources": [
            {
                "path": WORKBOOK,
                "sheets": list(USE_SHEETS.values()),
                "row": "Totalt",
                "sha256": sha256_of(source),
            }
        ],
        "metadata": metadata,
        "cube": {
            "id": ["Anvandningstyp", "AmneMiljo", "ContentsCode", "Tid"],
            "value": values,
            "status": {},
        },
    }


def build_nr0105(off: ConsumptionSheet, source: Path) -> dict:
    key_years = [y for y in off.years if y >= KEY_FIRST_YEAR]
    codes = sorted(off.kommuner)
    dims = {
        "Region": dimension(
            "region",
            codes,
            [off.kommuner[c][0] for c in codes],
            elimination=False,
            show="code_value",
        ),
        "ContentsCode": dimension(
            "tabellinnehåll", [RECONSTRUCTED_CODE], [RECONSTRUCTED_LABEL], elimination=False
        ),
        "Tid": dimension(
            "år",
            [str(y) for y in key_years],
            [str(y) for y in key_years],
            elimination=False,
            show="code",
        ),
    }
    dims["ContentsCode"]["category"]["unit"] = {
        RECONSTRUCTED_CODE: {"base": "andel", "decimals": 9}
    }
    values = []
    for code in codes:
        kommun_values = off.kommuner[code][1]
        for year in key_years:
            i = off.years.index(year)
            values.append(round(kommun_values[i] / off.national[i], 12))
    note = [
        "RECONSTRUCTED, NOT SCB DATA: reconstructed allocation shares derived from "
        "Klimatkollen's Kons_Off, not SCB's BRP in MSEK. SCB's BRP per kommun "
        "(NR0105ENS2010T06A) is not in ../shared and was not found in public repositories.",
        "Each value is a kommun's Kons_Off value divided by the national Kons_Off total of the "
        f"same year, from {WORKBOOK}, years {key_years[0]}-{key_years[-1]}.",
        "Reproducing Kons_Off from this key is partly circular: the national totals, the "
        "key-year rule (2008-2011 use 2012) and the method are checked, the key levels are not "
        "independent.",
        "The live table holds BRP in mnkr; the warehouse normalises whatever it holds to shares "
        "of the sum over kommuner, so the same code works on both.",
    ]
    metadata = px_metadata(
        table_id=NR0105_TABLE,
        contents="Rekonstruerad fördelningsandel",
        subject=("NR", "Nationalräkenskaper"),
        label=(
            "REKONSTRUERAD (inte SCB-data): fördelningsandel per kommun härledd ur Klimatkollens "
            "Kons_Off, i stället för Bruttoregionprodukt (BRP), (ENS2010) efter region (kommun). "
            "År 2012 - 2023"
        ),
        note=note[:1],
        dims=dims,
    )
    return {
        "table_id": NR0105_TABLE,
        "note": note,
        "reconstructed": True,
        "sources": [{"path": WORKBOOK, "sheet": "Kons_Off", "sha256": sha256_of(source)}],
        "metadata": metadata,
        "cube": {"id": list(dims), "value": values, "status": {}},
    }


def sei_fixture_rows(path: Path) -> list[list]:
    """The household sheet cell for cell; the header must be the one the parser expects."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)[SEI_SHEET]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    if tuple(rows[0][:4]) != SEI_HEADER:
        raise ValueError(f"{path.name}: unexpected header {rows[0]}")
    return rows


def build_all(shared: Path) -> dict[Path, bytes]:
    source = shared / WORKBOOK
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    sheets = {code: read_consumption_sheet(workbook, name) for code, name in USE_SHEETS.items()}
    one_key_t = check_one_key_for_both(sheets["OFFK"], sheets["INV"])
    key_year_t = check_key_year_rule(sheets["OFFK"])
    outputs: dict[Path, bytes] = {}
    for payload in (build_mi1301(sheets, source), build_nr0105(sheets["OFFK"], source)):
        name, data = encode(payload)
        outputs[SCB_OUT_DIR / name] = data
    sei_source = shared / SEI_WORKBOOK
    sei_bytes = xlsx_bytes(SEI_SHEET, sei_fixture_rows(sei_source), created=SEI_CREATED)
    outputs[CONSUMPTION_OUT_DIR / Path(SEI_WORKBOOK).name] = sei_bytes
    manifest = {
        "files": {
            f"scb/{MI1301_TABLE}.json": {
                "what": "SCB MI1301 national consumption-based emissions by use (t CO2e), "
                "2008-2023",
                "source_files": [WORKBOOK],
                "source_sha256": sha256_of(source),
                "commit": TDP_COMMIT,
                "sheets": list(USE_SHEETS.values()),
                "unverified": "variable and value codes, label, updated",
            },
            f"scb/{NR0105_TABLE}.json": {
                "what": (
                    "reconstructed allocation shares derived from Klimatkollen's Kons_Off, not "
                    "SCB's BRP in MSEK (kommun value / national total, 2012-2023)"
                ),
                "reconstructed": True,
                "source_files": [WORKBOOK],
                "source_sha256": sha256_of(source),
                "commit": TDP_COMMIT,
                "sheet": "Kons_Off",
                "circularity": (
                    "reproducing Kons_Off from this key checks the national totals, the key-year "
                    "rule and the method; the key levels are not independent"
                ),
            },
            Path(SEI_WORKBOOK).name: {
                "what": "SEI Konsumtionskompassen household emissions, kg CO2e per capita, 2023, "
                "sheet Municipal_grouped",
                "source_files": [SEI_WORKBOOK],
                "source_sha256": sha256_of(sei_source),
                "commit": TDP_COMMIT,
                "sha256": hashlib.sha256(sei_bytes).hexdigest(),
                "note": "rewritten cell for cell with fixed workbook properties; the "
                "County_grouped sheet is left out",
            },
        },
        "checks": {
            "kons_off_and_kons_inv_share_one_key_max_diff_t": round(one_key_t, 3),
            "years_2008_2011_use_the_2012_key_max_diff_t": round(key_year_t, 3),
        },
    }
    outputs[CONSUMPTION_OUT_DIR / "MANIFEST.json"] = (
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    ).encode("utf-8")
    return outputs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="the shared/data/klimatkollen folder (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    for path, data in build_all(args.shared).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        path.write_bytes(data)
        print(f"{path.relative_to(REPO_ROOT)}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
