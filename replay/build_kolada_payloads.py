"""Build the Kolada replay payload, deterministically.

    python -m replay.build_kolada_payloads

Output: `replay/payloads/kolada/kolada_values.json`: `{provenance, kpis, values}` with `values` in
Kolada v3's shape (data_sources.md §2). Two kinds of value, each labelled in a `note` field that
only the replay adds (the live API has none; sources/kolada.py keeps it):

* DERIVED: the greenhouse-gas KPIs, which RKA computes from the Nationella emissionsdatabasen. Here
  they are computed from the SMHI workbook already bundled
  (replay/payloads/smhi/GGT_2026-06-25.xlsx) and rounded to whole tonnes (t/inv to 0.01), for
  Borlänge, Falun, Dalarna (0020) and Sweden (0000); N00401 divides by SCB's population
  (replay/payloads/scb/TAB638.json, 2023-2024 only).
* SYNTHETIC: the MEL indicators (district heating, electricity, cars, charge points). No real value
  is available offline; the figures are invented, of a plausible size, and say so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from replay.kolada import PAYLOAD_DIR, PAYLOAD_FILE
from sources.smhi import load_reference, parse_smhi_excel

REPO = Path(__file__).resolve().parents[1]
SMHI_FILE = REPO / "replay" / "payloads" / "smhi" / "GGT_2026-06-25.xlsx"
POPULATION_FILE = REPO / "replay" / "payloads" / "scb" / "TAB638.json"
SEEDS = REPO / "dbt_project" / "seeds"

# Kolada id -> (SMHI level, SCB code): kommuner as SCB codes, regions '00' + län, Sweden '0000'.
AREAS = {
    "2081": ("kommun", "2081"),
    "2080": ("kommun", "2080"),
    "0020": ("lan", "20"),
    "0000": ("riket", None),
}
GHG_YEARS = (2015, 2020, 2021, 2022, 2023, 2024)
MEL_YEARS = (2020, 2021, 2022, 2023, 2024)

# KPI -> (title as Region Dalarna's scripts and rKolada's tests list it, SMHI main sector or 'Alla')
GHG_KPIS = {
    "N07702": ("Utsläpp till luft av växthusgaser totalt, ton CO2-ekv", "Alla"),
    "N85532": (
        "Utsläpp till luft av växthusgaser, egen uppvärmning, ton CO2e",
        "Egen uppvärmning av bostäder och lokaler",
    ),
    "N85533": ("Utsläpp till luft av växthusgaser, transporter, ton CO2e", "Transporter"),
    "N85534": (
        "Utsläpp till luft av växthusgaser, utrikes transporter, ton CO2e",
        "Utrikes transporter",
    ),
    "N85535": ("Utsläpp till luft av växthusgaser, arbetsmaskiner, ton CO2e", "Arbetsmaskiner"),
    "N85536": (
        "Utsläpp till luft av växthusgaser, el och fjärrvärme, ton CO2e",
        "El och fjärrvärme",
    ),
    "N85537": (
        "Utsläpp till luft av växthusgaser, industri, ton CO2e",
        "Industri (energi + processer)",
    ),
    "N85538": ("Utsläpp till luft av växthusgaser, jordbruk, ton CO2e", "Jordbruk"),
}
PER_CAPITA_KPI = ("N00401", "Utsläpp till luft av växthusgaser totalt, ton CO2-ekv/inv.")

# KPI -> (title, {kolada id: (first value, yearly step)}); SYNTHETIC, of a plausible size.
MEL_KPIS = {
    "N45930": (
        "Fjärrvärmeproduktion av förnybara energikällor inom det geografiska området, andel (%)",
        {"2081": (91.0, 1.2), "2080": (93.0, 0.8), "0020": (88.0, 1.0), "0000": (85.0, 0.9)},
    ),
    "N45906": (
        "Slutanvändning av el, MWh/inv",
        {"2081": (24.0, -0.4), "2080": (9.5, -0.1), "0020": (14.0, -0.2), "0000": (12.6, -0.15)},
    ),
    "N07945": (
        "Elbilar, andel (%)",
        {"2081": (1.4, 1.3), "2080": (1.6, 1.4), "0020": (1.3, 1.2), "0000": (2.0, 1.6)},
    ),
    "U00501": (
        "Fossiloberoende personbilar, andel (%)",
        {"2081": (6.0, 2.1), "2080": (6.5, 2.2), "0020": (5.8, 2.0), "0000": (8.0, 2.5)},
    ),
    "N07713": (
        "Elbilsladdpunkter, totalt antal",
        {"2081": (48, 37), "2080": (70, 52), "0020": (520, 390), "0000": (25000, 14000)},
    ),
}
DERIVED_NOTE = (
    "DERIVED: computed by replay/build_kolada_payloads.py from the bundled SMHI workbook "
    f"{SMHI_FILE.name} (RKA computes these KPIs from the same national emission database)"
)
SYNTHETIC_NOTE = "SYNTHETIC: invented value for the offline replay, not RKA's figure"


def value_object(kpi: str, muni: str, year: int, value: float | None, note: str) -> dict:
    return {
        "kpi": kpi,
        "municipality": muni,
        "period": year,
        "note": note,
        "values": [{"gender": "T", "count": 1, "status": "", "value": value}],
    }


def population() -> dict[tuple[str, int], int]:
    """Total population per SCB region code and year, from the bundled TAB638 cube."""
    table = json.loads(POPULATION_FILE.read_text(encoding="utf-8"))
    dims = table["metadata"]["dimension"]
    regions = sorted(
        dims["Region"]["category"]["index"], key=dims["Region"]["category"]["index"].get
    )
    contents = sorted(
        dims["ContentsCode"]["category"]["index"], key=dims["ContentsCode"]["category"]["index"].get
    )
    years = sorted(dims["Tid"]["category"]["index"], key=dims["Tid"]["category"]["index"].get)
    values = table["cube"]["value"]
    out = {}
    for r, region in enumerate(regions):
        for t, year in enumerate(years):
            v = values[(r * len(contents) + contents.index("BE0101N1")) * len(years) + t]
            if v is not None:
                out[(region, int(year))] = int(v)
    return out


def smhi_totals() -> dict[tuple[str, int, str], float]:
    """(kolada id, year, SMHI main sector or 'Alla') -> tonnes, from the bundled GGT workbook."""
    parsed = parse_smhi_excel(
        SMHI_FILE.read_bytes(), file_name=SMHI_FILE.name, sub="GGT", reference=load_reference(SEEDS)
    )
    frame = parsed.frame
    out = {}
    for kolada_id, (level, code) in AREAS.items():
        rows = frame.filter(frame["level"] == level)
        if level == "kommun":
            rows = rows.filter(rows["kommun_kod"] == code)
        elif level == "lan":
            rows = rows.filter(rows["lan_kod"] == code)
        for row in rows.filter(rows["undersektor_raw"] == "Alla").iter_rows(named=True):
            if row["year"] in GHG_YEARS:
                out[(kolada_id, row["year"], row["huvudsektor_raw"])] = row["tonnes"]
    return out


def build() -> dict:
    totals = smhi_totals()
    people = population()
    values = []
    for kpi, (_, sector) in GHG_KPIS.items():
        for muni in AREAS:
            for year in GHG_YEARS:
                tonnes = totals[(muni, year, sector)]
                values.append(value_object(kpi, muni, year, float(round(tonnes)), DERIVED_NOTE))
    kpi, _ = PER_CAPITA_KPI
    for muni, (level, code) in AREAS.items():
        scb_code = {"kommun": code, "lan": code, "riket": "00"}[level]
        for year in GHG_YEARS:
            if (scb_code, year) in people:
                per_capita = totals[(muni, year, "Alla")] / people[(scb_code, year)]
                values.append(
                    value_object(
                        kpi,
                        muni,
                        year,
                        round(per_capita, 2),
                        DERIVED_NOTE + " and SCB's population (TAB638)",
                    )
                )
    for kpi, (_, series) in MEL_KPIS.items():
        for muni, (first, step) in series.items():
            for i, year in enumerate(MEL_YEARS):
                value = first + step * i
                values.append(
                    value_object(
                        kpi,
                        muni,
                        year,
                        round(value, 1) if isinstance(value, float) else value,
                        SYNTHETIC_NOTE,
                    )
                )
    kpis = {k: {"title": t, "label": "derived", "smhi_sector": s} for k, (t, s) in GHG_KPIS.items()}
    kpis[PER_CAPITA_KPI[0]] = {
        "title": PER_CAPITA_KPI[1],
        "label": "derived",
        "smhi_sector": "Alla",
    }
    kpis.update({k: {"title": t, "label": "synthetic"} for k, (t, _) in MEL_KPIS.items()})
    return {
        "provenance": {
            "generated_by": "python -m replay.build_kolada_payloads",
            "derived": DERIVED_NOTE,
            "synthetic": SYNTHETIC_NOTE,
            "kpi_titles": "data_sources.md §2.4 (Region-Dalarna/uppfoljning_dalastrategin, "
            "rKolada tests); transport KPI ids as listed in a public Kolada client script "
            "(N07945, U00501, N07713)",
        },
        "kpis": kpis,
        "values": values,
    }


def main(argv: list[str] | None = None) -> int:
    # No options; --help says what the script does, and an unknown argument is refused.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    PAYLOAD_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    PAYLOAD_FILE.write_text(text, encoding="utf-8")
    print(f"{len(text.encode()):>10,d}  {PAYLOAD_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
