"""Alias: `python -m pipelines.submissions ARGS` is `borlange partners ARGS`."""

import sys

from pipelines import cli


def main(argv: list[str] | None = None) -> int:
    return cli.main(["partners", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
