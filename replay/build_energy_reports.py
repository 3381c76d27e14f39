"""Write the bundled SYNTHETIC monthly reports of Borlänge Energi that the offline demo drops into
the energy inbox (replay/payloads/energy/borlange_energi_2024-<MM>.csv).

    python -m replay.build_energy_reports

No utility data is public (data_sources.md §4), so the reports reuse the invented month of the test
fixtures (tests/fixtures/energy/make_fixtures.py), shaped on the public facts of §4.3: about
97 000 t of waste a year in the 45 MW waste boilers (Bäckelund Panna 6/7) with a 6 MW turbine,
a wood-fuel boiler (Panna 8), oil only in the cold months, waste heat from SSAB Domnarvet and heat
bought over the Falun link in winter. One file per month for 2024, the year SMHI's newest release
reaches, so the demo can set the utility's emissions beside SMHI's `El och fjärrvärme`. Each file
is `;`-separated with decimal commas in Windows-1252, as Swedish Excel saves CSV, and says
SYNTHETIC in its first line and in its `Källa` line. The output is deterministic.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "replay" / "payloads" / "energy"
FIXTURE_SCRIPT = REPO_ROOT / "tests" / "fixtures" / "energy" / "make_fixtures.py"
YEAR = 2024
NETWORK = "Borlänge"
BANNER = "# SYNTETISKA DATA / SYNTHETIC DATA: invented demo report, not Borlänge Energi's figures"
SOURCE = ["Källa", "SYNTHETIC demo data (replay/build_energy_reports.py)"]


def fixture_module():
    spec = importlib.util.spec_from_file_location("energy_make_fixtures", FIXTURE_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BANNER, module.SOURCE = BANNER, SOURCE  # the demo's own label, same numbers
    return module


def monthly_reports() -> dict[str, bytes]:
    fixtures = fixture_module()
    reports = {}
    for i in range(12):
        month = f"{YEAR}-{i + 1:02d}"
        rows = [{"Nät": NETWORK, "Månad": month, **fixtures.borlange_month(i)}]
        text = fixtures.csv_text(rows, period=(month, month))
        reports[f"borlange_energi_{month}.csv"] = text.encode("cp1252")
    return reports


def write_reports(out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in monthly_reports().items():
        (out_dir / name).write_bytes(data)
        written.append(out_dir / name)
    return written


if __name__ == "__main__":
    for path in write_reports():
        print(path.relative_to(REPO_ROOT))
