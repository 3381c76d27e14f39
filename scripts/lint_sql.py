"""`make lint-sql`: SQLFluff over the dbt project with the dbt templater ([tool.sqlfluff] in
pyproject.toml).

The templater compiles every model as dbt does, and macros such as star_except read a relation's
columns from the warehouse. So the lint runs against a warehouse of its own, empty but for the raw
tables every warehouse has from its first connection (pipelines.lib.warehouse.connect), at the path
the config names. No run of the pipeline is needed first, and the pipeline's own warehouse is never
opened.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pipelines.defs  # noqa: F401 - importing the domains declares their raw tables
from pipelines.lib import warehouse

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["dbt_project/models", "dbt_project/macros", "dbt_project/tests"]


def main(argv: list[str]) -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint_warehouse = (
        ROOT / config["tool"]["sqlfluff"]["templater"]["dbt"]["context"]["warehouse_path"]
    )
    lint_warehouse.unlink(missing_ok=True)
    warehouse.connect(lint_warehouse).close()
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    command = argv[0] if argv and argv[0] in ("lint", "fix") else "lint"
    extra = argv[1:] if argv and argv[0] in ("lint", "fix") else argv
    return subprocess.call([sqlfluff, command, *extra, *PATHS], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
