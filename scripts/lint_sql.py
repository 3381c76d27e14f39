"""`make lint-sql`: SQLFluff over the dbt project with the dbt templater ([tool.sqlfluff] in
pyproject.toml), one line per violation and a summary; exit 1 when there is any.

    python scripts/lint_sql.py              # lint: path:line:column: RULE description, then totals
    python scripts/lint_sql.py fix [ARGS]   # sqlfluff fix over the same folders (review the diff)

The templater compiles every model as dbt does, and macros such as star_except read a relation's
columns from the warehouse. So the lint runs against a warehouse of its own, empty but for the raw
tables every warehouse has from its first connection (pipelines.lib.warehouse.connect), at the path
the config names. No run of the pipeline is needed first, and the pipeline's own warehouse is never
opened. The files are shared out over every core ([tool.sqlfluff.core] processes = 0); each process
parses the dbt project once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

import pipelines.defs  # noqa: F401 - importing the domains declares their raw tables
from pipelines.lib import warehouse

ROOT = Path(__file__).resolve().parent.parent
# dbt_project/macros holds no model: SQLFluff skips a macro file, so only these are linted.
PATHS = ["dbt_project/models", "dbt_project/tests"]


def prepare_warehouse() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint_warehouse = (
        ROOT / config["tool"]["sqlfluff"]["templater"]["dbt"]["context"]["warehouse_path"]
    )
    lint_warehouse.unlink(missing_ok=True)
    warehouse.connect(lint_warehouse).close()


def report(files: list[dict], seconds: float) -> int:
    """Print each violation as path:line:column, then one summary line; the exit code."""
    by_rule: Counter[str] = Counter()
    dirty = 0
    for result in sorted(files, key=lambda f: f["filepath"]):
        path = Path(result["filepath"]).resolve().relative_to(ROOT)
        violations = result["violations"]
        dirty += bool(violations)
        for v in sorted(violations, key=lambda v: (v["start_line_no"], v["start_line_pos"])):
            by_rule[v["code"]] += 1
            print(
                f"{path}:{v['start_line_no']}:{v['start_line_pos']}: {v['code']} {v['description']}"
            )
    total = sum(by_rule.values())
    if total:
        rules = ", ".join(f"{code} {n}" for code, n in by_rule.most_common())
        print(
            f"sqlfluff: {total} violations in {dirty} of {len(files)} files ({rules}); "
            f"{seconds:.0f} s"
        )
        return 1
    print(f"sqlfluff: {len(files)} files, no violations; {seconds:.0f} s")
    return 0


def main(argv: list[str]) -> int:
    prepare_warehouse()
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    if argv and argv[0] == "fix":
        return subprocess.call([sqlfluff, "fix", *argv[1:], *PATHS], cwd=ROOT)
    extra = argv[1:] if argv and argv[0] == "lint" else argv
    started = time.monotonic()
    run = subprocess.run(
        [sqlfluff, "lint", "--format", "json", "--nofail", *extra, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        print(f"sqlfluff failed (exit {run.returncode}); its messages are above", file=sys.stderr)
        return run.returncode
    return report(json.loads(run.stdout), time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
