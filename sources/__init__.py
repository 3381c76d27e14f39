"""Plain-Python clients and parsers for the warehouse's external sources.

Nothing here imports Dagster: the pipelines wrap these in resources and assets.
"""
