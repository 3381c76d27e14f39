"""The bundled replay payloads: consistent with their manifest, and rebuilt byte for byte
from ../shared/data by the scripts in replay/ (skipped where ../shared is absent)."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipelines.settings import REPO_ROOT
from replay import build_scb_payloads
from replay.smhi import PAYLOAD_DIR as SMHI_DIR

SHARED = REPO_ROOT.parent / "shared" / "data" / "klimatkollen"
SCB_DIR = REPO_ROOT / "replay" / "payloads" / "scb"


def test_smhi_manifest_matches_the_committed_workbooks():
    manifest = json.loads((SMHI_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in SMHI_DIR.glob("*.xlsx"))
    assert sorted(manifest["files"]) == files
    for name, entry in manifest["files"].items():
        content = (SMHI_DIR / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], name
        assert entry["provenance"], name


@pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data/klimatkollen is not beside the repo"
)
def test_scb_payloads_rebuild_byte_for_byte(tmp_path):
    build_scb_payloads.write_payloads(SHARED, tmp_path)
    for built in tmp_path.iterdir():
        assert built.read_bytes() == (SCB_DIR / built.name).read_bytes(), built.name


@pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data/klimatkollen is not beside the repo"
)
def test_no_payload_is_a_copy_of_a_shared_file():
    shared = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED.rglob("*") if p.is_file()}
    for payload in (REPO_ROOT / "replay" / "payloads").rglob("*"):
        if payload.is_file():
            assert hashlib.sha256(payload.read_bytes()).hexdigest() not in shared, payload.name
