"""Write the bundled replay files of the hourly carbon-intensity feed
(replay/payloads/carbon_intensity/) from Electricity Maps' real hourly figures in
../shared/data/hourly/carbon_intensity/.

    python -m replay.build_carbon_intensity_payloads [--shared PATH]

The offline demo drops them into <INBOX_DIR>/carbon_intensity/. Each is a selection of lines of the
published file, byte for byte (its header and line endings kept), gzipped deterministically, with
`#` lines on top carrying the attribution Electricity Maps asks for and where the lines come from:

  SE-SE3_2024_release-2025-04-03.csv.gz           the whole of 2024 (8 784 hours; the meter year)
  SE-SE3_2023-12-31_release-2025-04-03.csv.gz     the last day of 2023: its last hour, 23:00 UTC, is
                                                  00:00 on 1 January 2024 in Swedish normal time
  SE-SE3_2022-01_release-2025-04-03.csv.gz        January 2022 from the 2025-04-03 release
  SE-SE3_2022-01_hourly_release-2024-06-12.csv.gz January 2022 from the earlier release (the other
                                                  header); two vintages of the same hours

The earlier release's date is not published with it: 2024-06-12 is the day it was first committed
to arodio/FedStale (commit 115c70b0), so it was released on or before that day.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "hourly" / "carbon_intensity"
OUT_DIR = REPO_ROOT / "replay" / "payloads" / "carbon_intensity"
LICENCE = (
    "Contains data from Electricity Maps (https://www.electricitymaps.com). Licence: ODbL 1.0 as "
    "its data-portal downloads are usually quoted (some portal pages say non-commercial use "
    "only; check the current terms before redistributing)."
)

# output name -> (upstream file, where it was published, lines kept: the UTC hours starting with)
PAYLOADS = {
    "SE-SE3_2024_release-2025-04-03.csv.gz": (
        "SE-SE3_2024.csv",
        "francescodonnini/progetto1 @ d3f7320e9cefc2115ba0cc7509acb35032342c4a, "
        "http-server/data/SE-SE3_2024.csv (Electricity Maps release 2025-04-03)",
        "2024-",
    ),
    "SE-SE3_2023-12-31_release-2025-04-03.csv.gz": (
        "SE-SE3_2023.csv",
        "francescodonnini/progetto1 @ d3f7320e9cefc2115ba0cc7509acb35032342c4a, "
        "http-server/data/SE-SE3_2023.csv (Electricity Maps release 2025-04-03)",
        "2023-12-31 ",
    ),
    "SE-SE3_2022-01_release-2025-04-03.csv.gz": (
        "SE-SE3_2022.csv",
        "francescodonnini/progetto1 @ d3f7320e9cefc2115ba0cc7509acb35032342c4a, "
        "http-server/data/SE-SE3_2022.csv (Electricity Maps release 2025-04-03)",
        "2022-01-",
    ),
    "SE-SE3_2022-01_hourly_release-2024-06-12.csv.gz": (
        "SE-SE3_2022_hourly.csv",
        "arodio/FedStale @ a0348b4513b2fe15434e242dbbc26bc77f5a4edf, "
        "building_availability_matrices/historical_data/SE-SE3_2022_hourly.csv (an earlier "
        "Electricity Maps release, first committed there on 2024-06-12)",
        "2022-01-",
    ),
}


def payload(upstream: bytes, where: str, prefix: str) -> bytes:
    lines = upstream.splitlines(keepends=True)
    newline = b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
    kept = [line for line in lines[1:] if line.startswith(prefix.encode())]
    head = [
        f"# {LICENCE}",
        f"# Lines of {where}, sha256 {hashlib.sha256(upstream).hexdigest()}; "
        f"hours {prefix}* only, selected by replay/build_carbon_intensity_payloads.py.",
    ]
    text = b"".join(h.encode("utf-8") + newline for h in head) + lines[0] + b"".join(kept)
    return gzip.compress(text, compresslevel=9, mtime=0)


def build(shared: Path = DEFAULT_SHARED, out_dir: Path = OUT_DIR) -> dict[str, dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (upstream_name, where, prefix) in PAYLOADS.items():
        upstream = (shared / upstream_name).read_bytes()
        data = payload(upstream, where, prefix)
        (out_dir / name).write_bytes(data)
        manifest[name] = {
            "upstream": where,
            "upstream_sha256": hashlib.sha256(upstream).hexdigest(),
            "hours_starting": prefix,
            "sha256": hashlib.sha256(data).hexdigest(),
            "attribution": LICENCE,
        }
    (out_dir / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    for name in build(args.shared):
        print((OUT_DIR / name).relative_to(REPO_ROOT))
