"""Build the bundled SCB PxWebApi 2.0 payloads of the municipal energy statistics (KRE) that
`replay.scb.ScbHandler` serves: TAB3654, TAB3451 and TAB3452 for Borlänge (2081), 2020-2024.

    python -m replay.build_scb_energy_payloads

THE VALUES ARE SYNTHETIC. No public repository searched (find_string / code search for the table
ids, ContentsCodes EN0203AE/AD/AC, SlutAnvSektor, "2081 Borlänge") holds KRE cells for Borlänge,
and the live API is out of reach offline, so the cells are invented to be plausible (a steel
town: large industrial electricity and gas use, a district-heating system of about 400 GWh, a
CHP turbine of about 43 GWh of electricity a year). Each payload says so in its `note`, in the
served dataset `note` and in `extension.synthetic`. What is real: the table ids, the variable
names and codes and the ContentsCodes (data_sources.md §1.6, from public code using the live API),
the MWh unit and the ".." symbol for confidential cells, which KRE still counts in its totals.
TAB3452's production-type labels are not verified (§1.6) and say so.

The output is deterministic: the same script gives the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from replay.build_scb_payloads import OUT_DIR, dimension, encode

KOMMUN = ("2081", "Borlänge")
YEARS = ["2020", "2021", "2022", "2023", "2024"]
# Invented year-on-year level, so that the years differ (2024 = the base matrices below).
YEAR_SCALE = {"2020": 1.04, "2021": 1.06, "2022": 1.00, "2023": 0.98, "2024": 0.97}
UPDATED = "2025-11-20T07:00:00Z"  # invented release time of the 2024 figures
CONFIDENTIAL = ".."
SYNTHETIC_NOTE = (
    "SYNTHETIC: invented values for the offline replay, NOT SCB's figures "
    "(replay/build_scb_energy_payloads.py). Table ids, variables and codes are SCB's."
)

FUELS = {
    "905": "flytande (ej förnybart)",
    "910": "fast (ej förnybart)",
    "915": "gas (ej förnybart)",
    "920": "flytande (förnybart)",
    "925": "fast (förnybart)",
    "930": "gas (förnybart)",
}

# ------------------------------------------------------------- TAB3654, final use (MWh), 2024 level
CONSUMERS = {
    "911": "jordbruk, skogsbruk, fiske",
    "921": "industri, byggverksamhet",
    "931": "offentlig verksamhet",
    "941": "transporter",
    "951": "övriga tjänster",
    "98": "småhus",
    "97": "flerbostadshus",
    "964": "fritidshus",
}
USE_FUELS = {**FUELS, "14": "fjärrvärme", "16": "el"}
FINAL_USE = {  # consumer -> fuel -> MWh (fuels not listed are 0)
    "911": {"905": 9000, "920": 1500, "925": 500, "16": 6000},
    "921": {
        "905": 60000,
        "910": 20000,
        "915": 350000,
        "920": 5000,
        "925": 15000,
        "14": 40000,
        "16": 700000,
    },
    "931": {"905": 500, "920": 200, "14": 70000, "16": 30000},
    "941": {"905": 280000, "920": 90000, "930": 3000, "16": 15000},
    "951": {"905": 2000, "915": 500, "920": 300, "14": 90000, "16": 110000},
    "98": {"905": 4000, "920": 500, "925": 60000, "14": 45000, "16": 150000},
    "97": {"905": 300, "14": 160000, "16": 60000},
    "964": {"905": 100, "925": 2000, "16": 4000},
}
FINAL_USE_CONFIDENTIAL = {("921", "910"), ("951", "915")}  # one firm each: ".." but in the totals

# ------------------------------------------------------------ TAB3451, electricity production (MWh)
ELECTRICITY_TYPES = {
    "4.1": "vattenkraft",
    "4.2": "vindkraft",
    "4.3+4.4": "kärnkraft m.fl.",
    "4.5+4.6": "kraftvärme",
    "4.7": "solkraft",
}
ELECTRICITY_FUELS = {"17": "producerad el", "950": "summa bränslen", **FUELS}
ELECTRICITY = {
    "4.1": {"17": 250000},
    "4.5+4.6": {"17": 43200, "910": 36000, "925": 60000},
    "4.7": {"17": 3000},
}
ELECTRICITY_CONFIDENTIAL = {("4.7", "17")}

# ------------------------------------------------------- TAB3452, district heating production (MWh)
HEAT_TYPES = {
    "01": "01 [label unverified, data_sources.md §1.6: elpannor?]",
    "4.6.1+4.7.1": "4.6.1+4.7.1 [label unverified]",
    "4.6.2+4.7.2": "4.6.2+4.7.2 [label unverified, data_sources.md §1.6: spillvärme?]",
}
HEAT_FUELS = {"20": "producerad fjärrvärme", "950": "summa bränslen", **FUELS}
HEAT = {
    "01": {"20": 900, "950": 900},
    "4.6.1+4.7.1": {"20": 320000, "905": 3600, "910": 110000, "925": 310000},
    "4.6.2+4.7.2": {"20": 60000},
}


def scaled(value: float, year: str) -> int:
    return round(value * YEAR_SCALE[year])


def cube(
    parts: dict[str, dict[str, int]],
    categories: list[str],
    fuels: list[str],
    *,
    total_category: str,
    total_fuel: str | None,
    confidential: set[tuple[str, str]],
) -> tuple[list, dict[str, str]]:
    """Values row-major over (category, fuel, year), with the total category (and total fuel) as the
    sums of the TRUE parts, confidential ones included, as KRE publishes them."""

    def true(category: str, fuel: str, year: str) -> int:
        if category == total_category:
            return sum(true(c, fuel, year) for c in categories if c != total_category)
        if fuel == total_fuel:
            return sum(true(category, f, year) for f in fuels if f not in (total_fuel, "17", "20"))
        return scaled(parts.get(category, {}).get(fuel, 0), year)

    values, status = [], {}
    for category in categories:
        for fuel in fuels:
            for year in YEARS:
                if (category, fuel) in confidential:
                    status[str(len(values))] = CONFIDENTIAL
                    values.append(None)
                else:
                    values.append(true(category, fuel, year))
    return values, status


def metadata(
    *,
    table_id: str,
    label: str,
    category_variable: str,
    category_label: str,
    categories: dict,
    fuels: dict,
    contents: tuple[str, str],
) -> dict:
    dims = {
        "Region": dimension(
            "region", [KOMMUN[0]], [KOMMUN[1]], elimination=False, show="code_value"
        ),
        category_variable: dimension(
            category_label, list(categories), list(categories.values()), elimination=False
        ),
        "Bransle": dimension("bränsletyp", list(fuels), list(fuels.values()), elimination=False),
        "ContentsCode": dimension(
            "tabellinnehåll", [contents[0]], [contents[1]], elimination=False
        ),
        "Tid": dimension("år", YEARS, YEARS, elimination=False, show="code"),
    }
    dims["ContentsCode"]["category"]["unit"] = {contents[0]: {"base": "MWh", "decimals": 0}}
    ids = list(dims)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "updated": UPDATED,
        "note": [
            SYNTHETIC_NOTE,
            "Konfidentiella uppgifter är markerade med '..' men ingår i summorna.",
        ],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ids,
        "size": [len(dims[d]["category"]["index"]) for d in ids],
        "dimension": dims,
        "extension": {
            "px": {
                "infofile": "EN0203",
                "tableid": table_id,
                "decimals": 0,
                "official-statistics": True,
                "aggregallowed": False,
                "language": "sv",
                "contents": contents[1],
                "matrix": table_id,
                "subject-code": "EN",
                "subject-area": "Energi",
            },
            "discontinued": None,
            "synthetic": True,
            "note": SYNTHETIC_NOTE,
        },
        "value": [],
    }


def payload(table_id: str, meta: dict, values: list, status: dict) -> dict:
    return {
        "table_id": table_id,
        "note": [
            SYNTHETIC_NOTE,
            "Region holds Borlänge (2081) only; years 2020-2024.",
            "Totals (999 Totalt, 955/950 summa, Totalt) are the sums of the parts, confidential "
            "ones included.",
        ],
        "sources": [],
        "metadata": meta,
        "cube": {
            "id": ["Region", *[d for d in meta["id"] if d != "Region"]],
            "value": values,
            "status": status,
        },
    }


def build_tab3654() -> dict:
    categories = {**CONSUMERS, "999": "totalt"}
    fuels = {**USE_FUELS, "955": "totalt"}
    values, status = cube(
        FINAL_USE,
        list(categories),
        list(fuels),
        total_category="999",
        total_fuel="955",
        confidential=FINAL_USE_CONFIDENTIAL,
    )
    meta = metadata(
        table_id="TAB3654",
        category_variable="Forbrukningskategri",
        category_label="förbrukarkategori",
        label="Slutanvändning (MWh), efter län och kommun, förbrukarkategori samt bränsletyp. År "
        "2020-2024",
        categories=categories,
        fuels=fuels,
        contents=("EN0203AE", "Slutanvändning (MWh)"),
    )
    return payload("TAB3654", meta, values, status)


def build_tab3451() -> dict:
    categories = {**ELECTRICITY_TYPES, "Totalt": "totalt"}
    values, status = cube(
        ELECTRICITY,
        list(categories),
        list(ELECTRICITY_FUELS),
        total_category="Totalt",
        total_fuel="950",
        confidential=ELECTRICITY_CONFIDENTIAL,
    )
    meta = metadata(
        table_id="TAB3451",
        category_variable="Produktionssatt",
        category_label="produktionssätt",
        label="Elproduktion och bränsleanvändning (MWh) efter län och kommun, produktionssätt samt "
        "bränsletyp. År 2020-2024",
        categories=categories,
        fuels=ELECTRICITY_FUELS,
        contents=("EN0203AD", "Elproduktion och bränsleanvändning (MWh)"),
    )
    return payload("TAB3451", meta, values, status)


def build_tab3452() -> dict:
    categories = {"Totalt": "totalt", **HEAT_TYPES}
    values, status = cube(
        HEAT,
        list(categories),
        list(HEAT_FUELS),
        total_category="Totalt",
        total_fuel="950",
        confidential=set(),
    )
    meta = metadata(
        table_id="TAB3452",
        category_variable="Produktionssatt",
        category_label="produktionssätt",
        label="Fjärrvärmeproduktion och bränsleanvändning (MWh) efter län och kommun, "
        "produktionssätt samt bränsletyp. År 2020-2024 [title paraphrased]",
        categories=categories,
        fuels=HEAT_FUELS,
        contents=("EN0203AC", "Fjärrvärmeproduktion och bränsleanvändning (MWh)"),
    )
    return payload("TAB3452", meta, values, status)


def write_payloads(out_dir: Path = OUT_DIR) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for built in (build_tab3654(), build_tab3451(), build_tab3452()):
        name, data = encode(built)
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    for name, size in write_payloads().items():
        print(f"{OUT_DIR / name}: {size:,} bytes")


if __name__ == "__main__":
    main()
