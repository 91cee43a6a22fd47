"""`jun-engine classifier`: train, evaluate, retrain and explain the request router."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jun_engine.cli.context import GlobalOptions, global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import Config, ConfigError, load_config
from jun_engine.routing.dataset import Example, load_examples
from jun_engine.routing.errors import RoutingError
from jun_engine.routing.evaluate import (
    Evaluation,
    cross_validate,
    evaluate,
    model_outcomes,
    router_outcomes,
)
from jun_engine.routing.model import RouterModel
from jun_engine.routing.model_file import load_model, save_model
from jun_engine.routing.router import Router
from jun_engine.routing.seed import seed_examples
from jun_engine.routing.setup import build_router
from jun_engine.routing.training import TrainingDataError, train

group = typer.Typer(
    name="classifier",
    help="Train, evaluate and explain the router that sends requests to departments.",
    no_args_is_help=True,
)

CsvFile = Annotated[Path, typer.Argument(help="A CSV file with the columns text,label.")]
LabelsMap = Annotated[
    Path | None,
    typer.Option("--labels-map", help="YAML mapping the file's labels to department keys."),
]
DEFAULT_MODEL = Path("models/router.zip")


def register(app: typer.Typer) -> None:
    """Attach this group's commands to the root app."""
    app.add_typer(group)


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _examples(path: Path, labels_map: Path | None) -> list[Example]:
    try:
        return load_examples(path, labels_map)
    except RoutingError as exc:
        raise _fail(str(exc)) from None


def _config(options: GlobalOptions) -> Config:
    try:
        return load_config(options.config_path).config
    except ConfigError as exc:
        first = "; ".join(str(p) for p in exc.problems[:3])
        raise _fail(f"{options.config_path} is not a valid configuration: {first}") from None


@group.command("train")
def train_command(
    file: CsvFile,
    labels_map: LabelsMap = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the model file.")
    ] = DEFAULT_MODEL,
) -> None:
    """Train a router model on FILE and write it to --out."""
    examples = _examples(file, labels_map)
    model = _train(examples)
    _save(model, out)
    typer.echo(
        f"trained on {len(examples)} examples ({len(model.departments)} departments, "
        f"{len(model.labels)} labels); "
        f"held-out accuracy {model.info.metrics.get('held_out_accuracy')}; "
        f"suggested threshold {_fmt(model.info.suggested_threshold)}; wrote {out}"
    )


def _train(examples: list[Example]) -> RouterModel:
    try:
        return train(examples)
    except TrainingDataError as exc:
        raise _fail(str(exc)) from None


