"""Hostile inboxes as families (issue 21, items 4-7 and 16-18), against every file feed of the
shared drop processor (partner submissions, energy reports, meter values, hourly carbon intensity):

- names of every length up to the file system's 255 bytes, in Swedish (two bytes a letter), with a
  double extension; a step that fails or a run that dies between taking a file and filing it;
- hard links into the inbox, files owned by another user, folders the pipeline cannot write;
- names with control, bidi or invisible characters, undecodable bytes, or a leading '..';
- months after the current one, digits other than ASCII 0-9, names in decomposed Unicode.

Each asserts what the sender and the operator see: the file refused or rejected with a report that
names it (and the row and field where there is one), nothing outside the inbox changed (mode and
bytes), the other files of the drop loaded, and no traceback anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import io
import os
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.defs.energy import loads as energy_loads
from pipelines.defs.grid import loads as grid_loads
from pipelines.defs.meters import loads as meter_loads
from pipelines.defs.partners import loads as partner_loads
from pipelines.lib import drops, warehouse
from pipelines.lib.drops import DropReport
from pipelines.lib.warehouse import Store
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY, REPO_ROOT
from sources.carbon_intensity import parse_carbon_intensity
from sources.energy_feed.validate import Limits as EnergyLimits
from sources.energy_feed.validate import load_feed_bytes
from sources.file_limits import is_safe_text, printable
from sources.meter_feed.validate import MeterFile
from sources.partner_submissions import validate_submission_bytes
from tests.energy.test_energy_pipeline import FIXTURES, correction_of_march, make_fixtures
from tests.helpers import PAYLOADS
from tests.helpers.meter_files import points, rows, write_csv
from tests.partners.test_partner_loads import SSAB_2022, TODAY, submission_csv

MF = make_fixtures()
CARBON = PAYLOADS / "carbon_intensity"
CARBON_GOOD = (
    CARBON / "SE-SE3_2022-01_release-2025-04-03.csv.gz",
    CARBON / "SE-SE3_2022-01_hourly_release-2024-06-12.csv.gz",
)
NAME_MAX = 255
NOW = date(2026, 12, 7)  # "today" of the issue: December 2026


@dataclass(frozen=True)
class FeedCase:
    """One file feed as a sender sees it: where files wait, two valid files, one bad one."""

    id: str
    folder: str  # under the inbox
    suffix: str
    good: tuple[Callable[[], bytes], Callable[[], bytes]]  # two different valid files
    bad: Callable[[], bytes]  # a file the validator rejects
    table: str  # raw.<table> has one row per loaded file
    run: Callable[[Path, Store], DropReport]


def _meter_month(month: date) -> Callable[[], bytes]:
    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "m.csv"
            flats = (("hushall_lagenhet", 1.0),)
            write_csv(path, list(rows(month, points("el", 3, seed=1, mix=flats), seed=1)))
            return path.read_bytes()

    return build


def _bad_meter() -> bytes:
    values = list(
        rows(date(2025, 3, 1), points("el", 2, seed=1, mix=(("hushall_lagenhet", 1.0),)), seed=1)
    )
    values[3]["wh"] = -1
    with tempfile.TemporaryDirectory() as folder:
        return write_csv(Path(folder) / "m.csv", values).read_bytes()


def _meter_run(inbox: Path, store: Store) -> DropReport:
    return meter_loads.process_drop(inbox, store, pseudonym_key=DEMO_METER_PSEUDONYM_KEY)


FEEDS = [
    FeedCase(
        "partners",
        "partners/ssab",
        ".csv",
        (
            lambda: SSAB_2022.encode(),
            lambda: submission_csv(
                "ssab", 2023, emissions=[(1, "Processer och bränslen", "190 000", "EU ETS", True)]
            ).encode(),
        ),
        lambda: SSAB_2022.replace(";2022;", ";2030;").encode(),  # a future year
        "partner_submissions",
        lambda inbox, store: partner_loads.process_drop(inbox, store, today=TODAY),
    ),
    FeedCase(
        "energy",
        "energy",
        ".csv",
        (lambda: (FIXTURES / "good_2025_utf8.csv").read_bytes(), correction_of_march),
        lambda: (FIXTURES / "bad_unbalanced.csv").read_bytes(),
        "energy_feed_files",
        lambda inbox, store: energy_loads.process_drop(inbox, store),
    ),
    FeedCase(
        "meters",
        "meters",
        ".csv",
        (_meter_month(date(2025, 1, 1)), _meter_month(date(2025, 2, 1))),
        _bad_meter,
        "meter_feed_files",
        _meter_run,
    ),
    FeedCase(
        "carbon_intensity",
        "carbon_intensity",
        ".csv.gz",
        (CARBON_GOOD[0].read_bytes, CARBON_GOOD[1].read_bytes),
        lambda: gzip.compress(b"not,a,carbon,file\r\n1,2,3,4\r\n", mtime=0),
        "carbon_intensity_files",
        lambda inbox, store: grid_loads.process_drop(inbox, store, grid_zone="SE3"),
    ),
]
FEED_IDS = [f.id for f in FEEDS]


def loaded(store: Store, table: str) -> int:
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def put(folder: Path, name: str | bytes, content: bytes) -> Path:
    """A file under `name` (bytes for a name that is not UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return Path(os.fsdecode(raw))


def entries(folder: Path) -> list[Path]:
    return sorted(Path(e.path) for e in os.scandir(folder)) if folder.is_dir() else []


def every_name(root: Path) -> list[str]:
    """Every entry name below `root`, links not followed."""
    return [name for _, dirs, files in os.walk(root) for name in dirs + files]


def landed_shas(store: Store) -> set[str]:
    root = store.landing_dir
    return {
        p.name.split(".")[0]
        for p in (root.rglob("*") if root.exists() else [])
        if p.is_file() and len(p.name.split(".")[0]) == 64
    }


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def report_files(inbox: Path) -> dict[str, str]:
    """Every report file in the quarantine: file name -> text."""
    root = inbox / "quarantine"
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in (root.rglob("*.report.txt") if root.exists() else [])
    }


