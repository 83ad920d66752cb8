"""Safe YAML mappings with line numbers, for config.yaml and front matter.

Only the safe loader is used (the C one when PyYAML has it). Each top-level
value is constructed on its own, so one bad field does not hide the others,
and each field keeps the line it was written on. Aliases are refused: they are
never needed in front matter and are the way to a "billion laughs" bomb.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from digest.quickyaml import QuickField, quick_fields

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_UNKNOWN_TAG = re.compile(r"could not determine a constructor for the tag '([^']*)'")
_YAML11_BOOLS = {"y", "yes", "n", "no", "on", "off"}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


class YamlError(Exception):
    """The text is not valid YAML, or not a mapping; `line` is 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


@dataclass(frozen=True, slots=True)
class Field:
    """One `key: value` of a mapping: the constructed value, or why it failed."""

    key: str
    line: int
    value: Any = None
    error: str | None = None
    raw: str | None = None  # the value as written, for scalars
    children: tuple[Field, ...] = ()  # the fields of a nested mapping

    def surprise(self) -> str | None:
        """A hint when YAML 1.1 read a plain scalar as something else than it looks."""
        if self.raw is None or isinstance(self.value, str):
            return None
        if isinstance(self.value, bool) and self.raw.lower() in _YAML11_BOOLS:
            return f"{self.raw!r} is read as a boolean by YAML; write true or false"
        if isinstance(self.value, int | float) and _SEXAGESIMAL.match(self.raw):
            return f"{self.raw!r} is read as a base-60 number by YAML; quote it: \"{self.raw}\""
        if type(self.value) is int and not _DECIMAL.fullmatch(self.raw):  # 010, 0x1F, 1_0
            return (f"{self.raw!r} is read as the number {self.value} by YAML; write "
                    f"{self.value}, or quote it: \"{self.raw}\"")
        return None


_ALIASES = "YAML aliases (*name) are not allowed here; write the value out"


def _refuse_aliases(text: str, offset: int) -> None:
    """Raise the first problem a streaming parse meets: an alias, or invalid YAML."""
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlError(_ALIASES, event.start_mark.line + 1 + offset)
    except yaml.YAMLError as error:
        raise _located(error, text, offset) from None


def _has_alias(root: yaml.Node) -> bool:
    """Whether a node is reached twice, which only an alias does. Each node is visited
    once, so a "billion laughs" graph is not expanded."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for pair in node.value:
                stack.extend(pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _located(error: yaml.YAMLError, text: str, offset: int) -> YamlError:
    """PyYAML's error as a YamlError on the line to blame, counted from the file's start."""
    line = _mark_line(error, text)
    return YamlError(_describe(error), line + offset if line else None)


def _mark_line(error: yaml.YAMLError, text: str) -> int | None:
    """The line to blame: where the problem was seen, unless that is the end of the text
    (an unclosed bracket or quote), then where the unfinished thing began."""
    problem = getattr(error, "problem_mark", None)
    context = getattr(error, "context_mark", None)
    if problem is not None and context is not None and not text[problem.index:].strip():
        return context.line + 1
    mark = problem or context
    return mark.line + 1 if mark is not None else None


def load_mapping(text: str, first_line: int = 1) -> list[Field]:
    """Parse `text` as one YAML mapping; lines are counted from `first_line`. Simple
    front matter is read without PyYAML's nodes (digest.quickyaml), to the same fields."""
    quick = quick_fields(text, first_line)
    if quick is not None:
        return _as_fields(quick)
    return load_with_pyyaml(text, first_line)


def _as_fields(quick: Iterable[QuickField]) -> list[Field]:
    return [Field(key, line, value=value, raw=raw, children=tuple(_as_fields(children)))
            for key, line, value, raw, children in quick]


def load_with_pyyaml(text: str, first_line: int = 1) -> list[Field]:
    """load_mapping, always through PyYAML's nodes."""
    offset = first_line - 1
    loader = Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as error:
            _refuse_aliases(text, offset)  # an alias before the error is reported first
            raise _located(error, text, offset) from None  # e.g. a second document
        if node is None:
            return []
        if "*" in text and _has_alias(node):
            _refuse_aliases(text, offset)  # finds the alias's line
            raise YamlError(_ALIASES)  # never reached: the nodes are not constructed
        if not isinstance(node, yaml.MappingNode):
            raise YamlError("expected `key: value` lines", node.start_mark.line + 1 + offset)
        return _fields(loader, node, offset)
    finally:
        loader.dispose()


def _fields(loader: yaml.SafeLoader, node: yaml.MappingNode, offset: int) -> list[Field]:
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlError("a key must be a plain name", line)
        raw = None
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in (None, ""):
            raw = value_node.value  # plain, unquoted: YAML may read it as something else
        first = seen.setdefault(key_node.value, line)
        if first != line:
            fields.append(Field(key_node.value, line, raw=raw, error=f"is set twice, on line "
                                f"{first} and again here; keep one"))
            continue
        try:
            value = _construct(loader, value_node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
            problem = error.problem if isinstance(error, yaml.MarkedYAMLError) else None
            message = problem or str(error)
            tag = _UNKNOWN_TAG.search(message)
            if tag:
                message = (f"the YAML tag {tag.group(1)!r} is not allowed; front matter holds "
                           "plain values only")
            if raw is not None:
                message = f"{raw!r} cannot be read: {message}"
            fields.append(Field(key_node.value, line, error=message, raw=raw))
            continue
        children: tuple[Field, ...] = ()
        if isinstance(value_node, yaml.MappingNode):
            children = tuple(_fields(loader, value_node, offset))
        fields.append(Field(key_node.value, line, value=value, raw=raw, children=children))
    return fields


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The node's value; strings and lists of strings, most of front matter, are taken
    straight from the nodes, as the loader's constructor would (and faster)."""
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if node.tag == _SEQ and isinstance(node, yaml.SequenceNode) and all(
            item.tag == _STR and isinstance(item, yaml.ScalarNode) for item in node.value):
        return [item.value for item in node.value]
    return loader.construct_object(node, deep=True)


def _describe(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        parts = [error.context, error.problem]
        return "invalid YAML: " + ", ".join(p for p in parts if p)
    return f"invalid YAML: {error}"
