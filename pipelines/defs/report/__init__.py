"""The yearly Klimatkontrakt 2030 follow-up report, rendered from the marts (see render.py)."""
