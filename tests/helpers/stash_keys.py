"""Keys of what session fixtures leave in pytest's stash for the tests (one module, so that the
conftest and the tests import the same key objects)."""

import pytest

# The checks that did not pass in the demo's full run, as `borlange demo` lists them.
DEMO_WARNINGS = pytest.StashKey[list[str]]()
