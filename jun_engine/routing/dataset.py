"""Labelled examples: reading `text,label` CSV files and label maps, with line-numbered errors.

A label is a department key, or `department/category`; a labels map (YAML, label -> department)
turns a source's own labels (Madrid's service types) into departments, keeping the source label
as the finer label the model also learns.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from jun_engine.routing.errors import DatasetError
from jun_engine.routing.text import fold

MAX_TEXT = 20_000
"""Longer cells are refused: a request is a post or a DM, not a document."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: `label` is the finest label known, `department` what it routes to."""

    text: str
    label: str
    department: str

    @property
    def category(self) -> str | None:
        """The category, for labels written `department/category`."""
        head, _, tail = self.label.partition("/")
        return tail if head == self.department and tail else None


def department_of(label: str) -> str:
    """The department of a label written `department` or `department/category`."""
    return label.partition("/")[0]


def read_csv(path: Path) -> list[tuple[int, str, str]]:
    """The (line, text, label) rows of a `text,label` CSV file; DatasetError if it is unusable."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _rows(path, csv.reader(handle))
    except FileNotFoundError:
        raise DatasetError(path, "no such file") from None
    except IsADirectoryError:
        raise DatasetError(path, "is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(path, f"not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise DatasetError(path, f"malformed CSV: {exc}") from None


def _rows(path: Path, reader: Iterable[list[str]]) -> list[tuple[int, str, str]]:
    it = iter(reader)
    header = next(it, None)
    if header is None:
        raise DatasetError(path, "the file is empty (expected a header line `text,label`)")
    names = [name.strip().lower() for name in header]
    if "text" not in names or "label" not in names:
        raise DatasetError(
            path, f"the header must name the columns text and label, not {header!r}", 1
        )
    text_at, label_at = names.index("text"), names.index("label")
    rows: list[tuple[int, str, str]] = []
    line = 2
    for record in it:
        rows.append(_row(path, line, record, len(names), text_at, label_at))
        line += 1 + sum(cell.count("\n") for cell in record)
    if not rows:
        raise DatasetError(path, "no rows after the header")
    return rows


def _row(
    path: Path, line: int, record: list[str], width: int, text_at: int, label_at: int
) -> tuple[int, str, str]:
    if len(record) != width:
        raise DatasetError(path, f"expected {width} fields, found {len(record)}", line)
    text, label = record[text_at], record[label_at].strip()
    if not text.strip():
        raise DatasetError(path, "the text is empty", line)
    if not label:
        raise DatasetError(path, "the label is empty", line)
    if len(text) > MAX_TEXT:
        raise DatasetError(path, f"the text is longer than {MAX_TEXT} characters", line)
    return line, text, label


def read_labels_map(path: Path) -> dict[str, str]:
    """A YAML mapping of source label -> department key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(path, "no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(path, f"not a readable YAML file: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise DatasetError(path, "expected a mapping of label: department")
    bad = [k for k, v in data.items() if not isinstance(v, str) or not str(k).strip()]
    if bad:
        raise DatasetError(path, f"every value must be a department key; not for {bad[:3]!r}")
    return {str(k).strip(): str(v).strip() for k, v in data.items()}


def to_examples(
    path: Path, rows: Sequence[tuple[int, str, str]], labels_map: Mapping[str, str] | None
) -> list[Example]:
    """Examples from CSV rows, mapping labels when a map is given (unknown labels are an error)."""
    if labels_map is None:
        return [Example(text, label, department_of(label)) for _, text, label in rows]
    unknown = Counter(label for _, _, label in rows if label not in labels_map)
    if unknown:
        first = next(line for line, _, label in rows if label in unknown)
        listed = ", ".join(repr(label) for label, _ in unknown.most_common(5))
        raise DatasetError(
            path, f"{len(unknown)} label(s) not in the labels map, e.g. {listed}", first
        )
    return [Example(text, label, labels_map[label]) for _, text, label in rows]


def load_examples(path: Path, labels_map_path: Path | None = None) -> list[Example]:
    """Read a CSV file (and its labels map) into examples."""
    labels_map = read_labels_map(labels_map_path) if labels_map_path else None
    return to_examples(path, read_csv(path), labels_map)


def fingerprint(examples: Iterable[Example]) -> str:
    """sha256 of the normalised rows, in a stable order: equal data, equal fingerprint."""
    rows = sorted(f"{fold(e.text)}\x1f{e.label}\x1f{e.department}" for e in examples)
    return "sha256:" + hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()
