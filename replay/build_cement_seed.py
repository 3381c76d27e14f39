"""Regenerate dbt_project/seeds/cement_process_emissions.csv.

Klimatkollen's carbon-budget method (Dec 2024, klimatkollen@2fc6856 CEMENT_DEDUCTION) removed
cement process CO2 (Naturvårdsverket, Utsläpp i siffror) from Skövde, Gotland and Mörbylånga,
because the IPCC budget books it as a global overhead. Its per-year figures are exactly the
difference between SMHI's raw CO2 totals (the 2024-04-18 export bundled in replay/payloads)
and Klimatkollen's deducted totals (vintage kk_2fc6856 in ../shared/data), so they are derived
here rather than typed in.

    python -m replay.build_cement_seed [--shared PATH]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import polars as pl

from replay.smhi import PAYLOAD_DIR
from sources.smhi import load_reference, parse_smhi_excel

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"  # replay/ stands beside pipelines/, never on it
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "klimatkollen"
TOTALS_CSV = "derived/municipality_total_emissions_long.csv"
SOURCE = (
    "Naturvårdsverket Utsläpp i siffror as applied by Klimatkollen (klimatkollen@2fc6856 "
    "CEMENT_DEDUCTION); derived as SMHI CO2 export 2024-04-18 minus Klimatkollen vintage kk_2fc6856"
)


def smhi_co2_totals() -> pl.DataFrame:
    path = PAYLOAD_DIR / "CO2_2024-04-18.xlsx"
    parsed = parse_smhi_excel(
        path.read_bytes(), file_name=path.name, sub="CO2", reference=load_reference(SEEDS_DIR)
    )
    return parsed.frame.filter(
        (pl.col("level") == "kommun")
        & (pl.col("huvudsektor_raw") == "Alla")
        & (pl.col("undersektor_raw") == "Alla")
    ).select("kommun_kod", "year", pl.col("tonnes").alias("smhi_t"))


def cement_rows(shared: Path) -> list[dict]:
    deducted = (
        pl.read_csv(shared / TOTALS_CSV, schema_overrides={"kommun_kod": pl.Utf8})
        .filter(pl.col("klimatkollen_vintage") == "kk_2fc6856")
        .select("kommun_kod", "kommun", "year", pl.col("tonnes").alias("deducted_t"))
    )
    joined = smhi_co2_totals().join(deducted, on=["kommun_kod", "year"], how="inner")
    cement = (
        joined.with_columns(cement_t=(pl.col("smhi_t") - pl.col("deducted_t")).round(0))
        .filter(pl.col("cement_t").abs() >= 1)
        .sort("kommun_kod", "year")
    )
    return [
        {
            "kommun_kod": r["kommun_kod"],
            "kommun_namn": r["kommun"],
            "year": r["year"],
            "cement_process_co2_t": int(r["cement_t"]),
            "source": SOURCE,
        }
        for r in cement.iter_rows(named=True)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    rows = cement_rows(args.shared)
    target = SEEDS_DIR / "cement_process_emissions.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{target}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