def assert_no_traceback(report: DropReport, inbox: Path) -> None:
    texts = [*report.reports.values(), *report_files(inbox).values()]
    assert not any("Traceback" in t or 'File "' in t for t in texts), texts


def swedish_name(n_bytes: int, suffix: str, tag: str) -> str:
    """A name of exactly `n_bytes` bytes of UTF-8: Swedish words, two bytes for each å, ä, ö."""
    head = f"Årsrapport_{tag}_"
    words = "Återvinningsanläggningen_Övre_Tjärnsjön_Fjärrvärmeleveranser_Ängsö_"
    body, size = "", len((head + suffix).encode())
    for ch in words * 20:
        if size + len(ch.encode()) > n_bytes:
            break
        body += ch
        size += len(ch.encode())
    name = head + body + "x" * (n_bytes - size) + suffix
    assert len(name.encode()) == n_bytes
    return name


# --------------------------------------------------------------------------- 4: long names


@pytest.mark.parametrize("n_bytes", [232, 237, 242, 243, 250, 255])
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_a_long_name_loads_or_is_quarantined_and_never_stops_the_feed(
    tmp_path, store, case, n_bytes
):
    inbox = tmp_path / "inbox"
    folder = inbox / case.folder
    long_good = swedish_name(n_bytes, case.suffix, "god")
    long_bad = swedish_name(n_bytes, case.suffix, "fel")
    put(folder, long_good, case.good[0]())
    put(folder, long_bad, case.bad())
    put(folder, f"short{case.suffix}", case.good[1]())
    bad_sha = sha(case.bad())

    report = case.run(inbox, store)

    top = case.folder.split("/")[0] if case.id != "partners" else case.folder
    assert sorted(report.accepted) == sorted([f"{top}/{long_good}", f"{top}/short{case.suffix}"])
    assert report.rejected == [f"{top}/{long_bad}"] and report.refused == []
    assert entries(folder) == []  # nothing left waiting
    assert loaded(store, case.table) == 2
    names = every_name(inbox)
    assert names and max(len(n.encode()) for n in names) <= NAME_MAX
    [(report_name, text)] = report_files(inbox).items()
    assert report_name.startswith(bad_sha[:12]) and report_name.endswith(
        case.suffix + ".report.txt"
    )
    assert long_bad in text  # the name as sent, whatever the stored name had to become
    [kept] = [
        p
        for p in (inbox / "quarantine").rglob(f"{bad_sha[:12]}*")
        if not p.name.endswith(".report.txt")
    ]
    assert kept.read_bytes() == case.bad() and kept.name.endswith(case.suffix)
    assert_no_traceback(report, inbox)
    again = case.run(inbox, store)  # the next run is not stuck on it either
    assert again.accepted == again.rejected == again.refused == again.unchanged == []


NAMES_TO_FIT = [
    "a" * 255,
    "ö" * 125 + ".csv",
    "Ångström_" * 25 + ".xlsx",
    "🙂" * 61 + ".csv.gz",  # four bytes a character
    unicodedata.normalize("NFD", "Borlänge_Energi_ärende_" * 10) + ".parquet",
    "x" * 250 + ".csv",
    "rapport" * 36,  # no extension
    "data." + "e" * 240,  # an 'extension' that is really the name
    os.fsdecode(b"caf\xe9_" * 60 + b".csv"),  # not UTF-8
]


@pytest.mark.parametrize("prefix", ["0123456789ab", "20261207T145134123456"])
@pytest.mark.parametrize("name", NAMES_TO_FIT, ids=range(len(NAMES_TO_FIT)))
def test_a_stored_name_fits_keeps_its_extension_and_stays_unique(prefix, name):
    fitted = drops.fitted_name(prefix, name)
    encoded = fitted.encode("utf-8")  # valid UTF-8, cut on a character boundary
    assert len(encoded) + len(drops.REPORT_SUFFIX) <= NAME_MAX
    assert fitted.startswith(prefix + "_") and is_safe_text(fitted)
    extension = "".join(Path(name).suffixes[-2:]) if len(name.split(".")[-1]) < 12 else ""
    assert fitted.endswith(printable(extension))
    assert drops.fitted_name(prefix, name) == fitted  # the same name every run
    assert drops.fitted_name(prefix, name[:-5] + "z" + name[-4:]) != fitted  # and unique
    if len(os.fsencode(f"{prefix}_{name}")) + len(drops.REPORT_SUFFIX) <= NAME_MAX:
        assert fitted == f"{prefix}_{printable(name)}"


class Killed(BaseException):
    """The run dies here (as with SIGKILL: no except clause of the pipeline catches it)."""


