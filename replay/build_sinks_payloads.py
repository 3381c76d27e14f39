"""Build the replay payloads of the two SCB tables the carbon-sink models need.

    python -m replay.build_sinks_payloads

* MI0107 `TotaltUtslappN` (national emissions and removals by sector), sector `10.0` LULUCF,
  1990-2024, from Klimatkollen's `swedish_emissions.xlsx`, sheet `Terr_LULUCF` (row 3:
  Naturvårdsverket, extracted 2026-01-25). SCB republishes Naturvårdsverket's inventory; the values
  here are Naturvårdsverket's via Klimatkollen's workbook, converted from the workbook's tonnes to
  the table's kilotonnes (exact: every figure is a whole 10 000 t). `build_lulucf` makes that part;
  the file is written by `replay.build_nowcast_payloads`, which adds the main sectors 1.0-9.0 (the
  nowcast's national indicator) to the same table.
* MI0803 `TAB5118` (land use per kommun, hectares), class productive forest land, 2010/2015/2020.
  **SYNTHETIC.** No real per-kommun figures could be bundled (nothing under shared/, and no public
  copy of all 290 kommuner was found). The values are made up, deterministically from the kommun
  code, to exercise the downscaling: every payload says so in its `note` and in
  `extension.replay.synthetic`, which the loader carries into the warehouse (`key_is_synthetic`).
  Sundbyberg (0183) is set to 0 ha so the no-forest path is exercised. Replace with a real fetch
  (`make run`) before quoting a kommun's downscaled sink.

Both are written in the replay's payload format (`metadata` + `cube`, see replay/scb.py); the
output is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import openpyxl

from replay.build_scb_payloads import DEFAULT_SHARED, OUT_DIR, REPO_ROOT, dimension, sha256_of
from sources.sinks import FOREST_LAND, LULUCF_NATIONAL

LULUCF_XLSX = "territorial-data-pipeline_bf20c58/kpis/emissions/sources/swedish_emissions.xlsx"
LULUCF_SHEET = "Terr_LULUCF"
KOMMUNER_SEED = REPO_ROOT / "dbt_project" / "seeds" / "scb_kommuner.csv"
NOT_AVAILABLE = ".."

# Release stamps [unverified]: Naturvårdsverket's extraction date in the workbook, and SCB's
# land-use release of 2020 data.
LULUCF_UPDATED = "2026-01-25T00:00:00Z"
FOREST_UPDATED = "2023-06-15T07:00:00Z"
FOREST_YEARS = ("2010", "2015", "2020")
NO_FOREST_KOMMUN = "0183"  # Sundbyberg: a synthetic 0 ha, to exercise a kommun without forest land


# ---------------------------------------------------------------- LULUCF (MI0107)


def parse_swedish_number(text) -> float:
    """'-59 560 000' (space, no-break or thin space in thousands, decimal comma) -> -59560000.0."""
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = (
        str(text).replace("\u00a0", "").replace("\u2009", "").replace(" ", "").replace(",", ".")
    )
    cleaned = cleaned.replace("\u2212", "-")  # a typographic minus
    return float(cleaned)


def read_lulucf(path: Path) -> tuple[str, dict[int, float]]:
    """The source line (row 3) and {year: t CO2/yr} of the `Sverige` row of sheet Terr_LULUCF."""
    rows = list(
        openpyxl.load_workbook(path, read_only=True, data_only=True)[LULUCF_SHEET].iter_rows(
            values_only=True
        )
    )
    source_line = str(rows[2][0])
    header = next(
        r for r in rows if any(isinstance(c, (int, float)) and 1900 < c < 2100 for c in r)
    )
    sweden = next(r for r in rows if r and r[0] == "Sverige")
    series = {}
    for column, year in enumerate(header):
        if (
            isinstance(year, (int, float))
            and column < len(sweden)
            and sweden[column] not in (None, "")
        ):
            series[int(year)] = parse_swedish_number(sweden[column])
    if not series:
        raise ValueError(f"{path.name}, sheet {LULUCF_SHEET}: no figures in the 'Sverige' row")
    return source_line, series


def metadata(
    *,
    table_id: str,
    matrix: str,
    label: str,
    updated: str,
    note: list[str],
    dimensions: dict[str, dict],
    contents: str,
    subject: tuple[str, str],
    synthetic: bool,
    provenance: str,
) -> dict:
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
                "infofile": subject[0],
                "tableid": table_id,
                "decimals": 0,
                "official-statistics": True,
                "aggregallowed": False,
                "language": "sv",
                "contents": contents,
                "matrix": matrix,
                "subject-code": "MI",
                "subject-area": subject[1],
            },
            # Not SCB's: what the replay payload is made of; live responses have no such key.
            "replay": {"synthetic": synthetic, "provenance": provenance},
            "discontinued": None,
        },
        "value": [],
    }


def build_lulucf(shared: Path = DEFAULT_SHARED, *, drop_years: tuple[int, ...] = ()) -> dict:
    """The MI0107 payload; `drop_years` stores those years as '..' (test variants)."""
    source = shared / LULUCF_XLSX
    source_line, series = read_lulucf(source)
    years = sorted(series)
    spec = LULUCF_NATIONAL
    dims = {
        "Sektor": dimension(
            "sektor",
            [spec.sector_code],
            ["LULUCF (markanvändning, förändrad markanvändning och skogsbruk)"],
            elimination=False,
            show="code_value",
        ),
        "Vaxthusgaser": dimension(
            "växthusgas", [spec.gas_code], ["Totala växthusgaser (CO2-ekv.)"], elimination=False
        ),
        "ContentsCode": dimension(
            "tabellinnehåll",
            [spec.contents_code],
            ["Utsläpp och upptag"],
            elimination=False,
            refperiod={spec.contents_code: "år"},
            measuringType={spec.contents_code: "Flow"},
        ),
        "Tid": dimension(
            "år", [str(y) for y in years], [str(y) for y in years], elimination=False, show="code"
        ),
    }
    dims["ContentsCode"]["category"]["unit"] = {
        spec.contents_code: {"base": "kiloton", "decimals": 0}
    }
    values, status = [], {}
    for year in years:
        if year in drop_years:
            status[str(len(values))] = NOT_AVAILABLE
            values.append(None)
        else:
            values.append(round(series[year] / 1000.0, 3))  # t -> kt
    provenance = (
        f"Naturvårdsverket via Klimatkollen's workbook {LULUCF_XLSX}, sheet {LULUCF_SHEET} "
        f"(row 3: {source_line})"
    )
    note = [
        f"Built by replay/build_sinks_payloads.py from {LULUCF_XLSX}, sheet {LULUCF_SHEET}, row "
        "'Sverige'.",
        f"The values are Naturvårdsverket's national LULUCF net flow ({source_line}), as copied "
        "in Klimatkollen's workbook, not captured from SCB: SCB's MI0107 republishes the same "
        "inventory.",
        "The workbook gives t CO2/yr ('Enhet: Ton CO2/år'); stored here in kilotonnes, the "
        "table's unit [unit unverified]. Negative = net removal.",
        "Only sector 10.0, gas CO2-ekv. and contents 0000018Q are held; the table id and codes "
        "follow data_sources.md §1.6 [the v2 table id is unverified].",
    ]
    if drop_years:
        note.append(f"TEST VARIANT: years {list(drop_years)} are stored as '..' (not available).")
    meta = metadata(
        table_id=spec.table_id,
        matrix="TotaltUtslappN",
        contents="Utsläpp och upptag",
        label="Totala utsläpp och upptag av växthusgaser efter sektor, växthusgas och år",
        updated=LULUCF_UPDATED,
        note=["Negativa värden är nettoupptag.", "Replay payload: sektor 10.0 (LULUCF) only."],
        dimensions=dims,
        subject=("MI0107", "Miljö"),
        synthetic=False,
        provenance=provenance,
    )
    return {
        "table_id": spec.table_id,
        "note": note,
        "sources": [{"path": LULUCF_XLSX, "sheet": LULUCF_SHEET, "sha256": sha256_of(source)}],
        "metadata": meta,
        "cube": {"id": list(dims), "value": values, "status": status},
    }


# ---------------------------------------------------------------- productive forest land (MI0803)


def kommuner() -> list[tuple[str, str]]:
    with KOMMUNER_SEED.open(encoding="utf-8") as handle:
        return sorted((row["kommun_kod"], row["kommun_namn"]) for row in csv.DictReader(handle))


def synthetic_hectares(kommun_kod: str, year: str) -> int:
    """A made-up but stable area: 1 000-151 000 ha from the kommun code, drifting ±1 % by year."""
    if kommun_kod == NO_FOREST_KOMMUN:
        return 0
    digest = hashlib.sha256(f"synthetic-forest-{kommun_kod}".encode()).digest()
    base = 1_000 + int.from_bytes(digest[:4], "big") % 150_000
    drift = (
        int.from_bytes(hashlib.sha256(f"{kommun_kod}-{year}".encode()).digest()[:2], "big") % 201
        - 100
    ) / 10_000
    return round(base * (1 + drift))


def build_forest_land(overrides: dict[str, int] | None = None) -> dict:
    """The MI0803 payload (SYNTHETIC); `overrides` {kommun_kod: ha} sets a kommun's every year."""
    spec = FOREST_LAND
    rows = kommuner()
    if len(rows) != 290:
        raise ValueError(f"{KOMMUNER_SEED.name}: expected 290 kommuner, got {len(rows)}")
    dims = {
        "Region": dimension(
            "region",
            [c for c, _ in rows],
            [f"{c} {n}" for c, n in rows],
            elimination=False,
            show="code_value",
        ),
        "Markanvandningsklass": dimension(
            "markanvändningsklass",
            [spec.land_use_class],
            ["skogsmark, produktiv"],
            elimination=False,
        ),
        "ContentsCode": dimension(
            "tabellinnehåll",
            [spec.contents_code],
            ["Markanvändningen, hektar"],
            elimination=False,
            refperiod={spec.contents_code: "år"},
            measuringType={spec.contents_code: "Stock"},
        ),
        "Tid": dimension(
            "år", list(FOREST_YEARS), list(FOREST_YEARS), elimination=False, show="code"
        ),
    }
    dims["ContentsCode"]["category"]["unit"] = {
        spec.contents_code: {"base": "hektar", "decimals": 0}
    }
    overrides = overrides or {}
    values = [
        overrides.get(code, synthetic_hectares(code, year))
        for code, _ in rows
        for year in FOREST_YEARS
    ]
    provenance = (
        "SYNTHETIC: made-up hectares from a hash of the kommun code "
        "(replay/build_sinks_payloads.py); no real per-kommun productive forest land figures "
        "were available offline"
    )
    note = [
        "SYNTHETIC VALUES. Not SCB's figures: made up, deterministically from the kommun code, "
        "by replay/build_sinks_payloads.py, only to exercise the downscaling of the national "
        "LULUCF sink.",
        f"Sundbyberg ({NO_FOREST_KOMMUN}) is set to 0 ha to exercise a kommun without productive "
        "forest land.",
        "Table TAB5118 (v1 MI0803A/MarkanvN, 'Markanvändningen, hektar', 2010/2015/2020) and "
        "contents 000002UN are used by third-party code (find_string id 69427330621); the class "
        "code 211 ('skogsmark, produktiv') is from the older MarkanvJbSkN table [unverified for "
        "TAB5118].",
    ]
    if overrides:
        note.append(f"TEST VARIANT: overrides {overrides}.")
    meta = metadata(
        table_id=spec.table_id,
        matrix="MarkanvN",
        contents="Markanvändningen, hektar",
        label="Markanvändningen i hektar efter region, markanvändningsklass och år",
        updated=FOREST_UPDATED,
        note=["SYNTETISKA VÄRDEN i replay-underlaget: inte SCB:s siffror."],
        dimensions=dims,
        subject=("MI0803", "Miljö"),
        synthetic=True,
        provenance=provenance,
    )
    return {
        "table_id": spec.table_id,
        "note": note,
        "synthetic": True,
        "sources": [],
        "metadata": meta,
        "cube": {"id": list(dims), "value": values, "status": {}},
    }


# ---------------------------------------------------------------- writing


def encode(payload: dict) -> bytes:
    return (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_payloads(out_dir: Path = OUT_DIR) -> dict[str, int]:
    """TAB5118. TotaltUtslappN.json (build_lulucf plus the main sectors) is written by
    replay.build_nowcast_payloads: one table, one writer."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for payload in (build_forest_land(),):
        name = f"{payload['table_id']}.json"
        data = encode(payload)
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    for name, size in write_payloads().items():
        print(f"{OUT_DIR / name}: {size:,} bytes")


if __name__ == "__main__":
    main()
