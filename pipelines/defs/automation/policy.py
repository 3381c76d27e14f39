"""The automation policy over the whole code location, applied last by the definitions loader
(pipelines/definitions.py). For now the jobs and schedules of each domain are the whole policy."""


def apply_automation(defs):
    return defs
