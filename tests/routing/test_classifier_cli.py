"""`jun-engine classifier`: train, eval, explain, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.routing.seed import seed_examples

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "accounts.yaml")


def _csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


@pytest.fixture
def seed_csv(tmp_path: Path) -> Path:
    return _csv(tmp_path / "seed.csv", [(e.text, e.label) for e in seed_examples()])


def test_train_then_eval_as_json(tmp_path: Path, seed_csv: Path) -> None:
    model = tmp_path / "router.zip"
    trained = CliRunner().invoke(app, ["classifier", "train", str(seed_csv), "--out", str(model)])
    assert trained.exit_code == ExitCode.OK, trained.output
    assert model.exists()
    result = CliRunner().invoke(
        app, ["-c", CONFIG, "classifier", "eval", str(seed_csv), "--model", str(model), "--json"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    figures = json.loads(result.stdout)  # progress lines go to stderr
    assert {"n", "accuracy", "macro_f1", "auto_precision", "auto_coverage"} <= figures.keys()
    assert figures["n"] == len(seed_examples())
    assert figures["accuracy"] > 0.9  # on its own training data


def test_eval_of_the_configured_router_prints_tables(seed_csv: Path) -> None:
    result = CliRunner().invoke(app, ["-c", CONFIG, "classifier", "eval", str(seed_csv)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "Per department" in result.output
    assert "Confusion matrix" in result.output


def test_explain_shows_the_routing_and_its_reasons() -> None:
    result = CliRunner().invoke(
        app, ["-c", CONFIG, "classifier", "explain", "La farola está apagada"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "public_works" in result.output
    assert "streetlights" in result.output
    assert "farola" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("text,label\n", "no rows"),
        ("texto,etiqueta\nhola,water\n", "header"),
        ("text,label\nhola,water\nadios\n", ":3: expected 2 fields"),
        ('text,label\n"multi\nline",water\n,water\n', ":4: the text is empty"),
        ("text,label\nhola,\n", ":2: the label is empty"),
    ],
)
def test_bad_csv_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(app, ["classifier", "train", str(path)])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["classifier", "train", str(tmp_path / "nope.csv")])
    assert result.exit_code == ExitCode.USAGE
    assert "no such file" in result.output


def test_labels_missing_from_the_map_are_named(tmp_path: Path) -> None:
    data = _csv(tmp_path / "d.csv", [("farola rota", "Farola"), ("bache", "Bache")])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("Farola: public_works\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["classifier", "train", str(data), "--labels-map", str(mapping)]
    )
    assert result.exit_code == ExitCode.USAGE
    assert "'Bache'" in result.output


def test_eval_refuses_labels_that_are_not_departments(tmp_path: Path) -> None:
    data = _csv(tmp_path / "d.csv", [("farola rota", "lighting")])
    result = CliRunner().invoke(app, ["-c", CONFIG, "classifier", "eval", str(data)])
    assert result.exit_code == ExitCode.USAGE
    assert "lighting" in result.output


def test_a_damaged_model_is_a_usage_error(tmp_path: Path, seed_csv: Path) -> None:
    model = tmp_path / "m.zip"
    model.write_bytes(b"PK nonsense")
    result = CliRunner().invoke(app, ["classifier", "eval", str(seed_csv), "--model", str(model)])
    assert result.exit_code == ExitCode.USAGE
    assert "not a jun-engine model file" in result.output


def test_eval_cross_validates_the_trainer_with_folds(seed_csv: Path) -> None:
    result = CliRunner().invoke(
        app, ["classifier", "eval", str(seed_csv), "--folds", "2", "--threshold", "0.5", "--json"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    figures = json.loads(result.stdout)  # progress lines go to stderr
    assert figures["threshold"] == 0.5
    assert 0.0 < figures["accuracy"] <= 1.0
    assert figures["curve"][0]["threshold"] == 0.5


def test_one_fold_is_a_usage_error(seed_csv: Path) -> None:
    result = CliRunner().invoke(app, ["classifier", "eval", str(seed_csv), "--folds", "1"])
    assert result.exit_code == ExitCode.USAGE
    assert "2 folds" in result.output
