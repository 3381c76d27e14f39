"""Build the bundled SCB PxWebApi 2.0 payloads that `replay.scb.ScbHandler` serves.

    python -m replay.build_scb_payloads [--shared PATH]

Reads two SCB population workbooks (copied in shared/data/klimatkollen, see its SOURCE.md)
and writes one JSON file per table into replay/payloads/scb/ (gzipped when over 200 KB):

* TAB638 (population 1968-2024, BE0101N1 Folkmängd, BE0101N2 Folkökning), years 2023-2024,
  from `be0101_tabhel2024.xlsx`, sheet `Totalt`: population on 31 Dec 2024 and the population
  change during 2024 for riket, the 21 län and the 290 kommuner.
  The 2023 population is DERIVED: population(2023) = population(2024) - folkökning(2024).
  SCB's folkökning includes the "justeringar" column, so this reproduces the published stock
  exactly (riket: 10 587 710 - 36 003 = 10 551 707). The workbook counts the population on
  the 2025-01-01 division and the change on the 2024-01-01 division; no kommun borders
  changed in 2024, so the two agree. The 2023 folkökning is not in the workbook: that cell is
  stored as null with SCB's ".." (not available) symbol.
* TAB5557 (population 2025-, CKM-noised, 000007ME Folkmängd), year 2025, from SCB table
  000007SF (population per month), column 2025M12. SCB counts a month's population on its last
  day, so 2025M12 is used as the 31 Dec 2025 figure.

Only totals are stored. TAB638's Civilstand/Alder/Kon are listed with their real codes but
the replay holds no cell broken down by them (they can only be eliminated, or Alder set to
`tot`); both the payload note and the served metadata say so. TAB5557 lists only the total
codes (SC, TotSA, TotSa) because those are the only values held.

The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path

import openpyxl

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "replay" / "payloads" / "scb"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "klimatkollen"
TAB638_XLSX = "municipality-data-pipeline_af3346d/kpis/bicycles/sources/be0101_tabhel2024.xlsx"
TAB5557_XLSX = (
    "territorial-data-pipeline_bf20c58/kpis/bicycles/sources/000007SF_20260416-131411.xlsx"
)
GZIP_OVER_BYTES = 200_000
NOT_AVAILABLE = ".."  # SCB: "uppgift inte tillgänglig eller för osäker för att anges"

# Release timestamps. TAB5557's is from a captured live response (data_sources.md §1.5);
# TAB638's is SCB's release day for the 2024 annual figures [unverified].
TAB638_UPDATED = "2025-02-21T07:00:00Z"
TAB5557_UPDATED = "2026-02-24T07:00:00Z"


# ---------------------------------------------------------------- reading the workbooks


def read_tabhel_totals(path: Path) -> list[dict]:
    """Rows of sheet `Totalt`: code ('00' riket), name, population 31 Dec, change in the year."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["Totalt"]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        name, population, change = row[1], row[2], row[3]
        if not isinstance(population, int) or not isinstance(name, str):
            continue  # title, header and footnote rows
        code = "00" if row[0] is None else str(row[0]).strip()
        rows.append(
            {"code": code, "name": name.strip(), "population": population, "change": change}
        )
    return rows


