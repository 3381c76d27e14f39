"""Command line for partner submissions: `python -m pipelines.submissions template|validate ...`.

Thin: everything is in `sources.partner_submissions` (plain Python, no Dagster).
"""
