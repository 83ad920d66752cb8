"""Simple front matter read without building YAML nodes.

Front matter written by hand or by `digest import` (yaml.safe_dump) is a list of
`key: value` lines. A value is a scalar (double-quoted without escapes, single-quoted,
or plain), a flow list of double-quoted strings, a flow mapping of scalars, or, on the
lines below its key, a block list of scalars or a mapping of `key: value` lines. For
such text `quick_fields` gives the fields yamldoc.load_mapping would give, in about
half the time; for anything else (escapes, deeper nesting, comments, repeated keys,
multi-line scalars, characters YAML treats specially) it gives None, and PyYAML reads
the text. Plain scalars are typed by PyYAML's own resolver and constructors, so `yes`,
`010` or a date come out as PyYAML makes them. tests/test_quickyaml.py compares the two
on generated front matter, on what `digest import` writes and on the site's content.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

_KEY = r"[A-Za-z_][A-Za-z0-9_-]{0,99}"  # short enough for a YAML simple key
_DOUBLE = r'"[^"\\\t]*"'  # no escapes
_SINGLE = r"'(?:[^'\t]|'')*'"
# A plain scalar starts with no indicator and no space, and ends with no space and no
# colon; ": " and " #" inside are refused in _scalar.
_PLAIN_START = r"[^-?:,\[\]{}#&*!|>'\"%@`\s]"
_PLAIN = rf"{_PLAIN_START}(?:[^\t]*[^\s:])?"
_SCALAR = f"(?:{_DOUBLE}|{_SINGLE}|{_PLAIN})"
_FLOW_LIST = rf"\[(?:{_DOUBLE}(?:, *{_DOUBLE})*)?\]"
# In a flow mapping a plain scalar also stops at ,[]{} and may hold no colon at all.
_FLOW_PLAIN = rf"{_PLAIN_START}(?:[^\t:,\[\]{{}}#]*[^\s:,\[\]{{}}#])?"
_FLOW_VALUE = f"(?:{_DOUBLE}|{_SINGLE}|{_FLOW_PLAIN})"
_FLOW_MAP = rf"\{{ *(?:{_KEY}: +{_FLOW_VALUE}(?: *, *{_KEY}: +{_FLOW_VALUE})*)? *\}}"
_PAIRS = re.compile(rf"(?P<key>{_KEY}): +(?P<value>{_FLOW_VALUE})")
_ENTRY = re.compile(rf"(?P<indent> *)(?P<key>{_KEY}):"
                    rf"(?: +(?P<value>{_SCALAR}|{_FLOW_LIST}|{_FLOW_MAP}))?")
_ITEM = re.compile(rf"(?P<indent> *)- +(?P<value>{_SCALAR})")
_FLOW_ITEM = re.compile(r'"([^"]*)"')
# Only characters YAML reads as themselves: not those it refuses, nor the line breaks
# of YAML 1.1 (NEL, LS, PS), nor a byte order mark.
_PLAIN_TEXT = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_RESOLVER = Resolver()
# Scalar constructors keep no state: one constructor serves every call, in any thread.
_CONSTRUCTOR = SafeConstructor()
_STR = "tag:yaml.org,2002:str"

# A field as (key, line, value, the value as written when it is a plain scalar, the
# fields of a mapping value).
QuickField = tuple[str, int, Any, "str | None", "tuple[QuickField, ...]"]


class _NotSimple(Exception):
    """The text is not simple enough: PyYAML reads it."""


def _plain_value(text: str) -> Any:
    """A plain scalar as PyYAML types and makes it."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        return text
    construct = SafeConstructor.yaml_constructors.get(tag)
    if construct is None:
        raise _NotSimple
    try:
        return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        raise _NotSimple from None  # PyYAML's path words the error


def _scalar(text: str) -> tuple[Any, str | None]:
    """(value, raw) of a scalar as matched by _SCALAR; raw only for a plain one."""
    first = text[0]
    if first == '"':
        return text[1:-1], None
    if first == "'":
        return text[1:-1].replace("''", "'"), None
    if ": " in text or " #" in text:
        raise _NotSimple
    return _plain_value(text), text


def _inline(key: str, number: int, text: str) -> QuickField:
    if text[0] == "[":
        return key, number, _FLOW_ITEM.findall(text), None, ()
    if text[0] == "{":
        children = [_inline(pair["key"], number, pair["value"]) for pair in _PAIRS.finditer(text)]
        return key, number, _mapping(children), None, tuple(children)
    value, raw = _scalar(text)
    return key, number, value, raw, ()


def _mapping(children: list[QuickField]) -> dict[str, Any]:
    """The value of a mapping with these fields: keys that repeat, or that YAML reads as
    something else than a string, are left to PyYAML."""
    mapping: dict[str, Any] = {}
    for key, _, value, _, _ in children:
        if key in mapping or type(_plain_value(key)) is not str:
            raise _NotSimple
        mapping[key] = value
    return mapping


def _block(key: str, number: int, lines: list[str], start: int) -> tuple[QuickField, int]:
    """The field of `key:` whose value is on the lines from `start`: a list or a mapping.
    Returns it and the index of the line after it."""
    end = start
    if start < len(lines) and (item := _ITEM.fullmatch(lines[start])):
        indent, values = item["indent"], []
        while end < len(lines) and (item := _ITEM.fullmatch(lines[end])) \
                and item["indent"] == indent:
            values.append(_scalar(item["value"])[0])
            end += 1
        return (key, number, values, None, ()), end
    entry = _ENTRY.fullmatch(lines[start]) if start < len(lines) else None
    if entry is None or not entry["indent"]:
        raise _NotSimple  # `key:` alone is null; or something else follows
    indent, children = entry["indent"], []
    while end < len(lines) and (entry := _ENTRY.fullmatch(lines[end])) \
            and entry["indent"] == indent:
        if entry["value"] is None:
            raise _NotSimple  # nested deeper
        children.append(_inline(entry["key"], number + end - start + 1, entry["value"]))
        end += 1
    return (key, number, _mapping(children), None, tuple(children)), end


def quick_fields(text: str, first_line: int = 1) -> list[QuickField] | None:
    """The fields of a simple mapping, as yamldoc.load_mapping gives them; None when the
    text is not that simple."""
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    lines = text.split("\n")
    fields: list[QuickField] = []
    seen: set[str] = set()
    index = 0
    try:
        while index < len(lines):
            line = lines[index]
            if not line:
                index += 1
                continue
            entry = _ENTRY.fullmatch(line)
            if entry is None or entry["indent"] or entry["key"] in seen:
                return None
            key, number = entry["key"], first_line + index
            seen.add(key)
            if entry["value"] is not None:
                fields.append(_inline(key, number, entry["value"]))
                index += 1
            else:
                field, index = _block(key, number, lines, index + 1)
                fields.append(field)
    except _NotSimple:
        return None
    return fields
