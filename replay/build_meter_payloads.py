"""Write the real series the synthetic meter data is shaped by (replay/payloads/meters/) from
../shared/data/hourly/:

    python -m replay.build_meter_payloads [--shared PATH]

  borlange_daily_temperature.csv   SMHI's daily mean air temperature at Borlänge Flygplats (station
                                   105260), 2023-01-01 to 2024-12-31. The series ends on 2024-11-30,
                                   so December 2024 repeats December 2023 (marked in the
                                   `filled_from` column). Source: SMHI open data, CC BY 4.0
                                   ("SMHI").

  se_solar_2024.csv ENTSO-E's actual solar generation of Sweden (country level), hourly in
                                   Swedish normal time (UTC+01:00; the source is CET/CEST local
                                   time: the spring hour is missing there, the autumn hour twice),
                                   as a share of the year's highest hour. The series ends on
                                   2024-12-22 17:00 local; the last days repeat the week before
                                   (`filled_from`). Source: ENTSO-E Transparency Platform (CC BY 4.0
                                   as usually quoted).
  dk_heat_diurnal.csv The mean hour-of-day profile (normal time, mean 1) of one real Danish
                                   smart heat meter's hourly heat use, 2018-2020 (Schaffer et al.,
                                   Scientific Data 2022, doi:10.1038/s41597-022-01502-3; CC BY 4.0):
                                   the district-heating customers' daily rhythm.

replay/meter_sample.py spreads each day's temperature over its hours with a diurnal curve (no hourly
series for Borlänge exists offline).
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "hourly"
OUT_DIR = REPO_ROOT / "replay" / "payloads" / "meters"
TEMPERATURE_FILE = "temperature/station_105260-SE3.csv"
FIRST, LAST = date(2023, 1, 1), date(2024, 12, 31)
ATTRIBUTION = (
    "# Source: SMHI open data (CC BY 4.0), Lufttemperatur dygnsmedel, Borlänge Flygplats station "
    "105260; built by replay/build_meter_payloads.py"
)


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


SOLAR_FILE = "generation/SE_actual_generation_per_type_2024.csv"
SOLAR_COLUMN = "Solar - Actual Aggregated [MW]"
HEAT_FILE = "heat_meter_dk/processed_final_data_sample.csv"


def solar_normal_time(shared: Path) -> dict[datetime, float]:
    """ENTSO-E's MTU `01.01.2024 00:00 - 01.01.2024 01:00 (CET/CEST)` in local time -> normal time:
    summer time (last Sunday of March 02:00 to last Sunday of October 03:00) is one hour ahead."""
    with (shared / SOLAR_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    values: dict[datetime, float] = {}
    seen_autumn_hour = False
    for row in rows:
        start = datetime.strptime(row["MTU"][:16], "%d.%m.%Y %H:%M")
        text = row[SOLAR_COLUMN]
        if not text or text == "n/e":
            continue  # the missing spring hour; "not expected"
        summer_start = last_sunday(start.year, 3).replace(hour=2)
        summer_end = last_sunday(start.year, 10).replace(hour=2)
        in_summer = summer_start <= start < summer_end
        if start == summer_end.replace(hour=2):  # 02:00 twice in October: first CEST, then CET
            in_summer, seen_autumn_hour = not seen_autumn_hour, True
        values[start - timedelta(hours=1) if in_summer else start] = float(text)
    return values


def last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def heat_diurnal(shared: Path) -> list[float]:
    """Mean heat use per hour of day (normal time) of the Danish meter, from its register."""
    with (shared / HEAT_FILE).open(encoding="utf-8", newline="") as handle:
        rows = [
            (
                datetime.strptime(r["time_rounded"], "%Y-%m-%dT%H:%M:%SZ"),
                float(r["energy_heat_kwh"]),
            )
            for r in csv.DictReader(handle)
        ]
    sums, counts = [0.0] * 24, [0] * 24
    for (t0, e0), (t1, e1) in pairwise(rows):
        if t1 - t0 == timedelta(hours=1) and e1 >= e0:
            hour = (t0 + timedelta(hours=1)).hour  # UTC -> normal time, the hour starting at t0
            sums[hour] += e1 - e0
            counts[hour] += 1
    means = [s / c for s, c in zip(sums, counts, strict=True)]
    return [m / (sum(means) / 24) for m in means]


def build_solar(shared: Path, out_dir: Path) -> Path:
    values = solar_normal_time(shared)
    peak = max(values.values())
    lines = [
        "# Source: ENTSO-E Transparency Platform (CC BY 4.0 as usually quoted), Actual "
        "Generation per Production Type, Sweden, Solar; share of the year's highest hour; normal "
        "time UTC+01:00; built by replay/build_meter_payloads.py",
        "hour;share;filled_from",
    ]
    hour, last = datetime(2024, 1, 1), datetime(2024, 12, 31, 23)
    while hour <= last:
        source = hour
        while source not in values and source >= datetime(2024, 1, 8):
            source -= timedelta(days=7)
        share = values.get(source, 0.0) / peak
        filled_from = "" if source == hour else f"{source:%Y-%m-%dT%H:%M}"
        lines.append(f"{hour:%Y-%m-%dT%H:%M};{share:.4f};{filled_from}")
        hour += timedelta(hours=1)
    target = out_dir / "se_solar_2024.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def build_heat(shared: Path, out_dir: Path) -> Path:
    lines = [
        "# Source: Schaffer et al., Three years of hourly data from 3021 smart heat meters "
        "installed in Danish residential buildings, Scientific Data 2022 "
        "(doi:10.1038/s41597-022-01502-3), CC BY 4.0; meter 660, 2018-2020; mean per hour of "
        "day, normal time UTC+01:00, mean 1; built by replay/build_meter_payloads.py",
        "hour;relative",
    ] + [f"{h};{v:.4f}" for h, v in enumerate(heat_diurnal(shared))]
    target = out_dir / "dk_heat_diurnal.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def build(shared: Path = DEFAULT_SHARED, out_dir: Path = OUT_DIR) -> list[Path]:
    return [
        build_temperature(shared, out_dir),
        build_solar(shared, out_dir),
        build_heat(shared, out_dir),
    ]


def build_temperature(shared: Path = DEFAULT_SHARED, out_dir: Path = OUT_DIR) -> Path:
    values = daily_temperatures(shared)
    lines = [ATTRIBUTION, "date;temp_c;filled_from"]
    day = FIRST
    while day <= LAST:
        if day in values:
            lines.append(f"{day};{values[day]:.1f};")
        else:
            # Only December 2024: the same day a year before (2024 is a leap year: no 29 Feb).
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
    for path in build(parser.parse_args().shared):
        print(path.relative_to(REPO_ROOT))
