"""`classifier retrain`: the seed set plus the town's history and staff corrections, from the
database, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.domain.statuses import ExampleSource
from jun_engine.routing.history import stored_examples
from jun_engine.routing.model_file import load_model
from jun_engine.routing.seed import seed_examples
from jun_engine.store.session import session_scope
from jun_engine.store.tables import RoutingExampleRow

ROOT = Path(__file__).resolve().parents[2]
CORRECTIONS = [
    "El chiringuito del recinto ferial sigue cerrado",
    "¿Quién gestiona el chiringuito del recinto ferial?",
    "Quiero montar un puesto en el chiringuito del recinto ferial",
    "El chiringuito del recinto ferial no tiene licencia de música",
    "Horario del chiringuito del recinto ferial en agosto",
    "Los baños del chiringuito del recinto ferial están cerrados",
]


def _store(engine: Engine) -> None:
    with session_scope(engine) as session:
        for text in CORRECTIONS:
            session.add(
                RoutingExampleRow(
                    text=text,
                    department="culture_sport",
                    category="events",
                    source=ExampleSource.CORRECTION,
                )
            )
        session.add(RoutingExampleRow(text="x", department="gone", source=ExampleSource.HISTORY))


def test_stored_examples_read_the_table(engine: Engine) -> None:
    _store(engine)
    examples = stored_examples(engine)
    assert [e.text for e in examples[:-1]] == CORRECTIONS
    assert examples[0].label == "culture_sport/events"
    assert examples[0].category == "events"


def test_retrain_learns_from_staff_corrections(engine: Engine, db_url: str, tmp_path: Path) -> None:
    # Given staff moved six cases about the fairground kiosk to culture and sport
    _store(engine)
    out = tmp_path / "router.zip"
    # When the router is retrained
    result = CliRunner().invoke(
        app,
        [
            "-c",
            str(ROOT / "accounts.yaml"),
            "--db",
            db_url,
            "classifier",
            "retrain",
            "--out",
            str(out),
        ],
    )
    # Then the model holds the seed set plus the corrections (not the unknown department's row)
    assert result.exit_code == ExitCode.OK, result.output
    model = load_model(out)
    assert model.info.n_examples == len(seed_examples()) + len(CORRECTIONS)
    assert "1 skipped" in result.output
    # And it routes the next such message where staff did
    prediction = model.predict("Una pregunta sobre el chiringuito del recinto ferial")
    assert prediction is not None
    assert prediction.department == "culture_sport"


def test_retrain_without_a_database_schema_is_a_database_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "-c",
            str(ROOT / "accounts.yaml"),
            "--db",
            str(tmp_path / "empty.db"),
            "classifier",
            "retrain",
            "--out",
            str(tmp_path / "m.zip"),
        ],
    )
    assert result.exit_code == ExitCode.DATABASE, result.output
    assert "Traceback" not in result.output