@pytest.mark.parametrize("moment", ["taken", "landed", "validated", "committed"])
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_a_run_that_dies_between_taking_a_file_and_filing_it_is_finished_by_the_next(
    tmp_path, store, monkeypatch, case, moment
):
    inbox = tmp_path / "inbox"
    folder = inbox / case.folder
    name = swedish_name(250, case.suffix, "död")
    put(folder, name, case.good[0]())

    def die(*_, **__):
        raise Killed(moment)

    with monkeypatch.context() as patch:
        if moment == "taken":
            patch.setattr(drops, "open_regular", die)
        elif moment == "landed":
            patch.setattr(drops, "validated_file", die)
        elif moment == "validated":
            patch.setattr(drops, "load_file", die)
        else:
            patch.setattr(drops, "mark_processed", die)
        with pytest.raises(Killed):
            case.run(inbox, store)
    assert entries(folder) == []  # taken out of the inbox before anything else
    assert loaded(store, case.table) == (1 if moment == "committed" else 0)

    report = case.run(inbox, store)  # the next run, unharmed, finishes the file

    top = case.folder if case.id == "partners" else case.folder.split("/")[0]
    key = f"{top}/{name}"
    assert (report.unchanged if moment == "committed" else report.accepted) == [key]
    assert loaded(store, case.table) == 1
    [kept] = [p for p in (inbox / "processed").rglob("*") if p.is_file()]
    assert kept.read_bytes() == case.good[0]() and len(kept.name.encode()) <= NAME_MAX
    assert [p for p in (inbox / "processing").rglob("*") if p.is_file()] == []
    assert case.run(inbox, store) == DropReport()


def test_a_loaded_file_that_cannot_be_filed_yet_is_filed_by_the_next_run(
    tmp_path, store, monkeypatch
):
    inbox = tmp_path / "inbox"
    put(inbox / "energy", "a.csv", (FIXTURES / "good_2025_utf8.csv").read_bytes())
    put(inbox / "energy", "b.csv", correction_of_march())
    real = drops.mark_processed

    def full(path, *args):
        if path.name == "a.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, *args)

    with monkeypatch.context() as patch:
        patch.setattr(drops, "mark_processed", full)
        report = energy_loads.process_drop(inbox, store)
    assert report.accepted == ["energy/a.csv", "energy/b.csv"]  # b is not held up
    assert "not yet filed" in report.notes["energy/a.csv"][-1]
    assert [p.name for p in entries(inbox / "processing" / "energy")] == ["a.csv"]
    again = energy_loads.process_drop(inbox, store)
    assert again.unchanged == ["energy/a.csv"] and entries(inbox / "processing" / "energy") == []
    assert loaded(store, "energy_feed_files") == 2


TUNABYGGEN_2025 = submission_csv(
    "tunabyggen", 2025, emissions=[(1, "Fordon", "12", "bränsle", True)]
).encode()


@pytest.mark.parametrize("failure", [errno.EXDEV, errno.EACCES, errno.EPERM, errno.EROFS])
def test_a_file_that_cannot_be_taken_out_of_the_inbox_is_never_loaded(
    tmp_path, store, monkeypatch, failure
):
    """A file the pipeline cannot move (another mount, no write permission, a sticky folder, a
    read-only one): nothing of it loads, it stays as it is with a report, and the others load."""
    inbox = tmp_path / "inbox"
    stuck = put(inbox / "partners" / "ssab", "ssab_2022.csv", SSAB_2022.encode())
    put(inbox / "partners" / "tunabyggen", "tunabyggen_2025.csv", TUNABYGGEN_2025)
    rename = os.rename

    def refusing(src, dst, *args, **kwargs):
        if Path(src) == stuck:
            raise OSError(failure, os.strerror(failure), str(src))
        return rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(drops.os, "rename", refusing)
    for run in range(2):  # every run reports it again
        report = partner_loads.process_drop(inbox, store, today=TODAY)
        assert report.refused == ["partners/ssab/ssab_2022.csv"]
        assert report.accepted == ([] if run else ["partners/tunabyggen/tunabyggen_2025.csv"])
        text = report.reports["partners/ssab/ssab_2022.csv"]
        assert "could not be taken out of the inbox" in text and os.strerror(failure) in text
        assert stuck.read_bytes() == SSAB_2022.encode()
        assert_no_traceback(report, inbox)
    assert loaded(store, "partner_submissions") == 1  # tunabyggen's only
    assert len([n for n in report_files(inbox) if "ssab_2022" in n]) == 1  # one report, rewritten


# --------------------------------------------------------------------------- 5: hard links


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
@pytest.mark.parametrize("content", ["good", "bad"])
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_a_hard_link_is_refused_and_the_file_outside_keeps_its_mode_and_bytes(
    tmp_path, store, case, content, mode
):
    outside = tmp_path / "elsewhere" / f"secret{case.suffix}"
    outside.parent.mkdir()
    secret = case.good[0]() if content == "good" else case.bad()
    outside.write_bytes(secret)
    os.chmod(outside, mode)
    before = outside.stat()
    inbox = tmp_path / "inbox"
    folder = inbox / case.folder
    folder.mkdir(parents=True)
    link = folder / f"linked{case.suffix}"
    os.link(outside, link)
    put(folder, f"other{case.suffix}", case.good[1]())

    report = case.run(inbox, store)

    top = case.folder
    assert report.refused == [f"{top}/linked{case.suffix}"]
    assert report.accepted == [f"{top}/other{case.suffix}"] and report.rejected == []
    text = report.reports[f"{top}/linked{case.suffix}"]
    assert "hard link" in text and f"{top}/linked{case.suffix}" in text
    after = outside.stat()
    assert stat.S_IMODE(after.st_mode) == mode and outside.read_bytes() == secret
    assert (after.st_uid, after.st_ino, after.st_mtime_ns) == (
        before.st_uid,
        before.st_ino,
        before.st_mtime_ns,
    )
    assert not link.exists() and entries(folder) == []
    assert sha(secret) not in landed_shas(store)  # never landed, never validated
    assert loaded(store, case.table) == 1
    [copy] = [p for p in (inbox / "quarantine").rglob(f"*linked{case.suffix}") if p.is_file()]
    assert copy.read_bytes() == secret and copy.stat().st_ino != after.st_ino
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600 and copy.stat().st_nlink == 1
    assert sha(secret) in text
    assert_no_traceback(report, inbox)


