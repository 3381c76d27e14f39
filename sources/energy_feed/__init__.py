"""Borlänge Energi's monthly utility feed (district heating, CHP, electricity, public charging).

Plain Python, no Dagster: contract.py (the columns and the long format), parse.py (CSV/XLSX to
long), validate.py (problems and the heat balance). The climate value (g CO2e per kWh delivered)
is computed in dbt: models/marts/energy/fct_district_heating_climate_value.sql.
"""
