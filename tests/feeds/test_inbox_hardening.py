"""The drop processor under hostile inboxes (hardening): links and odd entries are refused and
nothing outside the inbox moves or lands; a file is read once; a file still being written waits;
one bad file never blocks the others; the version in force follows the order of receipt, not
mtimes; quarantine keeps private permissions."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.energy import loads as energy_loads
from pipelines.defs.partners import loads as partner_loads
from pipelines.lib import drops
from pipelines.lib.warehouse import Store
from tests.energy.test_energy_pipeline import FIXTURES, correction_of_march
from tests.partners.test_partner_loads import SSAB_2022, TODAY


def tree(root: Path) -> dict[str, str]:
    """Every entry below `root` (links not followed) with the sha256 of a file's bytes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = (
                "link"
                if path.is_symlink()
                else hashlib.sha256(path.read_bytes()).hexdigest()
                if path.is_file()
                else "dir"
            )
    return out


def landed_files(store: Store) -> list[Path]:
    return (
        [p for p in store.landing_dir.rglob("*") if p.is_file()]
        if store.landing_dir.exists()
        else []
    )


def test_a_symlinked_partner_folder_is_refused_and_nothing_outside_moves(tmp_path, store):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ssab_2022.csv").write_text(SSAB_2022, encoding="utf-8")
    (outside / "secrets.txt").write_text("not for the warehouse", encoding="utf-8")
    before = tree(outside)
    inbox = tmp_path / "inbox"
    (inbox / "partners").mkdir(parents=True)
    (inbox / "partners" / "ssab").symlink_to(outside, target_is_directory=True)

    report = partner_loads.process_drop(inbox, store, today=TODAY)

    assert report.refused == ["partners/ssab"] and report.accepted == [] and report.rejected == []
    assert "a symbolic link" in report.reports["partners/ssab"]
    assert tree(outside) == before  # every file still there, byte for byte
    assert landed_files(store) == []  # nothing it points to was read
    [moved] = (inbox / "quarantine" / "partners" / "refused").glob("*_ssab")
    assert moved.is_symlink() and moved.resolve() == outside.resolve()  # the link itself, set aside
    assert (moved.parent / (moved.name + ".report.txt")).exists()


def test_a_symlinked_file_is_refused_and_its_target_is_untouched(tmp_path, store):
    target = tmp_path / "elsewhere.csv"
    target.write_text(SSAB_2022, encoding="utf-8")
    folder = tmp_path / "inbox" / "partners" / "ssab"
    folder.mkdir(parents=True)
    (folder / "ssab_2022.csv").symlink_to(target)
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)  # would block a reader that opened it

    report = partner_loads.process_drop(tmp_path / "inbox", store, today=TODAY)

    assert sorted(report.refused) == ["partners/ssab/pipe.csv", "partners/ssab/ssab_2022.csv"]
    assert "a symbolic link" in report.reports["partners/ssab/ssab_2022.csv"]
    assert "a named pipe" in report.reports["partners/ssab/pipe.csv"]
    assert target.read_text(encoding="utf-8") == SSAB_2022 and landed_files(store) == []
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.partner_submissions").fetchall() == [(0,)]


def test_read_once_with_no_follow_refuses_a_link_swapped_in(tmp_path):
    real = tmp_path / "real.csv"
    real.write_bytes(b"x")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(drops.NotARegularFile):
        drops.read_once(link, 1000)
    with pytest.raises(drops.FileTooLarge):
        drops.read_once(real, 0)


def test_the_validated_bytes_are_the_landed_bytes(tmp_path, store, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "energy").mkdir(parents=True)
    shutil.copy(FIXTURES / "good_2025_utf8.csv", inbox / "energy" / "good_2025_utf8.csv")
    seen = []
    real_validate = energy_loads.load_feed_bytes

    def spy(name, content, limits):
        seen.append(hashlib.sha256(content).hexdigest())
        return real_validate(name, content, limits)

    monkeypatch.setattr(energy_loads, "load_feed_bytes", spy)
    report = energy_loads.process_drop(inbox, store)
    assert report.accepted == ["energy/good_2025_utf8.csv"]
    [landed] = landed_files(store)
    assert seen == [landed.stem] == [hashlib.sha256(landed.read_bytes()).hexdigest()]