def test_two_names_of_one_file_inside_the_inbox_are_both_refused(tmp_path, store):
    inbox = tmp_path / "inbox"
    first = put(inbox / "energy", "a.csv", (FIXTURES / "good_2025_utf8.csv").read_bytes())
    os.link(first, inbox / "energy" / "b.csv")
    report = energy_loads.process_drop(inbox, store)
    assert sorted(report.refused) == ["energy/a.csv", "energy/b.csv"] and not report.accepted
    assert loaded(store, "energy_feed_files") == 0 and entries(inbox / "energy") == []
    copies = [p for p in (inbox / "quarantine").rglob("*.csv") if p.is_file()]
    assert len(copies) == 2 and {p.read_bytes() for p in copies} == {
        (FIXTURES / "good_2025_utf8.csv").read_bytes()
    }


def test_a_hard_link_made_after_the_file_is_taken_is_refused_too(tmp_path, store, monkeypatch):
    """The link count is checked again on the descriptor the file is read from."""
    inbox = tmp_path / "inbox"
    put(inbox / "energy", "a.csv", (FIXTURES / "good_2025_utf8.csv").read_bytes())
    outside = tmp_path / "outside.csv"
    real_open = drops.open_regular

    def link_then_open(path):
        os.link(path, outside)
        os.chmod(outside, 0o644)
        return real_open(path)

    monkeypatch.setattr(drops, "open_regular", link_then_open)
    report = energy_loads.process_drop(inbox, store)
    assert report.refused == ["energy/a.csv"] and "hard link" in report.reports["energy/a.csv"]
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644 and outside.stat().st_nlink == 1
    assert loaded(store, "energy_feed_files") == 0


# --------------------------------------------------------------------------- 6: other owners

OTHER_UID = OTHER_GID = 65534  # nobody / nogroup
PIPELINE_UID, SHARED_GID = 61000, 61001
needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="creating another user's files needs root"
)


def reachable_by_everyone(path: Path) -> bool:
    """Every folder from / down to `path` may be entered by any user (o+x)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


# The pipeline run as an ordinary user reads its own code and seeds from the checkout: a checkout
# inside a folder only root may enter (`mktemp -d` makes one 0700) cannot be read by that user.
needs_a_reachable_checkout = pytest.mark.skipif(
    not reachable_by_everyone(REPO_ROOT),
    reason="the checkout is inside a folder an ordinary user may not enter (mode 0700)",
)


@needs_root
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_files_owned_by_another_user_load_or_are_quarantined_and_keep_their_owner(
    tmp_path, store, case
):
    inbox = tmp_path / "inbox"
    folder = inbox / case.folder
    good = put(folder, f"good{case.suffix}", case.good[0]())
    bad = put(folder, f"bad{case.suffix}", case.bad())
    for path in (good, bad):
        os.chown(path, OTHER_UID, OTHER_GID)
        os.chmod(path, 0o664)
    os.chown(folder, 0, OTHER_GID)
    os.chmod(folder, 0o2775)  # a group-shared upload folder

    report = case.run(inbox, store)

    top = case.folder
    assert report.accepted == [f"{top}/good{case.suffix}"]
    assert report.rejected == [f"{top}/bad{case.suffix}"]
    assert f"bad{case.suffix}" in report.reports[f"{top}/bad{case.suffix}"]
    kept = [p for p in (inbox / "processed").rglob("*") if p.is_file()]
    kept += [p for p in (inbox / "quarantine").rglob("*") if p.is_file() and "report" not in p.name]
    assert len(kept) == 2
    for path in kept:  # filed as they are: never chmod'ed, still the sender's
        info = path.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (OTHER_UID, 0o664)
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # in a private folder
    assert loaded(store, case.table) == 1
    assert_no_traceback(report, inbox)


@contextlib.contextmanager
def running_as(uid: int, gid: int, groups: list[int]) -> Iterator[None]:
    """The pipeline as an ordinary user (effective ids; root again afterwards)."""
    saved = os.getgroups()
    os.setgroups(groups)
    os.setegid(gid)
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(saved)


def make_world(prefix: str) -> Path:
    """A folder every user may enter (pytest's own tmp folders are root's only)."""
    world = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(world, 0o755)
    (world / "wh").mkdir()
    (world / "inbox").mkdir()
    for path in (world / "wh", world / "inbox"):
        os.chown(path, PIPELINE_UID, PIPELINE_UID)
    return world


def shared_folder(inbox: Path, relative: str, *, owner: int, group: int, mode: int) -> Path:
    """inbox/<relative>: the levels above it the pipeline's, the folder itself as given."""
    folder = inbox
    for part in Path(relative).parts:
        folder = folder / part
        folder.mkdir(exist_ok=True)
        os.chown(folder, PIPELINE_UID, PIPELINE_UID)
    os.chown(folder, owner, group)
    os.chmod(folder, mode)
    return folder


