"""`borlange demo` ends with the checks that warn and points to where each is explained (issue 22):
every check the demo's run warns on has its row in docs/operators.md's "Checks that warn"."""

from __future__ import annotations

import re

import pytest

from tests.helpers import REPO
from tests.helpers.stash_keys import DEMO_WARNINGS


def explained_checks() -> str:
    text = (REPO / "docs" / "operators.md").read_text(encoding="utf-8")
    return text.split("## Checks that warn", 1)[1].split("\n## ", 1)[0]


def is_explained(check_name: str, section: str) -> bool:
    for documented in re.findall(r"`([a-z_…<>]+)`", section):
        pattern = re.escape(documented).replace("…", ".*").replace("<method>", "[a-z0-9_]+")
        if re.fullmatch(pattern, check_name):
            return True
    return False


@pytest.mark.usefixtures("demo_warehouse")
def test_every_check_the_demo_warns_on_is_explained_for_operators(pytestconfig):
    warned = pytestconfig.stash[DEMO_WARNINGS]
    # The demo's sample is a few hundred meters: its months cannot match the utility's reports.
    assert "marts/fct_meter_hourly_energy: meter_months_match_monthly_report" in warned
    section = explained_checks()
    unexplained = [w for w in warned if not is_explained(w.split(": ", 1)[1], section)]
    assert unexplained == []


def test_the_explanation_matcher_can_fail():
    section = explained_checks()
    assert is_explained("borlange_on_track_carbon_law", section)
    assert not is_explained("a_check_nobody_documented", section)
