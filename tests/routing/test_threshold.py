"""The threshold in force: accounts.yaml's, else the trained model's, else the day-one one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import Config
from jun_engine.routing.dataset import Example
from jun_engine.routing.evaluate import evaluate, router_outcomes
from jun_engine.routing.model_file import save_model
from jun_engine.routing.router import Router, ThresholdSource
from jun_engine.routing.seed import seed_examples
from jun_engine.routing.setup import DAY_ONE_THRESHOLD, build_router
from jun_engine.routing.training import TrainingOptions, train

ROOT = Path(__file__).resolve().parents[2]


def _with(config: Config, **routing: object) -> Config:
    return config.model_copy(update={"routing": config.routing.model_copy(update=routing)})


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "router.zip"
    save_model(train(seed_examples(), TrainingOptions(calibration_folds=3)), path)
    return path


def test_the_shipped_town_uses_the_day_one_default(jun_router: Router) -> None:
    assert jun_router.threshold == DAY_ONE_THRESHOLD
    assert jun_router.threshold_source is ThresholdSource.DAY_ONE
    # The seed model still says what it would suggest, for `classifier eval` to show.
    assert jun_router.suggested_threshold is not None
    assert "day-one" in jun_router.threshold_reason


def test_a_trained_model_file_brings_its_suggested_threshold(
    jun_config: Config, model_file: Path
) -> None:
    router = build_router(jun_config, ROOT, model_file)
    assert router.threshold_source is ThresholdSource.MODEL
    assert router.model is not None
    assert router.threshold == router.model.info.suggested_threshold != DAY_ONE_THRESHOLD


def test_an_explicit_threshold_wins_over_the_model(jun_config: Config, model_file: Path) -> None:
    router = build_router(_with(jun_config, confidence_threshold=0.9), ROOT, model_file)
    assert (router.threshold, router.threshold_source) == (0.9, ThresholdSource.EXPLICIT)
    day_one = build_router(_with(jun_config, confidence_threshold=0.3), ROOT)
    assert (day_one.threshold, day_one.threshold_source) == (0.3, ThresholdSource.EXPLICIT)


def test_a_model_that_suggests_nothing_falls_back_to_the_day_one_default(
    jun_config: Config, tmp_path: Path
) -> None:
    model = train(seed_examples(), TrainingOptions(calibration_folds=3))
    path = tmp_path / "none.zip"
    save_model(replace(model, info=replace(model.info, suggested_threshold=None)), path)
    router = build_router(jun_config, ROOT, path)
    assert (router.threshold, router.threshold_source) == (
        DAY_ONE_THRESHOLD,
        ThresholdSource.DAY_ONE,
    )


def test_router_outcomes_apply_any_threshold_as_the_router_would(jun_router: Router) -> None:
    examples = [Example(e.text, e.department, e.department) for e in seed_examples()][::3]
    outcomes = router_outcomes(jun_router, examples)
    for threshold in (0.3, jun_router.threshold, 0.9):
        router = replace(jun_router, threshold=threshold)
        expected = [router.classify_text(e.text).department for e in examples]
        assert outcomes.predicted_at(threshold) == expected
        assert evaluate(outcomes, threshold).threshold == threshold


def test_eval_reports_the_threshold_in_force_and_the_suggested_one(
    tmp_path: Path, model_file: Path
) -> None:
    data = tmp_path / "seed.csv"
    data.write_text(
        "text,label\n" + "".join(f'"{e.text}",{e.label}\n' for e in seed_examples()), "utf-8"
    )
    config = str(ROOT / "accounts.yaml")
    as_json = CliRunner().invoke(
        app, ["-c", config, "classifier", "eval", str(data), "--model", str(model_file), "--json"]
    )
    assert as_json.exit_code == ExitCode.OK, as_json.output
    figures = json.loads(as_json.stdout)
    assert figures["threshold_source"] == "model"
    assert figures["threshold"] == figures["model_suggested_threshold"]
    assert figures["model_suggested_coverage"] == figures["auto_coverage"]
    shown = CliRunner().invoke(app, ["-c", config, "classifier", "eval", str(data)])
    assert shown.exit_code == ExitCode.OK, shown.output
    assert "at threshold 0.60 (in force: the day-one default" in shown.stdout
    assert "at the model's suggested threshold" in shown.stdout
    # Not a terminal: the progress is a few plain lines on stderr.
    assert "evaluating: 0/" in shown.stderr


def test_train_shows_its_progress_off_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "seed.csv"
    data.write_text(
        "text,label\n" + "".join(f'"{e.text}",{e.label}\n' for e in seed_examples()), "utf-8"
    )
    result = CliRunner().invoke(
        app, ["classifier", "train", str(data), "--out", str(tmp_path / "m.zip")]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stderr.splitlines() == [f"training: {n}/4" for n in range(5)]
    assert "suggested threshold" in result.stdout
