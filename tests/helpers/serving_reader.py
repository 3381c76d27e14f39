"""A BI-like reader for the concurrency test: opens the serving copy read-only in a loop and
checks that every table has the row count its manifest says (one consistent build per read).

    python tests/helpers/serving_reader.py SERVING_FILE STOP_FILE RESULT_JSON
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def read_once(path: str) -> str:
    with duckdb.connect(path, read_only=True) as con:
        build_id, manifest_json = con.execute(
            "select build_id, manifest_json from marts._manifest"
        ).fetchall()[0]
        for entry in json.loads(manifest_json)["tables"]:
            rows = con.execute(f'select count(*) from marts."{entry["table"]}"').fetchall()[0][0]
            if rows != entry["rows"]:
                raise AssertionError(
                    f"{build_id}: {entry['table']} has {rows} rows, manifest says {entry['rows']}"
                )
    return build_id


def main() -> None:
    serving, stop, result = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    reads, errors, builds = 0, [], []
    deadline = time.monotonic() + float(
        sys.argv[4] if len(sys.argv) > 4 else 120
    )  # bounded: stops by itself
    while not stop.exists() and time.monotonic() < deadline:
        try:
            build = read_once(serving)
            reads += 1
            if not builds or builds[-1] != build:
                builds.append(build)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding: record it
            errors.append(f"{type(exc).__name__}: {exc}")
    result.write_text(json.dumps({"reads": reads, "errors": errors, "builds": builds}))


if __name__ == "__main__":
    main()
