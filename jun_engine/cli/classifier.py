"""`jun-engine classifier`: train, evaluate, retrain and explain the request router."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from jun_engine.cli import console
from jun_engine.cli.context import GlobalOptions, global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.cli.progress import Report, reporting

if TYPE_CHECKING:  # the model libraries load inside the commands that use them (start-up)
    from jun_engine.config import Config
    from jun_engine.routing.dataset import Example
    from jun_engine.routing.evaluate import Evaluation
    from jun_engine.routing.model import RouterModel
    from jun_engine.routing.router import Router

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
    console.error_line(message)
    return typer.Exit(code)


def _examples(path: Path, labels_map: Path | None) -> list[Example]:
    from jun_engine.routing.dataset import load_examples
    from jun_engine.routing.errors import RoutingError

    try:
        return load_examples(path, labels_map)
    except RoutingError as exc:
        raise _fail(str(exc)) from None


def _config(options: GlobalOptions) -> Config:
    from jun_engine.config import ConfigError, load_config

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
    with reporting() as report:
        model = _train(examples, report)
    _save(model, out)
    typer.echo(
        f"trained on {len(examples)} examples ({len(model.departments)} departments, "
        f"{len(model.labels)} labels); "
        f"held-out accuracy {model.info.metrics.get('held_out_accuracy')}; "
        f"suggested threshold {_fmt(model.info.suggested_threshold)}; wrote {out}"
    )


def _train(examples: list[Example], report: Report | None = None) -> RouterModel:
    from jun_engine.routing.training import TrainingDataError, TrainingOptions, train

    try:
        return train(examples, TrainingOptions(), progress=_steps(report, "training"))
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
    """Measure a router on FILE: accuracy, macro-F1, per-department figures, confusion matrix,
    and automatic routing at the threshold in force and at the model's suggested one."""
    from jun_engine.routing.evaluate import cross_validate, evaluate

    options = global_options(ctx)
    examples = _examples(file, labels_map)
    fine = labels_map is not None
    if folds == 1:
        raise _fail("--folds needs at least 2 folds")
    source = OPTION_SOURCE if threshold is not None else None
    with reporting() as report:
        if folds:
            outcomes = cross_validate(
                examples, folds, progress=lambda n: report("cross-validating", n, folds)
            )
            result = evaluate(outcomes, threshold, labels=fine, source=source)
        elif model is not None:
            result = _eval_model_file(options, model, file, examples, threshold, fine, report)
        else:
            result = _eval_router(options, file, examples, threshold, report)
    if as_json:
        console.print_json(result.as_json())
    else:
        _print_evaluation(result)


OPTION_SOURCE = "option"
"""The threshold source of `eval --threshold`."""


def _eval_model_file(
    options: GlobalOptions,
    path: Path,
    file: Path,
    examples: list[Example],
    threshold: float | None,
    fine: bool,
    report: Report,
) -> Evaluation:
    """The model file alone, at --threshold or the threshold it would be in force with."""
    from jun_engine.routing.evaluate import evaluate, model_outcomes
    from jun_engine.routing.setup import threshold_in_force

    loaded = _load(path)
    unknown = sorted({e.department for e in examples} - set(loaded.departments))
    if unknown:
        raise _fail(f"{file}: department(s) {', '.join(unknown)} unknown to the model {path}")
    in_force, why = threshold_in_force(_configured_threshold(options), loaded)
    outcomes = model_outcomes(loaded, examples, _steps(report, "evaluating"))
    return evaluate(
        outcomes,
        threshold if threshold is not None else in_force,
        labels=fine,
        source=OPTION_SOURCE if threshold is not None else why.value,
        model_suggested=loaded.info.suggested_threshold,
    )