def read_monthly_december(path: Path, month: str = "2025M12") -> list[dict]:
    """Rows of SCB table 000007SF: kommun code, name and the population in `month`."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if rows[2][3] != month:
        raise ValueError(f"{path.name}: expected month {month} in D3, found {rows[2][3]!r}")
    out = []
    for row in rows[3:]:
        region, value = row[0], row[3]
        if not isinstance(value, int):
            break  # the footnotes start after the first empty row
        code, name = region.split(" ", 1)
        out.append({"code": code, "name": name, "population": value})
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- JSON-stat pieces


def dimension(
    label: str,
    codes: list[str],
    labels: list[str],
    *,
    elimination: bool,
    elimination_code: str | None = None,
    show: str = "value",
    note: list[str] | None = None,
    **extension,
) -> dict:
    ext = {"elimination": elimination}
    if elimination_code is not None:
        ext["eliminationValueCode"] = elimination_code
    ext["show"] = show
    ext.update(extension)
    dim = {
        "label": label,
        "category": {
            "index": {c: i for i, c in enumerate(codes)},
            "label": dict(zip(codes, labels, strict=True)),
        },
        "extension": ext,
    }
    if note:
        dim["note"] = note
    return dim


def dataset_metadata(
    *,
    table_id: str,
    matrix: str,
    label: str,
    updated: str,
    note: list[str],
    dimensions: dict[str, dict],
    contents: str,
) -> dict:
    """A PxWebApi 2.0 metadata response: JSON-stat 2.0 with an empty `value`."""
    ids = list(dimensions)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "updated": updated,
        "note": note,
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ids,
        "size": [len(dimensions[d]["category"]["index"]) for d in ids],
        "dimension": dimensions,
        "extension": {
            "px": {
                "infofile": "BE0101",
                "tableid": table_id,
                "decimals": 0,
                "official-statistics": True,
                "aggregallowed": False,
                "language": "sv",
                "contents": contents,
                "matrix": matrix,
                "subject-code": "BE",
                "subject-area": "Befolkning",
            },
            "discontinued": None,
        },
        "value": [],
    }


def region_order(rows: list[dict]) -> list[dict]:
    """Riket first, then each län followed by its kommuner, all by code (SCB's order)."""
    return sorted(rows, key=lambda r: (r["code"] != "00", r["code"][:2], len(r["code"]), r["code"]))


# ---------------------------------------------------------------- TAB638

TOTAL_ONLY_NOTE = (
    "Replay payload: only totals over civilstånd, ålder and kön are held. Leave the "
    "variable out (it is eliminated) or, for Alder, select 'tot'; any other value of "
    "it is answered with 400 Non-existent value."
)

AGE_CODES = [str(a) for a in range(100)] + ["100+", "tot"]
AGE_LABELS = [f"{a} år" for a in range(100)] + ["100+ år", "totalt ålder"]


def build_tab638(shared: Path) -> dict:
    source = shared / TAB638_XLSX
    regions = region_order(read_tabhel_totals(source))
    kommuner = [r for r in regions if len(r["code"]) == 4]
    lan = [r for r in regions if len(r["code"]) == 2 and r["code"] != "00"]
    if len(kommuner) != 290 or len(lan) != 21:
        raise ValueError(
            f"{source.name}: expected 290 kommuner and 21 län, got {len(kommuner)} and {len(lan)}"
        )
    region_codes = [r["code"] for r in regions]
    region_labels = ["Riket" if r["code"] == "00" else r["name"] for r in regions]
    dims = {
        "Region": dimension(
            "region", region_codes, region_labels, elimination=False, show="code_value"
        ),
        "Civilstand": dimension(
            "civilstånd",
            ["OG", "G", "SK", "ÄNKL"],
            ["ogifta", "gifta", "skilda", "änkor/änklingar"],
            elimination=True,
            note=[TOTAL_ONLY_NOTE],
        ),
        "Alder": dimension(
            "ålder",
            AGE_CODES,
            AGE_LABELS,
            elimination=True,
            elimination_code="tot",
            note=[TOTAL_ONLY_NOTE],
        ),
        "Kon": dimension(
            "kön", ["1", "2"], ["män", "kvinnor"], elimination=True, note=[TOTAL_ONLY_NOTE]
        ),
        "ContentsCode": dimension(
            "tabellinnehåll",
            ["BE0101N1", "BE0101N2"],
            ["Folkmängd", "Folkökning"],
            elimination=False,
            refperiod={
                "BE0101N1": "31 december respektive år",
                "BE0101N2": "1 januari–31 december respektive år",
            },
            measuringType={"BE0101N1": "Stock", "BE0101N2": "Flow"},
        ),
        "Tid": dimension("år", ["2023", "2024"], ["2023", "2024"], elimination=False, show="code"),
    }
    dims["ContentsCode"]["category"]["unit"] = {
        "BE0101N1": {"base": "antal", "decimals": 0},
        "BE0101N2": {"base": "antal", "decimals": 0},
    }
    # Cube over Region x ContentsCode x Tid, row-major, Tid fastest.
    values, status = [], {}
    for r in regions:
        population_2023 = r["population"] - r["change"]  # derived, see the module docstring
        for cell in (
            population_2023,
            r["population"],
            None,
            r["change"],
        ):  # N1 2023, N1 2024, N2 2023, N2 2024
            if cell is None:
                status[str(len(values))] = NOT_AVAILABLE
            values.append(cell)
    note = [
        f"Built by replay/build_scb_payloads.py from {TAB638_XLSX} (sheet Totalt), SCB's "
        "'Folkmängd i riket, län och kommuner 31 december och befolkningsförändringar 2024'.",
        "BE0101N1 2024 and BE0101N2 2024 are the workbook's Folkmängd and Folkökning columns.",
        "BE0101N1 2023 is derived: Folkmängd 2024 - Folkökning 2024 (Folkökning includes the "
        "justeringar, so this is the published 31 Dec 2023 stock; riket 10 551 707).",
        "BE0101N2 2023 is not in the workbook: null with status '..'.",
        "Only totals over Civilstand, Alder and Kon are held; the real table also has 1968-2022.",
        "Län labels are the workbook's short names (e.g. 'Dalarna'), not SCB's 'Dalarnas län'.",
        f"The table label and the updated timestamp {TAB638_UPDATED} are unverified.",
    ]
    metadata = dataset_metadata(
        table_id="TAB638",
        matrix="BefolkningNy",
        updated=TAB638_UPDATED,
        contents="Folkmängd",
        label="Folkmängden efter region, civilstånd, ålder och kön. År 1968 - 2024",
        note=[
            "Folkmängd avser 31 december och redovisas enligt regionindelningen 1 januari året "
            "därpå.",
            "Replay payload: years 2023-2024 and totals over civilstånd, ålder and kön only.",
        ],
        dimensions=dims,
    )
    return {
        "table_id": "TAB638",
        "note": note,
        "sources": [{"path": TAB638_XLSX, "sheet": "Totalt", "sha256": sha256_of(source)}],
        "metadata": metadata,
        "cube": {"id": ["Region", "ContentsCode", "Tid"], "value": values, "status": status},
    }


# ---------------------------------------------------------------- TAB5557


def build_tab5557(shared: Path) -> dict:
    source = shared / TAB5557_XLSX
    rows = sorted(read_monthly_december(source), key=lambda r: r["code"])
    if len(rows) != 290:
        raise ValueError(f"{source.name}: expected 290 kommuner, got {len(rows)}")
    dims = {
        "Region": dimension(
            "region",
            [r["code"] for r in rows],
            [r["name"] for r in rows],
            elimination=False,
            show="code_value",
        ),
        "Civilstand": dimension(
            "civilstånd", ["SC"], ["totalt, samtliga civilstånd"], elimination=False
        ),
        "Alder": dimension("ålder", ["TotSA"], ["totalt, samtliga åldrar"], elimination=False),
        "Kon": dimension(
            "kön",
            ["TotSa"],
            ["totalt, samtliga män och kvinnor"],
            elimination=True,
            elimination_code="TotSa",
        ),
        "ContentsCode": dimension(
            "tabellinnehåll",
            ["000007ME"],
            ["Folkmängd"],
            elimination=False,
            refperiod={"000007ME": "31 december respektive år"},
            measuringType={"000007ME": "Stock"},
        ),
        "Tid": dimension("år", ["2025"], ["2025"], elimination=False, show="code"),
    }
    dims["ContentsCode"]["category"]["unit"] = {
        "000007ME": {"base": "antal personer", "decimals": 0}
    }
    note = [
        f"Built by replay/build_scb_payloads.py from {TAB5557_XLSX}, SCB table 000007SF "
        "'Folkmängden per månad efter region, ålder, kön och månad', column 2025M12.",
        "The December 2025 monthly figure (population on the last day of the month, regional "
        "division of 1 Jan 2026) is used as the 31 Dec 2025 annual figure of TAB5557.",
        "From 2025 SCB adds Cell-Key-Method noise; totals are not sums of parts. Only the total "
        "codes (Civilstand SC, Alder TotSA, Kon TotSa) and the 290 kommuner are held.",
    ]
    metadata = dataset_metadata(
        table_id="TAB5557",
        matrix="TAB5557",
        updated=TAB5557_UPDATED,
        contents="Folkmängd",
        label="Folkmängd efter region, civilstånd, ålder, kön och år",
        note=[
            "Från och med referensåret 2025 är en liten kontrollerad slumpmässig osäkerhet införd "
            "i samtliga redovisade uppgifter (Cell Key Method).",
            "Replay payload: year 2025, the 290 kommuner and the total codes only.",
        ],
        dimensions=dims,
    )
    return {
        "table_id": "TAB5557",
        "note": note,
        "sources": [{"path": TAB5557_XLSX, "column": "2025M12", "sha256": sha256_of(source)}],
        "metadata": metadata,
        "cube": {"id": list(dims), "value": [r["population"] for r in rows], "status": {}},
    }


# ---------------------------------------------------------------- writing


def encode(payload: dict) -> tuple[str, bytes]:
    """File name and bytes; gzip (with a fixed mtime, for determinism) past the size limit."""
    name = f"{payload['table_id']}.json"
    data = (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if len(data) > GZIP_OVER_BYTES:
        return name + ".gz", gzip.compress(data, compresslevel=9, mtime=0)
    return name, data


def write_payloads(shared: Path, out_dir: Path = OUT_DIR) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for payload in (build_tab638(shared), build_tab5557(shared)):
        name, data = encode(payload)
        for stale in out_dir.glob(f"{payload['table_id']}.json*"):
            stale.unlink()
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="the shared/data/klimatkollen folder (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    sizes = write_payloads(args.shared)
    for name, size in sizes.items():
        print(f"{OUT_DIR / name}: {size:,} bytes")
    print(f"total: {sum(sizes.values()):,} bytes")


if __name__ == "__main__":
    main()
