"""The docs keep up with the code: every setting is documented for operators, the README stays a
five-minute read that starts with the two commands, and no relative link points at nothing.

Plain text checks: no fixtures, no imports from the project, so they run without the pinned install
(`pytest tests/test_docs.py --noconftest`).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETTINGS = REPO / "pipelines" / "settings.py"
README = REPO / "README.md"
OPERATORS = REPO / "docs" / "operators.md"
BENCH_README = REPO / "bench" / "README.md"

# env("NAME"  env.get("NAME"  env["NAME"]  os.environ.get('NAME'  os.getenv("NAME"  env_var('NAME'
# (either quote).
ENV_READ = re.compile(
    r"""(?:\b(?:env|environ)\s*(?:\.get\(|\[|\()|\bgetenv\(|\benv_var\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)
MAKE_TARGET = re.compile(r"\bmake\s+([a-z][a-z0-9_-]*)")
# [text](target) and [text](target "title"); images too. Autolinks and reference links are not used
# here.
MD_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def settings_variables() -> set[str]:
    return set(ENV_READ.findall(SETTINGS.read_text(encoding="utf-8")))


def markdown_files() -> list[Path]:
    return [README, *sorted((REPO / "docs").glob("*.md")), BENCH_README]


def test_every_setting_is_documented_for_operators():
    names = settings_variables()
    # A floor, so that a change of reading style (which the regex would miss) fails loudly
    # instead of passing on an empty set.
    assert len(names) >= 20, (
        f"only {len(names)} environment variables found in {SETTINGS}: {sorted(names)}"
    )
    operators = OPERATORS.read_text(encoding="utf-8")
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", operators))
    assert not missing, (
        f"settings read in pipelines/settings.py but not in docs/operators.md: {missing}"
    )


def test_readme_is_short_and_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) < 150, (
        f"README.md has {len(lines)} lines; the limit is 149 (move detail to docs/)"
    )
    targets = MAKE_TARGET.findall(text)
    assert "demo" in targets and "test" in targets, (
        "README.md must mention `make demo` and `make test`"
    )
    others = [i for i, t in enumerate(targets) if t not in ("demo", "test")]
    first_other = others[0] if others else len(targets)
    assert max(targets.index("demo"), targets.index("test")) < first_other, (
        f"`make {targets[first_other]}` comes before `make demo` and `make test` in README.md"
    )


def test_relative_links_point_to_existing_files():
    broken = []
    for doc in markdown_files():
        if not doc.exists():
            continue  # a missing doc is its own failure (bench/README.md below, or the links to it)
        for target in MD_LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(
                r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE
            ):  # http:, https:, mailto: ...
                continue
            path = target.split("#", 1)[0]
            if not path:
                continue  # an anchor in the same page
            if not (doc.parent / path).exists():
                broken.append(f"{doc.relative_to(REPO)}: {target}")
    assert not broken, "relative links to missing files:\n" + "\n".join(broken)


def test_bench_readme_exists():
    assert BENCH_README.is_file(), (
        "bench/README.md is missing (the Makefile's bench target points to it)"
    )