@needs_root
@needs_a_reachable_checkout
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_a_pipeline_that_is_not_root_handles_a_shared_folder_of_other_users_files(tmp_path, case):
    """Run as an ordinary user: other users' files in a group-shared folder (readable, and one that
    is not). Nothing raises PermissionError; every file is loaded, quarantined or refused with its
    report; nothing is chmod'ed; the next run finds nothing left."""
    warm = tmp_path / "warm"  # a first run as root imports every module the feed needs
    put(warm / "inbox" / case.folder, f"w{case.suffix}", case.good[0]())
    case.run(warm / "inbox", Store(warm / "wh.duckdb", warm / "landing"))
    world = make_world("inbox-owners-")
    try:
        store = Store(world / "wh" / "borlange.duckdb", world / "wh" / "landing")
        inbox = world / "inbox"
        folder = shared_folder(inbox, case.folder, owner=OTHER_UID, group=SHARED_GID, mode=0o2770)
        files = {
            "good": (case.good[0](), 0o660),
            "bad": (case.bad(), 0o640),
            "private": (case.good[1](), 0o600),  # the group may not read it
        }
        for name, (content, mode) in files.items():
            path = put(folder, f"{name}{case.suffix}", content)
            os.chown(path, OTHER_UID, SHARED_GID)
            os.chmod(path, mode)
        with running_as(PIPELINE_UID, PIPELINE_UID, [SHARED_GID]):
            warehouse.connect(store.warehouse_path).close()
            report = case.run(inbox, store)
            again = case.run(inbox, store)
        top = case.folder
        assert report.accepted == [f"{top}/good{case.suffix}"]
        assert report.rejected == [f"{top}/bad{case.suffix}"]
        assert report.refused == [f"{top}/private{case.suffix}"]
        assert "cannot be read" in report.reports[f"{top}/private{case.suffix}"]
        assert again == DropReport() and entries(folder) == []
        assert_no_traceback(report, inbox)
        for name, (content, mode) in files.items():
            [kept] = [
                p
                for p in inbox.rglob(f"*{name}{case.suffix}")
                if p.is_file() and not p.is_relative_to(folder)
            ]
            info = kept.stat()
            assert (kept.read_bytes(), info.st_uid, stat.S_IMODE(info.st_mode)) == (
                content,
                OTHER_UID,
                mode,
            )
        assert loaded(store, case.table) == 1
    finally:
        shutil.rmtree(world, ignore_errors=True)


@needs_root
@needs_a_reachable_checkout
def test_a_folder_the_pipeline_may_not_write_leaves_its_files_unloaded_and_reported():
    world = make_world("inbox-locked-")
    try:
        store = Store(world / "wh" / "borlange.duckdb", world / "wh" / "landing")
        inbox = world / "inbox"
        locked = shared_folder(inbox, "partners/ssab", owner=OTHER_UID, group=OTHER_GID, mode=0o755)
        stuck = put(locked, "ssab_2022.csv", SSAB_2022.encode())
        free = shared_folder(
            inbox, "partners/tunabyggen", owner=PIPELINE_UID, group=PIPELINE_UID, mode=0o700
        )
        os.chown(put(free, "tunabyggen_2025.csv", TUNABYGGEN_2025), PIPELINE_UID, PIPELINE_UID)
        with running_as(PIPELINE_UID, PIPELINE_UID, []):
            warehouse.connect(store.warehouse_path).close()
            report = partner_loads.process_drop(inbox, store, today=TODAY)
        assert report.refused == ["partners/ssab/ssab_2022.csv"]
        text = report.reports["partners/ssab/ssab_2022.csv"]
        assert "could not be taken out of the inbox" in text and "Permission denied" in text
        assert report.accepted == ["partners/tunabyggen/tunabyggen_2025.csv"]
        assert stuck.read_bytes() == SSAB_2022.encode()
        assert loaded(store, "partner_submissions") == 1
        assert_no_traceback(report, inbox)
    finally:
        shutil.rmtree(world, ignore_errors=True)


# --------------------------------------------------------------------------- 7: names

HOSTILE_NAMES = {
    "dot_dot": "..rapport{s}",
    "dot_dot_dot": "...{s}",
    "right_to_left_override": "rapport_\u202evsc.exe{s}",
    "bidi_isolate": "rapport_\u2066x\u2069{s}",
    "zero_width_space": "rap\u200bport{s}",
    "byte_order_mark": "\ufeffrapport{s}",
    "newline": "rapport\n2025{s}",
    "carriage_return": "rapport\r{s}",
    "tab": "rapport\t2025{s}",
    "escape": "rapport\x1b[31m{s}",
    "delete": "rapport\x7f{s}",
    "c1_control": "rapport\x9b{s}",
}


def hostile(case: FeedCase, key: str) -> str | bytes:
    if key == "not_utf8":
        return b"rapport_\xe9\xff" + case.suffix.encode()
    return HOSTILE_NAMES[key].format(s=case.suffix)


