"""Router benchmark: 5-fold cross-validation on Madrid's labelled requests, speed, size, day one.

Data: $JUN_ROUTING_DATA (default ../shared/data/routing next to the repository), never shipped.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from jun_engine.config import load_config
from jun_engine.routing.dataset import Example, load_examples
from jun_engine.routing.evaluate import Evaluation, cross_validate, evaluate, router_outcomes
from jun_engine.routing.model_file import save_model
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.routing.training import train

TITLE = "Router: Madrid cross-validation, speed, size, day-one Jun router"
ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Where madrid_dev.csv and madrid_departments.yaml are."""
    return Path(os.environ.get("JUN_ROUTING_DATA", ROOT.parent / "shared" / "data" / "routing"))


def madrid() -> list[Example]:
    """Madrid's rows, labelled with Madrid's service type and coarse department."""
    return load_examples(data_dir() / "madrid_dev.csv", data_dir() / "madrid_departments.yaml")


def run() -> str:
    examples = madrid()
    cv = evaluate(cross_validate(examples, 5), None, labels=True)
    return "\n\n".join([_cv_section(cv), _speed_section(examples), _day_one_section(examples)])


def _cpu_times(classify: Callable[[str], object], texts: list[str]) -> list[float]:
    """CPU seconds per call (process time: the shared machine's other work does not count)."""
    times = []
    for text in texts:
        started = time.process_time()
        classify(text)
        times.append(time.process_time() - started)
    return sorted(times)


def _ms(times: list[float], share: float) -> str:
    return f"{times[min(len(times) - 1, int(share * len(times)))] * 1e3:.3f} ms"


def _cv_section(cv: Evaluation) -> str:
    rows = "\n".join(
        f"| {o.threshold:.2f} | {o.precision:.4f} | {o.coverage:.4f} |" for o in cv.curve
    )
    return (
        f"### 5-fold cross-validation of the trainer (madrid_dev.csv, n={cv.n})\n\n"
        "Reference (data README): about 0.88 accuracy and 0.79 macro-F1 at the department "
        "level.\n\n"
        "| level | accuracy | macro-F1 |\n|---|---|---|\n"
        f"| department (8) | {cv.accuracy:.4f} | {cv.macro_f1:.4f} |\n"
        f"| label (72 service types) | {cv.label_accuracy:.4f} | {cv.label_macro_f1:.4f} |\n\n"
        f"Automatic routing at the threshold chosen from the out-of-fold predictions "
        f"({cv.threshold:.3f}, the lowest that is 95% precise): "
        f"precision **{cv.auto.precision:.4f}**, "
        f"coverage **{cv.auto.coverage:.4f}** (the rest go to triage). A model trained on this "
        "data writes that threshold into its file as `suggested_threshold`, and it is the "
        "threshold in force unless accounts.yaml sets `routing.confidence_threshold`"
        f"{_pinned(cv)}.\n\n"
        "| threshold | precision | coverage |\n|---|---|---|\n" + rows
    )


def _pinned(cv: Evaluation) -> str:
    """What the 0.60 that accounts.yaml used to pin would do instead."""
    old = next((o for o in cv.curve if abs(o.threshold - 0.6) < 1e-9), None)
    if old is None:
        return ""
    return (
        f" (the 0.60 once pinned there: precision {old.precision:.4f}, coverage {old.coverage:.4f})"
    )


def _speed_section(examples: list[Example]) -> str:
    sample = random.Random(0).sample(examples, 10_000) if len(examples) >= 10_000 else examples
    started = time.perf_counter()
    model = train(sample)
    training = time.perf_counter() - started
    texts = [e.text for e in examples]
    lengths = sorted(len(t) for t in texts)
    model_times = _cpu_times(model.predict, texts)
    config = load_config(ROOT / "accounts.yaml").config
    router = build_router(config, ROOT)
    router = Router(router.rules, model, router.threshold)
    _cpu_times(router.classify_text, texts)  # warm the stemming memo, as a running daemon has
    router_times = _cpu_times(router.classify_text, texts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "router.zip"
        save_model(model, path)
        size = path.stat().st_size
    return (
        "### Speed and size (one process, one core)\n\n"
        "| figure | value |\n|---|---|\n"
        f"| training on {len(sample):,} rows (incl. 3-fold calibration) | {training:.1f} s |\n"
        f"| model alone per message: median / p95 / max | {_ms(model_times, 0.5)} / "
        f"{_ms(model_times, 0.95)} / {_ms(model_times, 1.0)} |\n"
        f"| whole router (rules, intent, urgency, model) per message: median / p95 / max "
        f"| {_ms(router_times, 0.5)} / {_ms(router_times, 0.95)} / {_ms(router_times, 1.0)} |\n"
        f"| message length in characters: median / p95 / max | "
        f"{lengths[len(lengths) // 2]} / {lengths[int(0.95 * len(lengths))]} / {lengths[-1]} |\n"
        f"| model file size | {size / 1e6:.1f} MB ({len(model.feature_names):,} features, "
        f"{len(model.departments)} departments, {len(model.labels)} labels) |"
    )


def _day_one_section(examples: list[Example]) -> str:
    to_jun = yaml.safe_load((ROOT / "bench" / "madrid_to_jun.yaml").read_text(encoding="utf-8"))
    mapped = [Example(e.text, to_jun[e.department], to_jun[e.department]) for e in examples]
    config = load_config(ROOT / "accounts.yaml").config
    router = build_router(config, ROOT)
    outcomes = router_outcomes(router, mapped)
    result = evaluate(outcomes, router.threshold, source=router.threshold_source.value)
    per = "\n".join(
        f"| {d} | {f['precision']:.3f} | {f['recall']:.3f} | {f['support']} |"
        for d, f in result.per_department.items()
    )
    rows = [(f"{router.threshold:.2f}, in force: {router.threshold_reason}", result)]
    if router.suggested_threshold is not None:
        seed = evaluate(outcomes, router.suggested_threshold)
        rows.append((f"{router.suggested_threshold:.2f}, the seed model's own suggestion", seed))
    table = "\n".join(
        f"| {label} | {r.accuracy:.4f} | {r.auto.precision:.4f} | {r.auto.coverage:.4f} |"
        for label, r in rows
    )
    return (
        "### Day one: the shipped Jun router (rules + seed set) on Madrid, mapped to Jun\n\n"
        "Madrid's departments mapped with bench/madrid_to_jun.yaml; what goes to triage counts as "
        "routed to town_hall (right only for general_admin rows).\n\n"
        f"Threshold in force: **{router.threshold:.2f}**, {router.threshold_reason}. "
        f"Accuracy **{result.accuracy:.4f}**, macro-F1 {result.macro_f1:.4f}.\n\n"
        "| threshold | accuracy | automatic precision | automatic coverage |\n"
        "|---|---|---|---|\n" + table + "\n\n"
        "| department | precision | recall | support |\n|---|---|---|---|\n" + per
    )
