"""The docs keep up with the code: every setting is documented for operators, the README stays a
five-minute read that starts with the two commands, no relative link points at nothing, and every
repository path named in the docs, in the code's comments and docstrings and in the dbt project
exists.

Plain text checks: no fixtures, no imports from the project, so they run without the pinned install
(`pytest tests/architecture/test_docs.py --noconftest`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from tests.helpers import REPO

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
# A repository path: a known top-level folder, then path characters. Not preceded by a path
# character, so the tail of a URL or of an absolute path is not taken for one. <domain>, *.py,
# {a,b} and a|b are patterns, not paths: a token holding one of < > * { } | is skipped.
TOP_FOLDERS = (
    "pipelines",
    "sources",
    "docs",
    "dbt_project",
    "tests",
    "scripts",
    "bench",
    "replay",
    "deploy",
)
REPO_PATH = re.compile(rf"(?<![\w./<>-])((?:{'|'.join(TOP_FOLDERS)})/[\w./<>*{{}}|,-]*)")
PATTERN_CHARS = set("<>*{}|")
# Written by a run, so absent from a fresh clone (.gitignore).
GENERATED = ("dbt_project/target/", "dbt_project/logs/", "bench/results/")
# Python whose comments and docstrings are checked: the code, not the tests (fixtures name files
# that are made on the fly).
CODE_FOLDERS = ("pipelines", "sources", "scripts", "bench")


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
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto: ...
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


def named_paths(text: str) -> set[str]:
    """The repository paths a text names, without trailing punctuation or a `:line` suffix."""
    found = set()
    for token in REPO_PATH.findall(text):
        if PATTERN_CHARS & set(token):
            continue
        token = re.sub(r":\d+$", "", token.rstrip(".,:;"))
        found.add(token)
    return found


def python_prose(path: Path) -> str:
    """A Python file's comments and docstrings, the prose a reader takes for the truth."""
    source = path.read_text(encoding="utf-8")
    comments = [
        t.string
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type == tokenize.COMMENT
    ]
    docstrings = [
        ast.get_docstring(node, clean=False) or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return "\n".join(comments + docstrings)


def prose_sources() -> dict[str, str]:
    """Each checked file (repository-relative) and the text of it that names paths."""
    texts = {}
    for doc in [README, *sorted((REPO / "docs").glob("*.md"))]:
        texts[doc.relative_to(REPO).as_posix()] = doc.read_text(encoding="utf-8")
    code = [p for folder in CODE_FOLDERS for p in sorted((REPO / folder).rglob("*.py"))]
    for path in [*code, *sorted((REPO / "replay").glob("*.py"))]:
        if "vendor" not in path.parts:
            texts[path.relative_to(REPO).as_posix()] = python_prose(path)
    # dbt: the descriptions BI users read in the docs (and any other text of the YAML), and the
    # comments of the SQL.
    dbt_files = [*(REPO / "dbt_project").rglob("*.yml"), *(REPO / "dbt_project").rglob("*.sql")]
    for path in sorted(dbt_files):
        if not {"target", "logs", "dbt_packages"} & set(path.relative_to(REPO).parts):
            texts[path.relative_to(REPO).as_posix()] = path.read_text(encoding="utf-8")
    return texts


def exists(path: str) -> bool:
    """A name with spaces ("Klimatkollen_data for 2023_shared April 2026.xlsx") is cut at its first
    space: such a token names a file when one in its folder starts with it."""
    target = REPO / path
    if target.exists():
        return True
    folder = target.parent
    return folder.is_dir() and any(p.name.startswith(target.name + " ") for p in folder.iterdir())


def resolves(source: str, path: str) -> bool:
    """A path a file names is there, or is written by a run; the dbt project also names its own
    files from its root (tests/singular/..., models/...)."""
    if path.startswith(GENERATED) or exists(path):
        return True
    return source.startswith("dbt_project/") and exists(f"dbt_project/{path}")


def test_named_paths_recognise_files_folders_and_skip_patterns():
    text = (
        "see pipelines/lib/warehouse.py:276, sources/meter_feed's checks and docs/feeds.md. "
        "Each domain in pipelines/defs/<domain>/; tests/test_*.py; https://x.org/docs/a.md; "
        "replay/payloads/scb/TAB3654|TAB3451.json"
    )
    assert named_paths(text) == {
        "pipelines/lib/warehouse.py",
        "sources/meter_feed",
        "docs/feeds.md",
    }


def test_every_repository_path_named_in_docs_comments_and_dbt_exists():
    texts = prose_sources()
    # A floor, so that a broken extraction fails loudly instead of passing on nothing.
    assert sum(len(named_paths(t)) for t in texts.values()) >= 100
    stale = sorted(
        f"{name}: {path}"
        for name, text in texts.items()
        for path in named_paths(text)
        if not resolves(name, path)
    )
    assert not stale, "paths that do not exist:\n" + "\n".join(stale)