@pytest.mark.parametrize("key", [*HOSTILE_NAMES, "not_utf8"])
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_a_name_with_control_bidi_or_invisible_characters_or_dot_dot_is_refused_and_reported(
    tmp_path, store, case, key
):
    inbox = tmp_path / "inbox"
    folder = inbox / case.folder
    name = hostile(case, key)
    content = case.good[0]()
    put(folder, name, content)
    put(folder, f"plain{case.suffix}", case.good[1]())

    report = case.run(inbox, store)

    shown = printable(os.fsdecode(name) if isinstance(name, bytes) else name)
    top = case.folder
    assert report.refused == [f"{top}/{shown}"], report
    assert report.accepted == [f"{top}/plain{case.suffix}"]
    text = report.reports[f"{top}/{shown}"]
    assert shown in text and is_safe_text(text, line_breaks=True)
    assert sha(content) not in landed_shas(store) and loaded(store, case.table) == 1
    assert entries(folder) == []  # not left unseen in the inbox
    refused = inbox / "quarantine" / case.folder.split("/")[-1] / "refused"
    kept = [p for p in entries(refused) if not p.name.endswith(".report.txt")]
    assert [p.read_bytes() for p in kept] == [content]  # every byte kept
    assert all(is_safe_text(p.name) for p in entries(refused))  # stored under a printable name
    for report_text in report_files(inbox).values():
        assert is_safe_text(report_text, line_breaks=True)
    assert_no_traceback(report, inbox)


@pytest.mark.parametrize("folder", ["..ssab", "ss\u202eab", "ssab\n", "ssab\u200b"])
def test_a_partner_folder_with_a_hostile_name_is_refused_whole(tmp_path, store, folder):
    inbox = tmp_path / "inbox"
    put(inbox / "partners" / folder, "ssab_2022.csv", SSAB_2022.encode())
    put(inbox / "partners" / "ssab", "ssab_2022.csv", SSAB_2022.encode())
    report = partner_loads.process_drop(inbox, store, today=TODAY)
    assert report.refused == [f"partners/{printable(folder)}"]
    assert report.accepted == ["partners/ssab/ssab_2022.csv"]
    assert is_safe_text(report.reports[f"partners/{printable(folder)}"], line_breaks=True)
    [moved] = [p for p in entries(inbox / "quarantine" / "partners" / "refused") if p.is_dir()]
    assert is_safe_text(moved.name) and (moved / "ssab_2022.csv").read_bytes() == SSAB_2022.encode()
    assert sorted(p.name for p in entries(inbox / "partners")) == ["ssab"]


@pytest.mark.parametrize("name", [".rapport.csv", "rapport.csv.part", "~$rapport.xlsx"])
@pytest.mark.parametrize("case", FEEDS, ids=FEED_IDS)
def test_an_upload_in_progress_still_waits(tmp_path, store, case, name):
    inbox = tmp_path / "inbox"
    waiting = put(inbox / case.folder, name, case.good[0]())
    report = case.run(inbox, store)
    assert report == DropReport() and waiting.exists()


@pytest.mark.parametrize(
    "name", ["rapport\n2025.csv", "rapport_\u202evsc.csv", "rapport\x1b[2J.csv", "a\u200bb.csv"]
)
def test_every_feeds_report_prints_a_hostile_name_escaped(name):
    """`borlange validate` prints these reports: a name never reaches a terminal raw."""
    reports = [
        load_feed_bytes(name, b"x;y\r\n").report(),
        validate_submission_bytes(name, b"x", partners={"ssab"}, today=TODAY).report(),
        parse_carbon_intensity(name, b"x", zone_id="SE-SE3", received=TODAY).report(),
    ]
    meter = MeterFile(name)
    meter.add(None, None, None, "empty_file", "The file is empty.")
    reports.append(meter.report())
    for text in reports:
        assert printable(name) in text and is_safe_text(text, line_breaks=True), text
        assert name not in text


# --------------------------------------------------------------------------- 16: future months


def energy_csv(months: list[str], period: tuple[str, str], networks=("Borlänge",)) -> str:
    rows = []
    for network in networks:
        for i, month in enumerate(months):
            [row] = MF.year_rows(networks=(network,), months=range(i % 12, i % 12 + 1))
            rows.append({**row, "Månad": month})
    return MF.csv_text(rows, period=period)


def energy_xlsx(months: list[object], period: tuple[str, str]) -> bytes:
    rows = []
    for i, month in enumerate(months):
        [row] = MF.year_rows(networks=("Borlänge",), months=range(i % 12, i % 12 + 1))
        rows.append({**row, "Månad": month})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.xlsx"
        MF.write_xlsx(path, rows, period=period)
        return path.read_bytes()


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


HEADER_LINE = 4  # banner, Källa, Period, header


@pytest.mark.parametrize(
    "first, last",
    [
        ("2030-01", "2030-12"),
        ("2026-11", "2027-02"),
        ("2027-01", "2027-01"),
        ("2099-06", "2099-07"),
    ],
)
@pytest.mark.parametrize("form", ["csv", "xlsx", "xlsx_dates"])
def test_an_energy_report_for_months_after_the_current_one_is_refused(form, first, last):
    months = months_between(first, last)
    if form == "csv":
        name, content = "r.csv", energy_csv(months, (first, last)).encode()
    else:
        cells = months if form == "xlsx" else [datetime(int(m[:4]), int(m[5:]), 1) for m in months]
        name, content = "r.xlsx", energy_xlsx(cells, (first, last))
    feed = load_feed_bytes(name, content, EnergyLimits(today=NOW))
    future = [m for m in months if m > "2026-12"]
    found = [(p.row, p.column, p.value) for p in feed.problems if p.code == "month_in_future"]
    assert found == [(HEADER_LINE + 1 + months.index(m), "Månad", m) for m in future], feed.problems
    [period] = [p for p in feed.problems if p.code == "period_in_future"]
    assert (period.row, period.column, period.value) == (3, "Period", f"{first};{last}")
    assert "2026-12" in period.message and not feed.ok


