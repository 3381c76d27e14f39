"""Borlänge Energi's monthly utility feed (district heating, CHP, electricity, public charging).

Plain Python, no Dagster: contract.py (the columns and the long format), parse.py (CSV/XLSX to
long), validate.py (problems and the heat balance), climate_value.py (g CO2e per kWh delivered).
"""