def test_a_file_being_written_is_left_alone_until_it_settles(tmp_path, store):
    inbox = tmp_path / "inbox"
    folder = inbox / "partners" / "ssab"
    folder.mkdir(parents=True)
    (folder / "ssab_2022.csv.part").write_text(
        SSAB_2022[:40], encoding="utf-8"
    )  # upload in progress
    (folder / ".ssab_2021.csv").write_text(
        SSAB_2022[:40], encoding="utf-8"
    )  # hidden while uploading
    fresh = folder / "ssab_2022.csv"
    fresh.write_text(SSAB_2022, encoding="utf-8")  # just renamed into place

    feed = partner_loads.submission_feed(today=TODAY)
    assert drops.pending_files(feed, inbox, settle_s=10) == []
    report = partner_loads.process_drop(inbox, store, today=TODAY, settle_s=10)
    assert report.accepted == report.rejected == report.refused == []
    assert fresh.exists() and landed_files(store) == []

    later = time.time() + 11
    assert drops.scan(feed, inbox, settle_s=10, now=later).files == [fresh]  # settled: a drop now


def test_a_header_only_file_beside_good_files_does_not_block_them(tmp_path, store):
    inbox = tmp_path / "inbox"
    folder = inbox / "energy"
    folder.mkdir(parents=True)
    good = (FIXTURES / "good_2025_utf8.csv").read_text(encoding="utf-8")
    header_only = (
        "\n".join(good.splitlines()[:4]) + "\n"
    )  # comment, Källa, Period, headings; no row
    (folder / "a_header_only.csv").write_text(header_only, encoding="utf-8")
    time.sleep(0.02)
    shutil.copy(FIXTURES / "good_2025_utf8.csv", folder / "b_good.csv")
    time.sleep(0.02)
    shutil.copy(FIXTURES / "good_2025_01.xlsx", folder / "c_good.xlsx")

    report = energy_loads.process_drop(inbox, store)
    assert report.rejected == ["energy/a_header_only.csv"]
    assert sorted(report.accepted) == ["energy/b_good.csv", "energy/c_good.xlsx"]
    again = energy_loads.process_drop(inbox, store)  # the next run is not stuck on it
    assert again.rejected == again.accepted == []


def in_force(store: Store, network: str, month: str) -> str:
    """The file whose value is in force for a network-month: the newest by load_seq."""
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        return con.execute(
            """select arg_max(f.file_name, f.load_seq) from raw.energy_feed_values as v
                              join raw.energy_feed_files as f using (sha256)
                              where v.network = ? and strftime(v.month, '%Y-%m') = ?""",
            [network, month],
        ).fetchall()[0][0]


@pytest.mark.parametrize("same_drop", [False, True])
def test_a_correction_with_an_older_mtime_is_in_force_and_names_what_it_supersedes(
    tmp_path, store, same_drop
):
    inbox = tmp_path / "inbox"
    folder = inbox / "energy"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "good_2025_utf8.csv", folder / "z_original.csv")
    if not same_drop:
        assert energy_loads.process_drop(inbox, store).accepted == ["energy/z_original.csv"]
    time.sleep(0.02)  # received later ...
    correction = folder / "a_correction.csv"
    correction.write_bytes(correction_of_march())
    os.utime(
        correction, (1_000_000_000, 1_000_000_000)
    )  # ... but stamped years earlier (and named first)

    report = energy_loads.process_drop(inbox, store)
    assert report.accepted[-1] == "energy/a_correction.csv"
    assert in_force(store, "Borlänge", "2025-03") == "a_correction.csv"
    assert in_force(store, "Borlänge", "2025-02") == "z_original.csv"
    [note] = report.notes["energy/a_correction.csv"]
    assert note.startswith("supersedes Borlänge 2025-03 from z_original.csv")


