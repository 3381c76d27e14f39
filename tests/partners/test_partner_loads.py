"""Partner submissions from the inbox into the warehouse: a mixed drop, resubmissions, an
identical file twice, a wrong folder, an interrupted load, and the marts end to end.
The partner figures here are synthetic test data, labelled so in their comment fields."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.partners import loads as partner_loads
from pipelines.lib.warehouse import Store
from pipelines.settings import Settings
from tests.helpers import SUBMISSION_FIXTURES, fingerprint, query

TODAY = date(2026, 11, 22)
SYNTHETIC = "syntetiska testdata"
HEADINGS = {
    "Organisation": "Partner-id;Rapportår;Kontaktperson;E-post;Inlämningsdatum",
    "Utsläpp": "Scope;Kategori;Utsläpp (t CO2e);Metod;Inom kommunen;Kommentar",
    "Energi": "Energibärare;Energianvändning (MWh);Leverantör;Kommentar",
    "Åtgärder": "Åtgärds-id;Åtgärd;Status;Startår;Investering (SEK);Förväntad minskning (t "
    "CO2e/år);Uppnådd minskning (t CO2e);Kommentar",
    "Kolupptag": "Typ av upptag;Upptag (t CO2);Metod;Varaktighet;Kommentar",
}


def submission_csv(partner: str, year: int, emissions=(), actions=(), removals=()) -> str:
    """A submission in the CSV contract (sources/partner_submissions/csv_format.py): `;`-separated,
    quoted where a field needs it, decimal comma."""
    records = {
        "Organisation": [[partner, year, "Test Testsson", "test@example.com", "2026-03-31"]],
        "Utsläpp": [
            [s, c, t, m, "ja" if inside else "nej", SYNTHETIC] for s, c, t, m, inside in emissions
        ],
        "Energi": [],
        "Åtgärder": [
            [a, title, status, start, sek, t, "", SYNTHETIC]
            for a, title, status, start, sek, t in actions
        ],
        "Kolupptag": [[kind, t, m, perm, SYNTHETIC] for kind, t, m, perm in removals],
    }
    out = io.StringIO()
    out.write(f"# {SYNTHETIC}\n")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for section, rows in records.items():
        writer.writerow([section, *HEADINGS[section].split(";")])
        writer.writerows([section, *row] for row in rows)
    return out.getvalue()


def drop_submission(inbox: Path, folder: str, name: str, text: str) -> Path:
    path = inbox / "partners" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def process(inbox: Path, store: Store) -> partner_loads.DropReport:
    return partner_loads.process_drop(inbox, store, today=TODAY)


SSAB_2022 = submission_csv(
    "ssab", 2022, emissions=[(1, "Processer och bränslen", "200 000", "EU ETS-rapport", True)]
)


def test_a_mixed_drop_loads_the_valid_files_and_quarantines_the_bad_one(tmp_path, store):
    inbox = tmp_path / "inbox"
    drop_submission(inbox, "ssab", "ssab_2022.csv", SSAB_2022)
    drop_submission(
        inbox,
        "tunabyggen",
        "tunabyggen_2025.csv",
        submission_csv("tunabyggen", 2025, emissions=[(1, "Fordon", "-5", "bränsle", True)]),
    )
    shutil.copy(
        SUBMISSION_FIXTURES / "ikea_2025.csv",
        (inbox / "partners" / "ikea").mkdir(parents=True)
        or inbox / "partners" / "ikea" / "ikea_2025.csv",
    )
    report = process(inbox, store)
    assert sorted(report.accepted) == ["partners/ikea/ikea_2025.csv", "partners/ssab/ssab_2022.csv"]
    assert report.rejected == ["partners/tunabyggen/tunabyggen_2025.csv"]
    quarantined = list((inbox / "quarantine" / "tunabyggen").glob("*_tunabyggen_2025.csv"))
    assert len(quarantined) == 1
    text = quarantined[0].with_name(quarantined[0].name + ".report.txt").read_text(encoding="utf-8")
    assert "negative_value" in text and "SV: " in text and "EN: " in text and "(-5)" in text
    assert query(store, "select partner_id from raw.partner_submissions order by 1") == [
        ("ikea",),
        ("ssab",),
    ]
    assert query(
        store, "select count(*) from raw.partner_emissions where partner_id = 'tunabyggen'"
    ) == [(0,)]
    assert query(
        store, "select tonnes_co2e from raw.partner_emissions where partner_id = 'ssab'"
    ) == [(200_000.0,)]
    assert len(list((inbox / "processed").rglob("*.csv"))) == 2
    assert not list((inbox / "partners").rglob("*.csv"))
    assert len(list(store.landing_dir.rglob("*.csv"))) == 3  # every original kept, the bad one too


def test_a_resubmission_is_a_new_version_and_the_first_stays_as_history(tmp_path, store):
    inbox = tmp_path / "inbox"
    drop_submission(inbox, "ssab", "ssab_2022.csv", SSAB_2022)
    process(inbox, store)
    drop_submission(inbox, "ssab", "ssab_2022_rättad.csv", SSAB_2022.replace("200 000", "195 500"))
    report = process(inbox, store)
    assert report.accepted == ["partners/ssab/ssab_2022_rättad.csv"]
    versions = query(
        store,
        "select file_name from raw.partner_submissions where partner_id = 'ssab' "
        "and reporting_year = 2022 order by received_at",
    )
    assert versions == [("ssab_2022.csv",), ("ssab_2022_rättad.csv",)]
    assert query(store, "select tonnes_co2e from raw.partner_emissions order by 1") == [
        (195_500.0,),
        (200_000.0,),
    ]


def test_the_same_file_twice_changes_nothing(tmp_path, store):
    inbox = tmp_path / "inbox"
    drop_submission(inbox, "ssab", "ssab_2022.csv", SSAB_2022)
    process(inbox, store)
    before = fingerprint(store)
    drop_submission(inbox, "ssab", "ssab_2022_igen.csv", SSAB_2022)
    report = process(inbox, store)
    assert report.unchanged == ["partners/ssab/ssab_2022_igen.csv"] and not report.accepted
    assert fingerprint(store) == before


def test_a_file_in_another_partners_folder_is_rejected(tmp_path, store):
    inbox = tmp_path / "inbox"
    drop_submission(inbox, "ikea", "ssab_2022.csv", SSAB_2022)
    before = fingerprint(store)
    report = process(inbox, store)
    assert report.rejected == ["partners/ikea/ssab_2022.csv"]
    assert "partner_folder_mismatch" in report.reports["partners/ikea/ssab_2022.csv"]
    assert fingerprint(store) == before


def test_an_interrupted_load_leaves_nothing_behind(tmp_path, store, monkeypatch):
    inbox = tmp_path / "inbox"
    drop_submission(
        inbox,
        "ssab",
        "ssab_2022.csv",
        submission_csv(
            "ssab",
            2022,
            emissions=[(1, "Processer", "200 000", "EU ETS", True)],
            actions=[("A1", "Vätgasreduktion", "planerad", 2027, "1 000 000", "30 000")],
        ),
    )
    before = fingerprint(store)
    real_insert = partner_loads.insert_sheet

    def fail_on_actions(con, table, *args):
        if table == "partner_actions":
            raise OSError("disk full (simulated)")
        return real_insert(con, table, *args)

    monkeypatch.setattr(partner_loads, "insert_sheet", fail_on_actions)
    report = process(inbox, store)  # any error quarantines that file only (hardening): no traceback
    assert fingerprint(store) == before  # no submission row, no emissions row
    assert report.rejected == ["partners/ssab/ssab_2022.csv"]
    assert "disk full (simulated)" in report.reports["partners/ssab/ssab_2022.csv"]
    assert not (inbox / "partners" / "ssab" / "ssab_2022.csv").exists()
    assert (
        len(list((inbox / "quarantine" / "ssab").glob("*_ssab_2022.csv"))) == 1
    )  # kept, to be sent again


def test_text_that_looks_like_code_is_stored_as_text(tmp_path, store):
    inbox = tmp_path / "inbox"
    evil = "'; drop table raw.partner_emissions; --"
    drop_submission(
        inbox,
        "ikea",
        "ikea_2024.csv",
        submission_csv("ikea", 2024, emissions=[(1, evil, "3", "=cmd|' /C calc'!A0", True)]),
    )
    assert process(inbox, store).accepted == ["partners/ikea/ikea_2024.csv"]
    assert query(store, "select category, method from raw.partner_emissions") == [
        (evil, "=cmd|' /C calc'!A0")
    ]


# ---------------------------------------------------------------- end to end, through Dagster

SSAB_SCOPE1 = {
    2015: "300 000",
    2016: "290 000",
    2017: "280 000",
    2018: "285 000",
    2019: "260 000",
    2020: "240 000",
    2021: "255 000",
    2022: "245 000",
}


def test_partner_marts_end_to_end(demo_warehouse, isolated_env, monkeypatch):
    """SSAB's own scope 1 (synthetic) makes borlange_local computable, the territorial share and
    the portfolio against the carbon-law gap come out as hand-computed."""
    settings = Settings.from_env()
    settings.warehouse.path.parent.mkdir(parents=True)
    shutil.copy(demo_warehouse.warehouse.path, settings.warehouse.path)
    inbox = isolated_env / "inbox"
    monkeypatch.setenv("INBOX_DIR", str(inbox))
    monkeypatch.setenv("TRAJECTORY_AS_OF_YEAR", "2026")
    for year, tonnes in SSAB_SCOPE1.items():
        actions = (
            [
                (
                    "A1",
                    "Fossilfri ståltillverkning, steg 1",
                    "planerad",
                    2027,
                    "500 000 000",
                    "30 000",
                )
            ]
            if year == 2022
            else []
        )
        drop_submission(
            inbox,
            "ssab",
            f"ssab_{year}.csv",
            submission_csv(
                "ssab",
                year,
                emissions=[(1, "Processer och bränslen", tonnes, "EU ETS-rapport", True)],
                actions=actions,
            ),
        )
    drop_submission(
        inbox,
        "tunabyggen",
        "tunabyggen_2025.csv",
        submission_csv(
            "tunabyggen",
            2025,
            emissions=[(2, "Fjärrvärme", "1 200", "platsbaserad", True)],
            actions=[("T1", "Energieffektivisering", "pågående", 2026, "12 000 000", "500")],
            removals=[("biokol", "40", "leverantörsintyg", "100–1000 år")],
        ),
    )

    from pipelines.definitions import build_definitions

    result = (
        build_definitions()
        .resolve_job_def("partner_submissions")
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )
    assert result.success
    con = duckdb.connect(str(settings.warehouse.path), read_only=True)

    # SSAB 2022: 245,000 t of SMHI's 240,069 t in Industri (2026 release) -> share 1.0205
    share = con.execute(
        "select partner_scope1_t, smhi_sector_t, share_of_smhi_sector from "
        "marts.partner_territorial_share where partner_id = 'ssab' and year = 2022"
    ).fetchall()[0]
    assert share[0] == 245_000 and share[1] == pytest.approx(240_069, abs=1)
    assert share[2] == pytest.approx(245_000 / 240_069.3, rel=1e-4)

    local = (
        con.sql("select * from marts.trajectory where method = 'borlange_local'").pl().to_dicts()[0]
    )
    assert local["scope_status"] == "complete" and local["excluded_t"] == 245_000
    assert local["trend_sum_t"] is not None and local["meets_paris"] is not None

    # Portfolio against the carbon-law gap: required cut = trend - allowed. In 2030 that is
    # 364,821 - 245,459 = 119,362 t (methods.md §4.5). The cut the plan covers is the scenario
    # engine's (plan.gap_coverage, the demo's SYNTHETIC portfolio), never a sum of the partners'
    # expected reductions (T1 500 t/yr, A1 30,000 t/yr would have made 30,500 t).
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select year, required_cut_t, planned_reduction_t, planned_share_of_required_cut, "
            "actions_counted, is_synthetic from marts.portfolio_vs_gap order by year"
        ).fetchall()
    }
    coverage = dict(
        con.execute("select year, covered_t from plan.gap_coverage where year <= 2030").fetchall()
    )
    assert sorted(rows) == [2026, 2027, 2028, 2029, 2030]
    assert rows[2030][0] == pytest.approx(119_362, abs=1)
    assert rows[2030][1] == pytest.approx(coverage[2030]) and rows[2030][1] != 30_500
    assert rows[2030][1] == pytest.approx(85_377, abs=1) and rows[2030][3] == 8 and rows[2030][4]
    assert rows[2030][2] == pytest.approx(rows[2030][1] / 119_362, rel=1e-4)
    assert rows[2026][0] == pytest.approx(0, abs=1e-6)  # the path starts at the trend

    status = dict(
        con.execute(
            "select partner_id, count(*) filter (where has_submitted) "
            "from marts.partner_reporting_status group by 1"
        ).fetchall()
    )
    assert status["ssab"] == 8 and status["tunabyggen"] == 1 and status["ikea"] == 0
    removal = con.execute(
        "select tonnes_co2_removed, permanence, quality_class from marts.fct_partner_removals"
    ).fetchall()
    assert removal == [(40.0, "100–1000 år", "reported")]
    portfolio = con.execute(
        "select investment_sek_per_annual_tonne from marts.fct_action_portfolio "
        "where action_id = 'T1'"
    ).fetchall()[0][0]
    assert portfolio == pytest.approx(12_000_000 / 500)
    con.close()


def test_a_filled_template_loads_unchanged(tmp_path, store):
    """The generated XLSX template, filled with valid values (including formula- and SQL-looking
    text), validates and lands in the raw tables exactly as written."""
    from tests.partners.test_submissions import VALID, filled_workbook

    inbox = tmp_path / "inbox"
    target = inbox / "partners" / "ssab" / "ssab_2025.xlsx"
    target.parent.mkdir(parents=True)
    filled_workbook(VALID).save(target)
    assert process(inbox, store).accepted == ["partners/ssab/ssab_2025.xlsx"]
    columns = ["scope", "category", "tonnes_co2e", "method", "inside_territory", "comment"]
    loaded = query(
        store, f"select {', '.join(columns)} from raw.partner_emissions order by source_row"
    )
    written = [tuple(row.get(c) for c in columns) for row in VALID["emissions"]]
    assert [tuple(r) for r in loaded] == [tuple(None if v == "" else v for v in w) for w in written]
    actions = query(
        store,
        "select action_id, title, status, start_year, investment_sek, expected_annual_reduction_t "
        "from raw.partner_actions order by source_row",
    )
    assert actions == [
        (
            a["action_id"],
            a["title"],
            a["status"],
            a["start_year"],
            a["investment_sek"],
            a["expected_annual_reduction_t"],
        )
        for a in VALID["actions"]
    ]


def test_the_quarantine_report_names_the_original_by_sha256(tmp_path, store):
    inbox = tmp_path / "inbox"
    drop_submission(inbox, "ssab", "ssab_2030.csv", SSAB_2022.replace(";2022;", ";2030;"))
    report = process(inbox, store)
    text = report.reports["partners/ssab/ssab_2030.csv"]
    sha = text.splitlines()[0].removeprefix("sha256: ")
    assert len(list(store.landing_dir.rglob(f"{sha}.csv"))) == 1
    assert "year_in_future" in text


def test_the_sensor_requests_one_run_per_drop(tmp_path):
    from pipelines.defs.partners.assets import partner_inbox_sensor
    from pipelines.resources import InboxResource

    inboxes = InboxResource(dir=str(tmp_path / "inbox"), settle_s=0.0)
    context = dg.build_sensor_context(resources={"inboxes": inboxes})
    assert isinstance(partner_inbox_sensor(context), dg.SkipReason)
    drop_submission(tmp_path / "inbox", "ssab", "ssab_2022.csv", SSAB_2022)
    first, again = partner_inbox_sensor(context), partner_inbox_sensor(context)
    assert isinstance(first, dg.RunRequest) and first.run_key == again.run_key
    drop_submission(tmp_path / "inbox", "ikea", "ikea_2024.csv", SSAB_2022.replace("ssab", "ikea"))
    assert partner_inbox_sensor(context).run_key != first.run_key