@pytest.mark.parametrize("today", [NOW, date(2026, 12, 31), date(2027, 1, 1)])
def test_a_report_up_to_the_current_month_is_accepted(today):
    months = months_between("2026-10", f"{today:%Y-%m}")
    feed = load_feed_bytes(
        "r.csv", energy_csv(months, (months[0], months[-1])).encode(), EnergyLimits(today=today)
    )
    assert feed.ok, feed.problems


def test_without_an_injected_date_today_is_the_current_date():
    feed = load_feed_bytes("r.csv", energy_csv(["2099-01"], ("2099-01", "2099-01")).encode())
    assert {p.code for p in feed.problems} >= {"month_in_future", "period_in_future"}


def test_the_drop_quarantines_a_future_report_and_loads_the_rest(tmp_path, store):
    inbox = tmp_path / "inbox"
    put(inbox / "energy", "framtid.csv", energy_csv(["2030-01"], ("2030-01", "2030-01")).encode())
    put(inbox / "energy", "good.csv", (FIXTURES / "good_2025_utf8.csv").read_bytes())
    report = energy_loads.process_drop(inbox, store, limits=EnergyLimits(today=NOW))
    assert report.rejected == ["energy/framtid.csv"] and report.accepted == ["energy/good.csv"]
    [problem] = [p for p in report.problems["energy/framtid.csv"] if p["code"] == "month_in_future"]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "framtid.csv",
        5,
        "Månad",
        "2030-01",
    )


@pytest.mark.parametrize("year, ok", [(2026, True), (2027, False), (2030, False), (2099, False)])
def test_the_partner_feed_refuses_future_years_the_same_way(year, ok):
    text = SSAB_2022.replace(";2022;", f";{year};")
    result = validate_submission_bytes("ssab.csv", text.encode(), partners={"ssab"}, today=NOW)
    assert result.ok is ok
    if not ok:
        [problem] = result.problems
        assert (problem.code, problem.sheet, problem.value) == (
            "year_in_future",
            "Organisation",
            str(year),
        )


# --------------------------------------------------------------------------- 17: digits

DIGIT_SETS = {
    "arabic_indic": "٠١٢٣٤٥٦٧٨٩",
    "extended_arabic_indic": "۰۱۲۳۴۵۶۷۸۹",
    "fullwidth": "０１２３４５６７８９",
    "mathematical_bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    "mathematical_monospace": "𝟶𝟷𝟸𝟹𝟺𝟻𝟼𝟽𝟾𝟿",
    "devanagari": "०१२३४५६७८९",
    "bengali": "০১২৩৪৫৬৭৮৯",
    "thai": "๐๑๒๓๔๕๖๗๘๙",
}


def in_digits(text: str, digits: str, *, only_first: bool = False) -> str:
    table = str.maketrans("0123456789", digits)
    if only_first:  # one foreign digit among ASCII ones
        i = next(i for i, ch in enumerate(text) if ch.isdigit())
        return text[:i] + text[i].translate(table) + text[i + 1 :]
    return text.translate(table)


@pytest.mark.parametrize("mixed", [False, True], ids=["all", "one_digit"])
@pytest.mark.parametrize("script", DIGIT_SETS)
def test_an_energy_value_in_other_digits_is_refused_with_row_column_and_value(script, mixed):
    good = (FIXTURES / "good_2025_utf8.csv").read_bytes().decode("utf-8")
    written = in_digits("1500,5", DIGIT_SETS[script], only_first=mixed)
    text = MF.replace_cell(good, "2025-01", "Köpt värme", written)
    feed = load_feed_bytes("r.csv", text.encode())
    [problem] = [p for p in feed.problems if p.code == "non_ascii_digits"]
    assert (problem.row, problem.column, problem.value) == (5, "Köpt värme", written)
    assert "0–9" in problem.message and not feed.ok


@pytest.mark.parametrize("script", DIGIT_SETS)
def test_an_energy_month_or_period_in_other_digits_is_refused(script):
    digits = DIGIT_SETS[script]
    good = (FIXTURES / "good_2025_utf8.csv").read_bytes().decode("utf-8")
    month = in_digits("2025-01", digits)
    text = MF.replace_cell(good, "2025-01", "Månad", month)
    feed = load_feed_bytes("r.csv", text.encode())
    [problem] = [p for p in feed.problems if p.row == 5 and p.column == "Månad"]
    assert (problem.code, problem.value) == ("non_ascii_digits", month)
    period = text.replace(
        "Period;2025-01;2025-12", f"Period;{in_digits('2025-01', digits)};2025-12"
    )
    feed = load_feed_bytes("r.csv", period.encode())
    assert any(p.code == "non_ascii_digits" and p.column == "Period" for p in feed.problems)


@pytest.mark.parametrize("script", DIGIT_SETS)
def test_an_energy_xlsx_text_cell_in_other_digits_is_refused(script):
    workbook = openpyxl.load_workbook(FIXTURES / "good_2025_01.xlsx")
    sheet = workbook.active
    header = [c.value for c in sheet[4]]
    column = header.index("Köpt värme (MWh)") + 1
    written = in_digits("1500", DIGIT_SETS[script])
    sheet.cell(row=5, column=column, value=written)
    buffer = io.BytesIO()
    workbook.save(buffer)
    feed = load_feed_bytes("r.xlsx", buffer.getvalue())
    [problem] = [p for p in feed.problems if p.code == "non_ascii_digits"]
    assert (problem.row, problem.column, problem.value) == (5, "Köpt värme (MWh)", written)


