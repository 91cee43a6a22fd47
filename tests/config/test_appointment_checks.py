"""The `appointments` section's cross-checks name the line of what is wrong."""

from __future__ import annotations

from pathlib import Path

from jun_engine.config.checks import appointment_books
from jun_engine.config.document import read_document
from jun_engine.config.validation import validate
from jun_engine.emulator.testing import SHIPPED_CONFIG


def _problems(tmp_path: Path, old: str, new: str) -> list[str]:
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "accounts.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    document = read_document(path)
    config, _ = validate(document.tree, document.source)
    assert config is not None
    return [str(problem) for problem in appointment_books(config, document.source)]


def test_the_shipped_book_is_fine(tmp_path: Path) -> None:
    assert _problems(tmp_path, "appointments:\n  health:", "appointments:\n  health:") == []


def test_a_book_for_an_unknown_department_is_named_with_its_line(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "appointments:\n  health:", "appointments:\n  helth:")
    assert "unknown department 'helth'" in problem
    assert "health" in problem
    assert "accounts.yaml:" in problem


def test_a_backwards_range_is_refused(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, 'mon: ["08:30-14:00"]', 'mon: ["14:00-08:30"]')
    assert "'14:00-08:30' ends before it starts" in problem