def _eval_router(
    options: GlobalOptions,
    file: Path,
    examples: list[Example],
    threshold: float | None,
    report: Report,
) -> Evaluation:
    """The configured router (rules, model, triage), at --threshold or its own threshold."""
    from jun_engine.routing.evaluate import evaluate, router_outcomes

    config = _config(options)
    router = _router(config, options)
    unknown = sorted({e.department for e in examples} - set(config.departments))
    if unknown:
        raise _fail(
            f"{file}: label(s) {', '.join(unknown)} are not departments of {options.config_path}"
        )
    outcomes = router_outcomes(router, examples, _steps(report, "evaluating"))
    return evaluate(
        outcomes,
        threshold if threshold is not None else router.threshold,
        source=OPTION_SOURCE if threshold is not None else router.threshold_source.value,
        model_suggested=router.suggested_threshold,
    )


def _configured_threshold(options: GlobalOptions) -> float | None:
    """accounts.yaml's explicit threshold, if the file is there, valid and sets one."""
    from jun_engine.config import ConfigError, load_config

    if options.config_path.exists():
        try:
            return load_config(options.config_path).config.routing.confidence_threshold
        except ConfigError:
            return None
    return None


def _steps(report: Report | None, what: str) -> Callable[[int, int], None] | None:
    """`report` for one stage, as the (done, total) callback the routing functions take."""
    if report is None:
        return None
    return lambda done, total: report(what, done, total)


def _save(model: RouterModel, path: Path) -> None:
    from jun_engine.routing.model_file import save_model

    try:
        save_model(model, path)
    except OSError as exc:
        raise _fail(
            f"cannot write the model file {path}: {exc.strerror}", ExitCode.FAILURE
        ) from None


def _load(path: Path) -> RouterModel:
    from jun_engine.routing.errors import RoutingError
    from jun_engine.routing.model_file import load_model

    try:
        return load_model(path)
    except RoutingError as exc:
        raise _fail(str(exc)) from None


def _router(config: Config, options: GlobalOptions) -> Router:
    from jun_engine.routing.errors import RoutingError
    from jun_engine.routing.setup import build_router

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
    from jun_engine.routing.seed import seed_examples

    options = global_options(ctx)
    config = _config(options)
    stored = _stored(options.db_url)
    known = [e for e in stored if e.department in config.departments]
    examples = seed_examples(config.departments) + known
    with reporting() as report:
        model = _train(examples, report)
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
    shown = Console()
    summary = f"n={result.n}  accuracy={result.accuracy:.4f}  macro-F1={result.macro_f1:.4f}"
    if result.label_accuracy is not None:
        summary += (
            f"  label accuracy={result.label_accuracy:.4f}"
            f"  label macro-F1={_fmt4(result.label_macro_f1)}"
        )
    shown.print(summary, highlight=False)
    shown.print(
        f"automatic routing at threshold {result.threshold:.2f}{_in_force(result)}: "
        f"precision {result.auto.precision:.4f}, coverage {result.auto.coverage:.4f} "
        f"(suggested for 95% precision: {_fmt(result.suggested_threshold)})",
        highlight=False,
    )
    if result.model_suggested is not None:
        shown.print(
            f"automatic routing at the model's suggested threshold "
            f"{result.model_suggested.threshold:.2f}: "
            f"precision {result.model_suggested.precision:.4f}, "
            f"coverage {result.model_suggested.coverage:.4f}",
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
    shown.print(per)
    confusion = Table(title="Confusion matrix (rows: true, columns: predicted)")
    confusion.add_column("true \\ predicted")
    for dept in result.departments:
        confusion.add_column(dept[:10], justify="right")
    for dept, row in zip(result.departments, result.confusion, strict=True):
        confusion.add_row(dept, *(str(v) for v in row))
    shown.print(confusion)


def _in_force(result: Evaluation) -> str:
    from jun_engine.routing.router import ThresholdSource

    reasons = {
        OPTION_SOURCE: "the --threshold option",
        ThresholdSource.EXPLICIT.value: "set in accounts.yaml",
        ThresholdSource.MODEL.value: "the model's suggested threshold",
        ThresholdSource.DAY_ONE.value: "the day-one default: no trained model file",
    }
    why = reasons.get(result.threshold_source or "")
    return f" (in force: {why})" if why else ""


def _fmt4(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