@group.command("eval")
def eval_command(
    ctx: typer.Context,
    file: CsvFile,
    model: Annotated[
        Path | None, typer.Option("--model", help="A model file (default: the configured router).")
    ] = None,
    labels_map: LabelsMap = None,
    folds: Annotated[
        int,
        typer.Option(
            "--folds", min=0, help="Cross-validate the trainer on FILE with N folds instead."
        ),
    ] = 0,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Auto-routing threshold (default: the configured one).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure a router on FILE: accuracy, macro-F1, per-department figures, confusion matrix."""
    options = global_options(ctx)
    examples = _examples(file, labels_map)
    fine = labels_map is not None
    if folds == 1:
        raise _fail("--folds needs at least 2 folds")
    if folds:
        outcomes = cross_validate(examples, folds)
        result = evaluate(outcomes, threshold, labels=fine)
    elif model is not None:
        loaded = _load(model)
        unknown = sorted({e.department for e in examples} - set(loaded.departments))
        if unknown:
            raise _fail(f"{file}: department(s) {', '.join(unknown)} unknown to the model {model}")
        chosen = (
            threshold
            if threshold is not None
            else _configured_threshold(options, loaded.info.suggested_threshold)
        )
        result = evaluate(model_outcomes(loaded, examples), chosen, labels=fine)
    else:
        config = _config(options)
        router = _router(config, options)
        unknown = sorted({e.department for e in examples} - set(config.departments))
        if unknown:
            raise _fail(
                f"{file}: label(s) {', '.join(unknown)} "
                f"are not departments of {options.config_path}"
            )
        chosen = threshold if threshold is not None else router.threshold
        result = evaluate(router_outcomes(router, examples), chosen)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        _print_evaluation(result)


def _configured_threshold(options: GlobalOptions, fallback: float | None) -> float | None:
    if options.config_path.exists():
        try:
            return load_config(options.config_path).config.routing.confidence_threshold
        except ConfigError:
            return fallback
    return fallback


def _save(model: RouterModel, path: Path) -> None:
    try:
        save_model(model, path)
    except OSError as exc:
        raise _fail(
            f"cannot write the model file {path}: {exc.strerror}", ExitCode.FAILURE
        ) from None


def _load(path: Path) -> RouterModel:
    try:
        return load_model(path)
    except RoutingError as exc:
        raise _fail(str(exc)) from None


def _router(config: Config, options: GlobalOptions) -> Router:
    try:
        return build_router(config, options.config_path.parent)
    except RoutingError as exc:
        raise _fail(str(exc)) from None


@group.command("retrain")
def retrain_command(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the model file.")
    ] = DEFAULT_MODEL,
) -> None:
    """Train on the seed set plus the town's history and staff corrections from the database."""
    options = global_options(ctx)
    config = _config(options)
    stored = _stored(options.db_url)
    known = [e for e in stored if e.department in config.departments]
    examples = seed_examples(config.departments) + known
    model = _train(examples)
    _save(model, out)
    typer.echo(
        f"trained on {len(examples)} examples ({len(known)} from the database, "
        f"{len(stored) - len(known)} skipped for unknown departments); wrote {out}"
    )


def _stored(db_url: str) -> list[Example]:
    from jun_engine.routing.history import stored_examples
    from jun_engine.store.engine import create_engine_from_url
    from jun_engine.store.errors import StoreError
    from jun_engine.store.migrate import ensure_schema_current

    try:
        engine = create_engine_from_url(db_url)
        try:
            ensure_schema_current(engine)
            return stored_examples(engine)
        finally:
            engine.dispose()
    except StoreError as exc:
        raise _fail(str(exc), ExitCode.DATABASE) from None


@group.command("explain")
def explain_command(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help="The text of a request, as a resident would write it.")
    ],
) -> None:
    """Show how TEXT would be routed, and why."""
    options = global_options(ctx)
    config = _config(options)
    routing = _router(config, options).classify_text(text)
    table = Table(title="Routing", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("department", routing.department)
    table.add_row("category", routing.category or "-")
    table.add_row("intent", routing.intent.value)
    table.add_row("urgency", routing.urgency.value)
    table.add_row("confidence", f"{routing.confidence:.2f}")
    table.add_row(
        "decided by", routing.layer.value + ("" if routing.automatic else " (not sure: triage)")
    )
    for reason in routing.reasons:
        table.add_row("reason", str(reason))
    Console().print(table)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_evaluation(result: Evaluation) -> None:
    console = Console()
    summary = f"n={result.n}  accuracy={result.accuracy:.4f}  macro-F1={result.macro_f1:.4f}"
    if result.label_accuracy is not None:
        summary += (
            f"  label accuracy={result.label_accuracy:.4f}"
            f"  label macro-F1={_fmt4(result.label_macro_f1)}"
        )
    console.print(summary, highlight=False)
    console.print(
        f"automatic routing at threshold {result.threshold:.2f}: "
        f"precision {result.auto.precision:.4f}, coverage {result.auto.coverage:.4f} "
        f"(suggested for 95% precision: {_fmt(result.suggested_threshold)})",
        highlight=False,
    )
    per = Table(title="Per department")
    for column in ("department", "precision", "recall", "F1", "support"):
        per.add_column(column, justify="left" if column == "department" else "right")
    for dept, figures in result.per_department.items():
        per.add_row(
            dept,
            *(f"{figures[k]:.3f}" for k in ("precision", "recall", "f1")),
            str(figures["support"]),
        )
    console.print(per)
    confusion = Table(title="Confusion matrix (rows: true, columns: predicted)")
    confusion.add_column("true \\ predicted")
    for dept in result.departments:
        confusion.add_column(dept[:10], justify="right")
    for dept, row in zip(result.departments, result.confusion, strict=True):
        confusion.add_row(dept, *(str(v) for v in row))
    console.print(confusion)


def _fmt4(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
