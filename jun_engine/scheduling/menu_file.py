"""Reading a school's menu file (CSV or YAML) into entries that remember their line numbers.

This stage only knows the file's shape: the bytes are UTF-8 text of a sane size, the CSV has the
right columns and the YAML the right structure. What the entries say (dates, allergens, the
school calendar) is checked by `menu_checks`. Every problem names the file and the line.
"""

from __future__ import annotations

import csv
import stat
from dataclasses import dataclass
from pathlib import Path

from jun_engine.config.composing import Mapping, Node, Scalar, Sequence, parse
from jun_engine.config.problems import ConfigError, Problem, Severity

MAX_BYTES = 256 * 1024
"""A school year of menus is a few KiB; anything much bigger is the wrong file."""

DISH_SEPARATOR = ";"
"""Dishes in one CSV cell: `Lentejas; Merluza a la plancha; Fruta`."""

COLUMNS: dict[str, str] = {
    "date": "date",
    "fecha": "date",
    "dia": "date",
    "día": "date",
    "dishes": "dishes",
    "menu": "dishes",
    "menú": "dishes",
    "platos": "dishes",
    "allergens": "allergens",
    "alergenos": "allergens",
    "alérgenos": "allergens",
}
"""CSV header names (English or Spanish) and the column each one means."""

REQUIRED_COLUMNS = ("date", "dishes", "allergens")
ENTRY_KEYS = {"date", "dishes", "allergens"}


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One day as the file writes it, not yet checked: raw date text, dishes, allergen names."""

    line: int
    date_text: str
    dishes: tuple[str, ...]
    allergens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MenuFile:
    """A menu file's entries, and the school it names (YAML `school:`), if any."""

    name: str
    entries: tuple[MenuEntry, ...]
    school: str | None = None
    school_line: int | None = None


