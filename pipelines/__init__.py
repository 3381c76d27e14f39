"""Dagster definitions for the Klimatneutrala Borlänge emissions warehouse."""
