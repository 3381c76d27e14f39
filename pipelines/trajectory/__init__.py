"""Trajectory computation core: named method presets, an exact vectorised LAD trend and
per-method trajectories for every kommun (methods.md §3). No Dagster imports here, so the
CLI (`python -m pipelines.trajectory`), the benchmark and the assets share one code path."""

from pipelines.trajectory.compute import (
    SUMMARY_COLUMNS,
    YEARLY_COLUMNS,
    TrajectoryInputError,
    TrajectoryResult,
    compute_trajectories,
)
from pipelines.trajectory.lad import LineFit, lad_fit, ols_fit
from pipelines.trajectory.presets import MethodPreset, PresetError, load_presets

__all__ = [
    "SUMMARY_COLUMNS", "YEARLY_COLUMNS", "LineFit", "MethodPreset", "PresetError", "TrajectoryInputError",
    "TrajectoryResult", "compute_trajectories", "lad_fit", "load_presets", "ols_fit",
]
