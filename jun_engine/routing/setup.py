"""Building a town's Router once, at the edge: its rules, its model or the seed set's, and the
threshold in force (accounts.yaml's, else the trained model's suggestion, else the day-one one)."""

from __future__ import annotations

from pathlib import Path

from jun_engine.config.schema import Config
from jun_engine.routing.errors import ModelFileError
from jun_engine.routing.model import RouterModel
from jun_engine.routing.model_file import load_model
from jun_engine.routing.router import Router, ThresholdSource
from jun_engine.routing.rules import RuleSet
from jun_engine.routing.seed import seed_examples
from jun_engine.routing.training import TrainingOptions, train

DAY_ONE_THRESHOLD = 0.6
"""The threshold of a router with no trained model file (rules plus the seed set's model).

The seed model's own suggestion comes from 3-fold calibration on ~200 seed sentences, so it
moves with every sentence added to the seed set (0.74 today) and is not a measurement of the
town's traffic. On Madrid's requests mapped to Jun's departments (bench/bench_routing.py, day
one), 0.60 routes a few more requests automatically at about the same precision, and keeps the
shipped town's answers as they were (docs/routing.md, "Thresholds")."""


def build_router(config: Config, config_dir: Path, model_path: Path | None = None) -> Router:
    """The town's router: `model_path`, else `routing.model` (relative to accounts.yaml), else a
    model trained on the seed set for the town's departments."""
    path = model_path or (config_dir / config.routing.model if config.routing.model else None)
    model = load_model(path) if path is not None else seed_model(config)
    if model is not None:
        check_fits(model, config, path or Path("<seed set>"))
    threshold, source = threshold_in_force(
        config.routing.confidence_threshold, model if path is not None else None
    )
    return Router(RuleSet.from_config(config), model, threshold, source)


def threshold_in_force(
    configured: float | None, trained: RouterModel | None
) -> tuple[float, ThresholdSource]:
    """accounts.yaml's threshold if it sets one; else the trained model file's suggestion; else
    the day-one default (no model file, or a model that found no threshold 95% precise)."""
    if configured is not None:
        return configured, ThresholdSource.EXPLICIT
    suggested = trained.info.suggested_threshold if trained is not None else None
    if suggested is not None:
        return suggested, ThresholdSource.MODEL
    return DAY_ONE_THRESHOLD, ThresholdSource.DAY_ONE


def seed_model(config: Config) -> RouterModel | None:
    """A model trained on the seed set's examples of this town's departments (None if fewer
    than two of them have examples)."""
    examples = seed_examples(config.departments)
    if len({e.department for e in examples}) < 2:
        return None
    return train(examples, TrainingOptions(calibration_folds=3))


def check_fits(model: RouterModel, config: Config, path: Path) -> None:
    """Refuse a model that routes to departments the configuration does not have."""
    unknown = sorted(set(model.departments) - set(config.departments))
    if unknown:
        raise ModelFileError(
            path, f"routes to department(s) {', '.join(unknown)} that accounts.yaml does not define"
        )
