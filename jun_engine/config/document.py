"""accounts.yaml to plain values with a mark for every path, and the oddities YAML lets pass.

Aliases are expanded while counting values, so an anchor/alias bomb stops at `MAX_VALUES`.
Duplicate keys, which PyYAML silently accepts, are reported; so are tags other than plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode

from jun_engine.config.composing import MAX_DEPTH, Mapping, Node, Scalar, Sequence, parse
from jun_engine.config.leaks import shown
from jun_engine.config.problems import Problem, Severity, fatal
from jun_engine.config.reading import read_text
from jun_engine.config.source import FieldPath, SourceMap, format_path

MAX_VALUES = 100_000
"""Values after expanding aliases: Jun's file has a few thousand, a billion-laughs file 10**9."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


@dataclass(frozen=True)
class Document:
    """accounts.yaml as plain Python values, the marks of its paths, and what was odd about it."""

    tree: dict[object, object]
    source: SourceMap
    problems: tuple[Problem, ...] = ()
    text: str = ""
    """The file's text, for what the tree does not keep (comments: see `leaks`)."""


def read_document(path: Path, label: str | None = None) -> Document:
    """Read, parse and compose `path`; raise ConfigError when it cannot be read as one mapping."""
    name = label or str(path)
    return compose(read_text(path, name), name)


def compose(text: str, name: str) -> Document:
    """Turn YAML text into a Document; raise ConfigError if it is not one well-formed mapping."""
    root = parse(text, name)
    if root is None:
        raise fatal(name, 1, 1, "the file is empty; start from the shipped accounts.yaml")
    if not isinstance(root, Mapping):
        raise fatal(
            name,
            root.mark.line,
            root.mark.column,
            "the top level must be a mapping of sections (town:, x:, accounts:, departments:...)",
        )
    builder = _Builder(SourceMap(name))
    tree = builder.mapping(root, (), 0)
    return Document(tree, builder.source, tuple(builder.problems), text)


class _Builder:
    """Turns nodes into plain values, recording marks and collecting non-fatal problems."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = SafeConstructor()

    def value(self, node: Node, path: FieldPath, depth: int) -> object:
        self._count(node, depth)
        self.source.values.setdefault(path, node.mark)
        if isinstance(node, Mapping):
            return self.mapping(node, path, depth)
        if isinstance(node, Sequence):
            self._check_tag(node, path)
            return [self.value(child, (*path, i), depth + 1) for i, child in enumerate(node.items)]
        assert isinstance(node, Scalar)
        return self.scalar(node, path)

    def mapping(self, node: Mapping, path: FieldPath, depth: int) -> dict[object, object]:
        self._check_tag(node, path)
        result: dict[object, object] = {}
        merges: list[Node] = []
        for key_node, value_node in node.pairs:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
            else:
                self._entry(result, key_node, value_node, path, depth)
        for merged in merges:
            self._merge(result, merged, path, depth)
        return result

    def _entry(
        self,
        result: dict[object, object],
        key_node: Node,
        value_node: Node,
        path: FieldPath,
        depth: int,
    ) -> None:
        key = self._key(key_node, path, depth)
        if key is None:
            return
        here = (*path, _path_part(key))
        if key in result:
            first = self.source.keys.get(here, key_node.mark)
            self.problems.append(
                self._at(
                    key_node,
                    here,
                    f"duplicate key {shown(key)}, already set at line {first.line}; keep only one",
                )
            )
            return
        self.source.keys.setdefault(here, key_node.mark)
        result[key] = self.value(value_node, here, depth + 1)

    def _key(self, node: Node, path: FieldPath, depth: int) -> object:
        self._count(node, depth)
        if not isinstance(node, Scalar):
            self.problems.append(
                self._at(node, path, "a key must be a plain word, not a list or a mapping")
            )
            return None
        key = self.scalar(node, path)
        return key if _hashable(key) else None

    def _merge(self, result: dict[object, object], node: Node, path: FieldPath, depth: int) -> None:
        sources = node.items if isinstance(node, Sequence) else [node]
        for source in sources:
            if not isinstance(source, Mapping):
                self.problems.append(self._at(source, path, "'<<' merges only mappings"))
                continue
            for key, value in self.mapping(source, path, depth + 1).items():
                result.setdefault(key, value)

    def scalar(self, node: Scalar, path: FieldPath) -> object:
        try:
            return self.constructor.construct_object(
                ScalarNode(node.tag, node.value, style=node.style)
            )
        except ConstructorError:
            self.problems.append(
                self._at(
                    node, path, f"unsupported YAML tag {_tag_name(node.tag)}; write a plain value"
                )
            )
        except (ValueError, OverflowError) as exc:
            what = "date" if node.tag.endswith("timestamp") else "value"
            self.problems.append(self._at(node, path, f"not a valid {what}: {exc}"))
        return node.value

    def _check_tag(self, node: Node, path: FieldPath) -> None:
        if node.tag not in _COLLECTION_TAGS:
            self.problems.append(
                self._at(
                    node,
                    path,
                    f"unsupported YAML tag {_tag_name(node.tag)}; write plain values",
                )
            )

    def _count(self, node: Node, depth: int) -> None:
        self.count += 1
        if self.count > MAX_VALUES:
            mark = node.mark
            raise fatal(
                self.source.file,
                mark.line,
                mark.column,
                f"aliases expand this file to more than {MAX_VALUES:,} values "
                "(an alias bomb?); write the values out instead",
            )
        if depth > MAX_DEPTH:
            mark = node.mark
            raise fatal(
                self.source.file,
                mark.line,
                mark.column,
                f"aliases nest values more than {MAX_DEPTH} levels deep",
            )

    def _at(self, node: Node, path: FieldPath, message: str) -> Problem:
        mark = node.mark
        return Problem(
            self.source.file, mark.line, mark.column, format_path(path), Severity.ERROR, message
        )


def _path_part(key: object) -> str | int:
    if isinstance(key, str | int) and not isinstance(key, bool):
        return key
    return str(key)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")
