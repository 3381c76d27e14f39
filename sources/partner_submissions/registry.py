"""The partner registry: the dbt seed `partners.csv` (read here, never written)."""

from __future__ import annotations

import csv
from pathlib import Path

PARTNERS_CSV = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "partners.csv"


def load_partners(path: Path = PARTNERS_CSV) -> dict[str, str]:
    """partner_id -> partner_name, in the seed's order."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {
            row["partner_id"].strip(): row["partner_name"].strip()
            for row in csv.DictReader(handle)
            if row.get("partner_id", "").strip()
        }