@pytest.mark.parametrize("script", DIGIT_SETS)
def test_a_partner_number_or_year_in_other_digits_is_refused(script):
    digits = DIGIT_SETS[script]
    tonnes = in_digits("200 000", digits)
    text = SSAB_2022.replace("200 000", tonnes)
    result = validate_submission_bytes("ssab.csv", text.encode(), partners={"ssab"}, today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.sheet, problem.column, problem.value) == (
        "non_ascii_digits",
        "Utsläpp",
        "Utsläpp (t CO2e)",
        tonnes,
    )
    assert "200 000" in problem.message and "0–9" in problem.message_sv
    year = in_digits("2022", digits)
    text = SSAB_2022.replace(";2022;", f";{year};")
    result = validate_submission_bytes("ssab.csv", text.encode(), partners={"ssab"}, today=TODAY)
    assert [(p.code, p.sheet, p.column, p.value) for p in result.problems] == [
        ("non_ascii_digits", "Organisation", "Rapportår", year)
    ]


@pytest.mark.parametrize("script", DIGIT_SETS)
def test_a_carbon_intensity_in_other_digits_is_refused(script):
    text = gzip.decompress(CARBON_GOOD[0].read_bytes()).decode("utf-8")
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    first_data = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    fields = lines[first_data].split(",")
    fields[4] = in_digits(fields[4], DIGIT_SETS[script])
    lines[first_data] = ",".join(fields)
    parsed = parse_carbon_intensity(
        "se3.csv", "\n".join(lines).encode(), zone_id="SE-SE3", received=TODAY
    )
    [problem] = [p for p in parsed.problems if p.code == "non_ascii_digits"]
    assert (problem.row, problem.value) == (first_data + 1, fields[4])


# --------------------------------------------------------------------------- 18: Unicode forms


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("network", ["Borlänge", "Ornäs"])
@pytest.mark.parametrize("scope", ["network", "whole_file"])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_network_name_in_decomposed_unicode_is_accepted_as_the_registrys(form, scope, network):
    months = months_between("2025-01", "2025-02")
    rows = []
    for i, month in enumerate(months):
        [row] = MF.year_rows(networks=(network,), months=range(i, i + 1))
        rows.append({**row, "Nät": nfd(network), "Månad": month})
    if form == "csv":
        text = MF.csv_text(rows, period=("2025-01", "2025-02"))
        name, content = "r.csv", (nfd(text) if scope == "whole_file" else text).encode()
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "r.xlsx"
            MF.write_xlsx(path, rows, period=("2025-01", "2025-02"))
            if scope == "whole_file":
                book = openpyxl.load_workbook(path)
                for line in book.active.iter_rows():
                    for cell in line:
                        if isinstance(cell.value, str):
                            cell.value = nfd(cell.value)
                book.save(path)
            name, content = "r.xlsx", path.read_bytes()
    assert nfd(network) != network
    feed = load_feed_bytes(name, content)
    assert feed.ok, [(p.code, p.row, p.column, p.message) for p in feed.problems]
    assert set(feed.frame.get_column("network")) == {network}  # stored as the registry writes it


@pytest.mark.parametrize(
    "written, says",
    [
        ("Borlаnge", "U+0430 CYRILLIC SMALL LETTER A"),  # a Cyrillic а: looks the same
        ("borlänge", "letter case"),
        ("Ｂｏｒｌäｎｇｅ", "U+FF22 FULLWIDTH LATIN CAPITAL LETTER B"),
        ("Borla\u0308\u0308nge", "U+0308 COMBINING DIAERESIS"),
        ("Borlänge\u00a0Ost", "U+00A0 NO-BREAK SPACE"),
    ],
)
def test_a_network_name_that_still_differs_says_what_differs(written, says):
    good = (FIXTURES / "good_2025_utf8.csv").read_bytes().decode("utf-8")
    text = good.replace("\r\nBorlänge;2025-01;", f"\r\n{written};2025-01;", 1)
    feed = load_feed_bytes("r.csv", text.encode())
    [problem] = [p for p in feed.problems if p.code == "unknown_network"]
    assert (problem.row, problem.column, problem.value) == (5, "Nät", written)
    assert says in problem.message and "'Borlänge'" in problem.message


def test_the_drop_loads_a_decomposed_network_name_under_the_registrys_name(tmp_path, store):
    inbox = tmp_path / "inbox"
    text = (FIXTURES / "good_2025_utf8.csv").read_bytes().decode("utf-8")
    put(inbox / "energy", "nfd.csv", nfd(text).encode())
    report = energy_loads.process_drop(inbox, store)
    assert report.accepted == ["energy/nfd.csv"]
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        networks = con.execute("select distinct network from raw.energy_feed_values").fetchall()
    assert sorted(networks) == [("Borlänge",), ("Ornäs",)]


def test_a_partner_choice_and_heading_in_decomposed_unicode_are_read():
    text = nfd(
        submission_csv("ssab", 2022, emissions=[(1, "Processer och bränslen", "1", "x", True)])
    )
    result = validate_submission_bytes("ssab.csv", text.encode(), partners={"ssab"}, today=TODAY)
    assert result.ok, result.problems
