"""Write the real series the synthetic meter data is shaped by (replay/payloads/meters/) from
../shared/data/hourly/:

    python -m replay.build_meter_payloads [--shared PATH]

  borlange_daily_temperature.csv   SMHI's daily mean air temperature at Borlänge Flygplats (station
                                   105260), 2023-01-01 to 2024-12-31. The series ends on 2024-11-30,
                                   so December 2024 repeats December 2023 (marked in the `filled_from`
                                   column). Source: SMHI open data, CC BY 4.0 ("SMHI").

replay/meter_sample.py spreads each day over its hours with a diurnal curve (no hourly series for
Borlänge exists offline).
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "hourly"
OUT_DIR = REPO_ROOT / "replay" / "payloads" / "meters"
TEMPERATURE_FILE = "temperature/station_105260-SE3.csv"
FIRST, LAST = date(2023, 1, 1), date(2024, 12, 31)
ATTRIBUTION = ("# Source: SMHI open data (CC BY 4.0), Lufttemperatur dygnsmedel, Borlänge Flygplats station 105260; "
               "built by replay/build_meter_payloads.py")


def daily_temperatures(shared: Path) -> dict[date, float]:
    """Representative day -> mean °C from SMHI's CSV (a BOM, a preamble, then `;` rows)."""
    values: dict[date, float] = {}
    for line in (shared / TEMPERATURE_FILE).read_text(encoding="utf-8-sig").splitlines():
        fields = line.split(";")
        if len(fields) >= 4 and len(fields[2]) == 10 and fields[2][:2] in ("19", "20"):
            try:
                values[date.fromisoformat(fields[2])] = float(fields[3])
            except ValueError:
                continue
    return values


def build(shared: Path = DEFAULT_SHARED, out_dir: Path = OUT_DIR) -> Path:
    values = daily_temperatures(shared)
    lines = [ATTRIBUTION, "date;temp_c;filled_from"]
    day = FIRST
    while day <= LAST:
        if day in values:
            lines.append(f"{day};{values[day]:.1f};")
        else:   # only December 2024: the same day a year before (2024 is a leap year; Dec has no 29 Feb)
            source = day.replace(year=day.year - 1)
            lines.append(f"{day};{values[source]:.1f};{source}")
        day += timedelta(days=1)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "borlange_daily_temperature.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    print(build(parser.parse_args().shared).relative_to(REPO_ROOT))
