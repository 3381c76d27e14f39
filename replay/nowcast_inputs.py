"""The nowcast backtest's inputs read straight from the committed replay payloads (no server, no
warehouse), as the long frames pipelines/defs/nowcast/backtest.py's `backtest_origin` takes:
the tests and scripts/nowcast_backtest.py use them; the warehouse reads the same releases from
raw.smhi_emissions_* (published) and raw.smhi_archived_releases (the June 2025 CO2 release, from the
replay's archive) through intermediate.int_nowcast__releases.

Origins (issue 23):
- CO2e: SMHI release 2026-04-23 (to 2023) -> 2026-06-25 (adds 2024);
- CO2:  SMHI's raw export of 2024-04-18 (to 2022) -> the June 2025 release (adds 2023; rebuilt
  from Klimatbyrån's output, see replay/build_nowcast_payloads.py);
Sweden by sector from MI0107 TotaltUtslappN as the SCB replay serves it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from replay.scb import PAYLOAD_DIR as SCB_DIR
from replay.scb import Table, dataset, read_payload
from replay.smhi import PAYLOAD_DIR as SMHI_DIR
from replay.smhi import REBUILT_DIR, SEEDS_DIR
from sources.national_emissions import CONTENTS_CODE, GASES, SECTORS, TABLE_ID, sector_frame
from sources.scb import jsonstat_result
from sources.smhi import ALLA, load_reference, parse_smhi_excel

RELEASES = {
    ("CO2e", "2026-04-23"): SMHI_DIR / "GGT_2026-04-23.xlsx",
    ("CO2e", "2026-06-25"): SMHI_DIR / "GGT_2026-06-25.xlsx",
    ("CO2", "2024-04-18"): SMHI_DIR / "CO2_2024-04-18.xlsx",
    ("CO2", "2025-06-18"): REBUILT_DIR / "CO2_2025-06-18.xlsx",
}
ORIGINS = (
    (("CO2e", "2026-04-23"), ("CO2e", "2026-06-25")),
    (("CO2", "2024-04-18"), ("CO2", "2025-06-18")),
)
SUB = {"CO2e": "GGT", "CO2": "CO2"}


def release_frame(path: Path, gas: str) -> pl.DataFrame:
    """kommun_kod, huvudsektor (canonical), year, tonnes: main sectors and 'Alla' per kommun."""
    reference = load_reference(SEEDS_DIR)
    parsed = parse_smhi_excel(
        path.read_bytes(), file_name=path.name, sub=SUB[gas], reference=reference
    )
    rows = parsed.frame.filter((pl.col("level") == "kommun") & (pl.col("undersektor_raw") == ALLA))
    canonical = {
        raw: (ALLA if raw == ALLA else reference.sector("huvudsektor", raw).canonical_name)
        for raw in rows.get_column("huvudsektor_raw").unique().to_list()
    }
    return rows.select(
        "kommun_kod",
        pl.col("huvudsektor_raw").replace_strict(canonical).alias("huvudsektor"),
        "year",
        "tonnes",
    )


def release(gas: str, vintage: str) -> pl.DataFrame:
    return release_frame(RELEASES[(gas, vintage)], gas)


def national_frame(payload_dir: Path = SCB_DIR) -> tuple[pl.DataFrame, str]:
    """The served MI0107 answer for the nine main sectors and both gases, and its `updated` date."""
    table = Table(read_payload(payload_dir / f"{TABLE_ID}.json"))
    chosen = {
        "Sektor": list(SECTORS),
        "Vaxthusgaser": list(GASES),
        "ContentsCode": [CONTENTS_CODE],
        "Tid": table.codes["Tid"],
    }
    raw = json.dumps(dataset(table, chosen), ensure_ascii=False).encode("utf-8")
    result = jsonstat_result(TABLE_ID, [raw], [chosen])
    return sector_frame(result), str(result.updated)[:10]