def test_quarantine_and_processed_copies_are_private(tmp_path, store):
    inbox = tmp_path / "inbox"
    folder = inbox / "partners" / "ssab"
    folder.mkdir(parents=True)
    (folder / "ssab_2022.csv").write_text(SSAB_2022, encoding="utf-8")
    (folder / "ssab_2030.csv").write_text(SSAB_2022.replace(";2022;", ";2030;"), encoding="utf-8")
    report = partner_loads.process_drop(inbox, store, today=TODAY)
    assert report.accepted == ["partners/ssab/ssab_2022.csv"] and report.rejected == [
        "partners/ssab/ssab_2030.csv"
    ]
    handled = [*(inbox / "quarantine").rglob("*"), *(inbox / "processed").rglob("*")]
    assert len([p for p in handled if p.is_file()]) == 3  # the two files and one report
    for path in handled:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    for folder in (inbox / "quarantine", inbox / "processed"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_every_loaded_partner_file_has_its_landed_files_row(tmp_path, store):
    folder = tmp_path / "inbox" / "partners" / "ssab"
    folder.mkdir(parents=True)
    (folder / "ssab_2022.csv").write_text(SSAB_2022, encoding="utf-8")
    assert partner_loads.process_drop(tmp_path / "inbox", store, today=TODAY).accepted
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        rows = con.execute(
            """select l.source, l.file_name, l.loaded_into, l.bytes = ?
                              from raw.landed_files as l join raw.partner_submissions as s using
                                  (sha256)""",
            [len(SSAB_2022.encode())],
        ).fetchall()
    assert rows == [("partners", "ssab_2022.csv", "partner_submissions", True)]


def test_a_feed_validates_either_bytes_or_its_landed_copy():
    def never(*_):
        raise AssertionError("a feed's functions are not called when it is made")

    parts = dict(name="test", source="test", drop_folder="test", nested=False, loaded_into="t")
    for validators in ({}, {"validate": never, "validate_landed": never}):
        with pytest.raises(TypeError, match="exactly one validator"):
            drops.FileFeed(**parts, load=never, **validators)
    assert not drops.FileFeed(**parts, load=never, validate=never).streams
    assert drops.FileFeed(**parts, load=never, validate_landed=never).streams


def test_every_feed_names_its_problems_in_one_vocabulary(tmp_path, store):
    inbox = tmp_path / "inbox"
    (inbox / "energy").mkdir(parents=True)
    shutil.copy(FIXTURES / "bad_unbalanced.csv", inbox / "energy" / "bad_unbalanced.csv")
    (inbox / "partners" / "ikea").mkdir(parents=True)
    (inbox / "partners" / "ikea" / "ssab_2022.csv").write_text(SSAB_2022, encoding="utf-8")
    energy = energy_loads.process_drop(inbox, store)
    partners = partner_loads.process_drop(inbox, store, today=TODAY)
    [balance] = energy.problems["energy/bad_unbalanced.csv"]
    [mismatch] = partners.problems["partners/ikea/ssab_2022.csv"]
    keys = ["file", "sheet", "row", "column", "column_letter", "value", "code", "message"]
    assert list(balance) == list(mismatch) == [*keys, "message_sv", "expected"]
    assert (balance["file"], balance["row"], balance["code"], balance["message_sv"]) == (
        "bad_unbalanced.csv",
        7,
        "balance_mismatch",
        None,
    )
    assert (mismatch["sheet"], mismatch["row"], mismatch["value"], mismatch["code"]) == (
        "Organisation",
        2,
        "ssab",
        "partner_folder_mismatch",
    )
    assert mismatch["message"].startswith("the file is in the folder of 'ikea'")
    assert mismatch["message_sv"].startswith("filen ligger i mappen för 'ikea'")
