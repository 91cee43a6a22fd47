"""Training, model files (never unpickled) and the Madrid cross-validation floor."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest

from jun_engine.routing.dataset import Example, load_examples
from jun_engine.routing.errors import ModelFileError
from jun_engine.routing.evaluate import cross_validate, evaluate
from jun_engine.routing.model_file import load_model, save_model
from jun_engine.routing.seed import seed_examples
from jun_engine.routing.training import TrainingDataError, TrainingOptions, train


@pytest.fixture(scope="module")
def seed_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "router.zip"
    save_model(train(seed_examples()), path)
    return path


def test_a_saved_model_predicts_exactly_as_before(seed_model_file: Path) -> None:
    model = train(seed_examples())
    loaded = load_model(seed_model_file)
    for text in ("No sale agua del grifo", "🏫 hay clase?", "ไฟถนนไม่ติด", "x" * 10_000):
        before, after = model.predict(text), loaded.predict(text)
        assert (before and before.department) == (after and after.department)
        assert (before and before.confidence) == pytest.approx(after and after.confidence)


def test_a_model_file_carries_its_version_and_data_fingerprint(seed_model_file: Path) -> None:
    with zipfile.ZipFile(seed_model_file) as archive:
        document = json.loads(archive.read("model.json"))
    assert document["format_version"] == 1
    assert document["fingerprint"].startswith("sha256:")
    assert document["n_examples"] == len(seed_examples())


def test_the_fingerprint_ignores_row_order_and_case() -> None:
    rows = seed_examples()[::8]
    shuffled = [Example(e.text.upper(), e.label, e.department) for e in reversed(rows)]
    assert train(rows).info.fingerprint == train(shuffled).info.fingerprint


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not a zip", "not a jun-engine model file"),
        (b"", "not a jun-engine model file"),
    ],
)
def test_damaged_files_are_refused_with_a_reason(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=problem):
        load_model(path)


def test_a_pickle_inside_the_archive_is_refused(tmp_path: Path, seed_model_file: Path) -> None:
    import pickle

    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(seed_model_file) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "idf.npy":
                data = pickle.dumps(["object array"])
            dst.writestr(item, data)
    with pytest.raises(ModelFileError):
        load_model(hostile)


def test_a_future_format_version_says_to_retrain(tmp_path: Path, seed_model_file: Path) -> None:
    future = tmp_path / "future.zip"
    with zipfile.ZipFile(seed_model_file) as src, zipfile.ZipFile(future, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "model.json":
                doc = json.loads(data)
                doc["format_version"] = 99
                data = json.dumps(doc).encode()
            dst.writestr(item, data)
    with pytest.raises(ModelFileError, match="retrain"):
        load_model(future)


def test_a_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "absent.zip")


def test_training_needs_two_departments() -> None:
    with pytest.raises(TrainingDataError, match="2 departments"):
        train([Example("a b c", "water", "water")] * 10)


def test_madrid_cross_validation_clears_sane_floors(madrid_dir: Path) -> None:
    # Given a 2,000-row sample of Madrid's requests (the full 5-fold run is in bench/)
    examples = load_examples(madrid_dir / "madrid_dev.csv", madrid_dir / "madrid_departments.yaml")
    sample = random.Random(0).sample(examples, 2000)
    # When the trainer is cross-validated on it
    result = evaluate(
        cross_validate(sample, 2, TrainingOptions(calibration_folds=2)), None, labels=True
    )
    # Then it is far above chance, and the chosen threshold is 95% precise on most messages
    assert result.accuracy > 0.78
    assert result.macro_f1 > 0.65
    assert result.auto.precision >= 0.95
    assert result.auto.coverage > 0.55


def test_label_groups_that_do_not_fit_the_labels_are_refused(
    tmp_path: Path, seed_model_file: Path
) -> None:
    broken = tmp_path / "groups.zip"
    with zipfile.ZipFile(seed_model_file) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "model.json":
                doc = json.loads(data)
                doc["label_start"] = [0] + [10_000] * (len(doc["departments"]) - 1)
                data = json.dumps(doc).encode()
            dst.writestr(item, data)
    with pytest.raises(ModelFileError, match="label groups"):
        load_model(broken)
