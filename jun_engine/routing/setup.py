"""Building a town's Router once, at the edge: its rules, and its model or the seed set's."""

from __future__ import annotations

from pathlib import Path

from jun_engine.config.schema import Config
from jun_engine.routing.errors import ModelFileError
from jun_engine.routing.model import RouterModel
from jun_engine.routing.model_file import load_model
from jun_engine.routing.router import Router
from jun_engine.routing.rules import RuleSet
from jun_engine.routing.seed import seed_examples
from jun_engine.routing.training import TrainingOptions, train


def build_router(config: Config, config_dir: Path, model_path: Path | None = None) -> Router:
    """The town's router: `model_path`, else `routing.model` (relative to accounts.yaml), else a
    model trained on the seed set for the town's departments."""
    path = model_path or (config_dir / config.routing.model if config.routing.model else None)
    model = load_model(path) if path is not None else seed_model(config)
    if model is not None:
        check_fits(model, config, path or Path("<seed set>"))
    return Router(RuleSet.from_config(config), model, config.routing.confidence_threshold)


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
