"""The town's labelled history: seed, past cases and staff corrections from `routing_example`."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.routing.dataset import Example
from jun_engine.store.session import session_scope
from jun_engine.store.tables import RoutingExampleRow


def stored_examples(engine: Engine) -> list[Example]:
    """Every example stored for training, oldest first, labelled `department[/category]`."""
    with session_scope(engine) as session:
        rows = session.exec(select(RoutingExampleRow).order_by(RoutingExampleRow.id)).all()  # type: ignore[arg-type]
        return [
            Example(
                row.text,
                f"{row.department}/{row.category}" if row.category else row.department,
                row.department,
            )
            for row in rows
        ]
