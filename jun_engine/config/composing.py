"""YAML text to nodes without recursion: bounded depth, one document, resolved tags and marks.

Events come from libyaml when it is installed (PyYAML's C parser), else from pure-Python PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from jun_engine.config.problems import ConfigError, Problem, Severity, fatal
from jun_engine.config.source import Mark

MAX_DEPTH = 64
"""No section of the schema nests deeper than 8; 64 leaves room and stops hostile nesting."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(eq=False)
class Node:
    """A composed YAML node: its resolved tag, where it starts, and its content."""

    tag: str
    mark: Mark


@dataclass(eq=False)
class Scalar(Node):
    value: str
    style: str | None = None


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node]


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]]


def parse(text: str, name: str) -> Node | None:
    composer = _Composer(name)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            composer.feed(event)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(text, name, exc) from None
    except yaml.reader.ReaderError as exc:
        line, column = _char_position(text, exc.position)
        raise fatal(
            name, line, column, f"a character YAML does not allow here: {exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise fatal(name, None, None, f"this is not valid YAML: {exc}") from None
    return composer.root


def _syntax_error(text: str, name: str, exc: yaml.MarkedYAMLError) -> ConfigError:
    tabs = _tab_indents(text)
    if tabs:
        return ConfigError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    Severity.ERROR,
                    "a tab indents this line; YAML indents with spaces only",
                )
                for line, column in tabs
            ]
        )
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    words = exc.problem or "this is not valid YAML"
    if exc.context and exc.context_mark:
        words = f"{words} ({exc.context} at line {exc.context_mark.line + 1})"
    return fatal(name, line, column, f"YAML syntax: {words}")


def _tab_indents(text: str) -> list[tuple[int, int]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            found.append((number, indent.index("\t") + 1))
    return found[:20]


def _char_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _mark(event: Event) -> Mark:
    assert event.start_mark is not None  # the parser marks every event
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def _resolve(kind: type[yaml.Node], value: str | None, implicit: object) -> str:
    tag: str = Resolver().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
    return tag


@dataclass
class _Open:
    """A sequence or mapping whose end event has not come yet."""

    event: CollectionStartEvent
    children: list[Node] = field(default_factory=list)


class _Composer:
    """Builds YAML nodes from events with an explicit stack: no recursion, bounded depth."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: Node | None = None
        self.anchors: dict[str, Node] = {}
        self.stack: list[_Open] = []
        self.documents = 0

    def feed(self, event: Event) -> None:
        if isinstance(event, DocumentStartEvent):
            self._document(event)
        elif isinstance(event, AliasEvent):
            self._add(self._alias(event))
        elif isinstance(event, ScalarEvent):
            self._add(self._scalar(event), event.anchor)
        elif isinstance(event, CollectionStartEvent):
            self._open(event)
        elif isinstance(event, CollectionEndEvent):
            opened = self.stack.pop()
            self._add(self._close(opened), opened.event.anchor)

    def _document(self, event: Event) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self._error(event, "a second YAML document ('---'); accounts.yaml holds one")

    def _alias(self, event: AliasEvent) -> Node:
        node = self.anchors.get(event.anchor or "")
        if node is None:
            raise self._error(
                event, f"alias *{event.anchor} has no complete &{event.anchor} before it"
            )
        return node

    def _scalar(self, event: ScalarEvent) -> Scalar:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(ScalarNode, event.value, event.implicit)
        return Scalar(tag, _mark(event), event.value, event.style)

    def _open(self, event: CollectionStartEvent) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self._error(event, f"nested more than {MAX_DEPTH} levels deep")
        self.stack.append(_Open(event))

    def _close(self, opened: _Open) -> Node:
        start = opened.event
        is_map = isinstance(start, MappingStartEvent)
        tag = start.tag
        if tag is None or tag == "!":
            tag = _resolve(MappingNode if is_map else SequenceNode, None, start.implicit)
        if is_map:
            pairs = list(zip(opened.children[::2], opened.children[1::2], strict=True))
            return Mapping(tag, _mark(start), pairs)
        return Sequence(tag, _mark(start), opened.children)

    def _add(self, node: Node, anchor: str | None = None) -> None:
        if anchor:
            self.anchors[anchor] = node
        if self.stack:
            self.stack[-1].children.append(node)
        elif self.root is None:
            self.root = node

    def _error(self, event: Event, message: str) -> ConfigError:
        mark = _mark(event)
        return fatal(self.name, mark.line, mark.column, message)
