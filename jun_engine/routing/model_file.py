"""Model files: a zip of one JSON document and plain NumPy arrays, never a pickle.

    model.json       format, format_version, created_at, fingerprint, n_examples, departments,
                     labels, label_start, feature_names, calibration, suggested_threshold, metrics
    idf.npy  dept_coef.npy  dept_intercept.npy  label_coef.npy  label_intercept.npy

Loading reads JSON and `.npy` arrays with `allow_pickle=False`, so a hostile file can fail to
load but cannot run code; sizes and shapes are checked before anything is used.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from jun_engine.routing.errors import ModelFileError
from jun_engine.routing.model import Calibration, ModelInfo, RouterModel
from jun_engine.routing.training import FORMAT_VERSION

FORMAT = "jun-engine-router"
ARRAYS = ("idf", "dept_coef", "dept_intercept", "label_coef", "label_intercept")
MAX_BYTES = 512 * 1024 * 1024
"""Refuse anything that would unpack to more than this."""


def save_model(model: RouterModel, path: Path) -> None:
    """Write `model` to `path` (atomically: a temporary file, then a rename)."""
    document = {
        "format": FORMAT,
        **asdict(model.info),
        "format_version": FORMAT_VERSION,
        "departments": list(model.departments),
        "labels": list(model.labels),
        "label_start": [int(i) for i in model.label_start],
        "calibration": asdict(model.calibration),
        "feature_names": list(model.feature_names),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(document, ensure_ascii=False))
        for name in ARRAYS:
            buffer = io.BytesIO()
            np.save(buffer, np.asarray(getattr(model, name), np.float32), allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    partial.replace(path)


def load_model(path: Path) -> RouterModel:
    """Read a model file; ModelFileError says what is wrong with it."""
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_BYTES:
                raise ModelFileError(path, "unpacks to more than 512 MiB")
            document = json.loads(archive.read("model.json").decode("utf-8"))
            arrays = {name: _array(archive, name) for name in ARRAYS}
    except FileNotFoundError:
        raise ModelFileError(path, "no such file") from None
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ModelFileError(path, f"not a jun-engine model file ({exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ModelFileError(path, f"damaged ({exc})") from None
    return _model(path, document, arrays)


def _array(archive: zipfile.ZipFile, name: str) -> np.ndarray[Any, Any]:
    array: np.ndarray[Any, Any] = np.load(
        io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False
    )
    if array.dtype != np.float32 or not np.isfinite(array).all():
        raise ValueError(f"{name}.npy must hold finite float32 values")
    return array


def _model(path: Path, doc: Any, arrays: dict[str, np.ndarray[Any, Any]]) -> RouterModel:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(path, "not a jun-engine router model")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            path,
            f"format version {doc.get('format_version')!r}; this jun-engine reads version "
            f"{FORMAT_VERSION}: retrain with `jun-engine classifier train`",
        )
    try:
        names = tuple(str(n) for n in doc["feature_names"])
        departments = tuple(str(d) for d in doc["departments"])
        labels = tuple(str(lab) for lab in doc["labels"])
        model = RouterModel(
            departments=departments,
            labels=labels,
            label_start=np.array(doc["label_start"], np.int64),
            feature_names=names,
            vocabulary=MappingProxyType({n: i for i, n in enumerate(names)}),
            calibration=Calibration(**doc["calibration"]),
            info=ModelInfo(
                format_version=int(doc["format_version"]),
                created_at=str(doc["created_at"]),
                fingerprint=str(doc["fingerprint"]),
                n_examples=int(doc["n_examples"]),
                suggested_threshold=doc.get("suggested_threshold"),
                metrics=dict(doc.get("metrics") or {}),
            ),
            **arrays,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(path, f"damaged ({exc!r})") from None
    _check_shapes(path, model)
    return model


def _check_shapes(path: Path, m: RouterModel) -> None:
    n = len(m.feature_names)
    expected = {
        "idf": (n,),
        "dept_coef": (n, len(m.departments)),
        "dept_intercept": (len(m.departments),),
        "label_coef": (n, len(m.labels) if m.label_coef.shape[1:] != (0,) else 0),
        "label_intercept": (m.label_coef.shape[1],),
    }
    for name, shape in expected.items():
        if getattr(m, name).shape != shape:
            raise ModelFileError(path, f"{name} has shape {getattr(m, name).shape}, not {shape}")
    starts = m.label_start
    if (
        len(starts) != len(m.departments)
        or len(m.departments) < 2
        or (starts.size and (starts[0] != 0 or (starts[1:] <= starts[:-1]).any()))
        or (m.has_label_head and starts[-1] >= len(m.labels))
    ):
        raise ModelFileError(path, "departments and label groups do not agree")