class MenuFileError(Exception):
    """A menu file was rejected; `problems` holds every problem found, with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [problem for problem in self.problems if problem.is_error]
        count = f"{len(errors)} error" + ("" if len(errors) == 1 else "s")
        lines = "\n".join(str(problem) for problem in errors)
        super().__init__(f"menu file rejected ({count}):\n{lines}")


def error(name: str, line: int | None, message: str, field: str = "") -> Problem:
    """A problem that rejects the file."""
    return Problem(name, line, 1 if line else None, field, Severity.ERROR, message)


def warning(name: str, line: int | None, message: str, field: str = "") -> Problem:
    """A problem worth reading that does not reject the file."""
    return Problem(name, line, 1 if line else None, field, Severity.WARNING, message)


def read_menu_file(path: Path, label: str | None = None) -> MenuFile:
    """Read a `.csv`, `.yaml` or `.yml` menu file; raise MenuFileError with every shape problem."""
    name = label or str(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".yaml", ".yml"}:
        raise MenuFileError(
            [error(name, None, f"unknown file type {suffix or '(none)'!r}: use .csv or .yaml")]
        )
    text = read_text(path, name)
    if not text.strip():
        raise MenuFileError([error(name, 1, "the file is empty")])
    if suffix == ".csv":
        return parse_csv(text, name)
    return parse_yaml(text, name)


def read_text(path: Path, name: str) -> str:
    """The file's UTF-8 text; MenuFileError if missing, not a file, too big, binary or not UTF-8."""
    data = _read_bytes(path, name)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise MenuFileError([error(name, line, "a binary file, not text (it has NUL bytes)")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise MenuFileError(
            [error(name, line, f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8")]
        ) from None


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise MenuFileError([error(name, None, "not a regular file")])
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise MenuFileError([error(name, None, "no such file")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise MenuFileError([error(name, None, f"cannot read the file: {reason}")]) from None
    if len(data) > MAX_BYTES:
        raise MenuFileError(
            [error(name, None, f"the file is over {MAX_BYTES // 1024} KiB: is it the right file?")]
        )
    return data


# --- CSV --------------------------------------------------------------------------------------


def parse_csv(text: str, name: str) -> MenuFile:
    """Entries from CSV text whose header names the columns date, dishes and allergens."""
    rows = csv.reader(text.splitlines(keepends=True), strict=True)
    problems: list[Problem] = []
    try:
        header = next(rows)
        columns = _header_columns(header, name, problems)
        if problems:
            raise MenuFileError(problems)
        entries = [
            entry
            for cells in rows
            if (entry := _csv_entry(cells, rows.line_num, columns, name, problems)) is not None
        ]
    except csv.Error as exc:
        problems.append(error(name, rows.line_num, f"CSV syntax: {exc}"))
        raise MenuFileError(problems) from None
    if problems:
        raise MenuFileError(problems)
    if not entries:
        raise MenuFileError([error(name, 2, "the file has a header but no menus")])
    return MenuFile(name, tuple(entries))


def _header_columns(header: list[str], name: str, problems: list[Problem]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        meaning = COLUMNS.get(cell.strip().casefold())
        if meaning is None:
            known = ", ".join(REQUIRED_COLUMNS)
            problems.append(error(name, 1, f"unknown column {cell.strip()!r} (expected {known})"))
        elif meaning in columns:
            problems.append(error(name, 1, f"the column {meaning!r} appears twice"))
        else:
            columns[meaning] = index
    for required in REQUIRED_COLUMNS:
        if required not in columns and not problems:
            message = f"missing column {required!r}: the header is date,dishes,allergens"
            problems.append(error(name, 1, message))
    return columns


def _csv_entry(
    cells: list[str], line: int, columns: dict[str, int], name: str, problems: list[Problem]
) -> MenuEntry | None:
    if not any(cell.strip() for cell in cells):
        return None  # blank lines between weeks are fine
    if len(cells) != len(columns):
        problems.append(
            error(name, line, f"{len(cells)} fields where the header has {len(columns)}")
        )
        return None
    return MenuEntry(
        line=line,
        date_text=cells[columns["date"]].strip(),
        dishes=_split(cells[columns["dishes"]], DISH_SEPARATOR),
        allergens=_split(cells[columns["allergens"]].replace(",", ";"), ";"),
    )


def _split(cell: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(separator) if part.strip())


# --- YAML -------------------------------------------------------------------------------------


def parse_yaml(text: str, name: str) -> MenuFile:
    """Entries from YAML: `{school: key, menus: [{date, dishes: [...], allergens: [...]}]}`."""
    try:
        root = parse(text, name)
    except ConfigError as exc:
        raise MenuFileError(list(exc.problems)) from None
    if root is None:
        raise MenuFileError([error(name, 1, "the file is empty")])
    problems: list[Problem] = []
    school, school_line, items = _top_level(root, name, problems)
    entries = [entry for item in items if (entry := _yaml_entry(item, name, problems))]
    if problems:
        raise MenuFileError(problems)
    if not entries:
        raise MenuFileError([error(name, root.mark.line, "the file lists no menus")])
    return MenuFile(name, tuple(entries), school, school_line)


def _top_level(
    root: Node, name: str, problems: list[Problem]
) -> tuple[str | None, int | None, list[Node]]:
    if isinstance(root, Sequence):
        return None, None, root.items
    if not isinstance(root, Mapping):
        problems.append(error(name, root.mark.line, "expected `menus:` with a list of days"))
        return None, None, []
    school: str | None = None
    school_line: int | None = None
    items: list[Node] | None = None
    for key, value in root.pairs:
        word = key.value if isinstance(key, Scalar) else ""
        if word == "school" and isinstance(value, Scalar):
            school, school_line = value.value.strip(), value.mark.line
        elif word == "menus" and isinstance(value, Sequence):
            items = value.items
        elif word in {"school", "menus"}:
            problems.append(error(name, value.mark.line, f"`{word}` has the wrong type", word))
        else:
            problems.append(
                error(name, key.mark.line, f"unknown key {word!r} (expected school, menus)")
            )
    if items is None and not problems:
        problems.append(error(name, root.mark.line, "no `menus:` list"))
    return school, school_line, items or []


def _yaml_entry(node: Node, name: str, problems: list[Problem]) -> MenuEntry | None:
    line = node.mark.line
    if not isinstance(node, Mapping):
        problems.append(error(name, line, "each menu is a mapping with date, dishes, allergens"))
        return None
    fields: dict[str, Node] = {}
    for key, value in node.pairs:
        word = key.value if isinstance(key, Scalar) else ""
        if word not in ENTRY_KEYS:
            problems.append(error(name, key.mark.line, f"unknown key {word!r} in a menu"))
        elif word in fields:
            problems.append(error(name, key.mark.line, f"{word!r} appears twice in this menu"))
        else:
            fields[word] = value
    missing = sorted(ENTRY_KEYS - fields.keys())
    if missing:
        problems.append(error(name, line, f"this menu has no {', '.join(missing)}"))
        return None
    date_node = fields["date"]
    if not isinstance(date_node, Scalar):
        problems.append(error(name, date_node.mark.line, "a date is a single value", "date"))
        return None
    dishes = _strings(fields["dishes"], "dishes", name, problems)
    allergens = _strings(fields["allergens"], "allergens", name, problems)
    if dishes is None or allergens is None:
        return None
    return MenuEntry(line, date_node.value.strip(), dishes, allergens)


def _strings(node: Node, field: str, name: str, problems: list[Problem]) -> tuple[str, ...] | None:
    """A list of plain values, or one value (`allergens: gluten`); an empty value is no items."""
    if isinstance(node, Scalar):
        return () if node.tag.endswith(":null") else _split(node.value, ";")
    if isinstance(node, Sequence) and all(isinstance(item, Scalar) for item in node.items):
        return tuple(item.value.strip() for item in node.items if isinstance(item, Scalar))
    problems.append(error(name, node.mark.line, f"{field} must be a list of words", field))
    return None
