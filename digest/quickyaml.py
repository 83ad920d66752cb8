"""Simple front matter read without building YAML nodes.

Most front matter is one `key: value` per line, each value a double-quoted string, a
plain scalar (a word, a number, a date) or a flow list of double-quoted strings. For
such text `quick_fields` gives the fields yamldoc.load_mapping would give, in a sixth
of the time; for anything else (single quotes, escapes, nesting, comments after values,
repeated keys, characters YAML treats specially) it gives None, and PyYAML reads the
text. Plain scalars are typed by PyYAML's own resolver and constructor, so `yes`, `010`
or a date come out as PyYAML makes them. tests/test_quickyaml.py compares the two on
generated front matter and on the site's content.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

# A key short enough to be a YAML simple key; a double-quoted string without escapes,
# quotes or tabs; a flow list of those; or a plain scalar that starts with a letter or
# digit and holds only characters that cannot start or end a YAML token.
_LINE = re.compile(
    r'(?P<key>[A-Za-z_][A-Za-z0-9_-]{0,99}): +(?:'
    r'"(?P<quoted>[^"\\\t]*)"'
    r'|\[(?P<items>"[^"\\\t]*"(?:, *"[^"\\\t]*")*)?\]'
    r"|(?P<plain>[A-Za-z0-9](?:[A-Za-z0-9 ._+:/-]*[A-Za-z0-9._+/-])?))")
_ITEM = re.compile(r'"([^"]*)"')
# Only characters YAML reads as themselves: not those it refuses, nor the line breaks
# of YAML 1.1 (NEL, LS, PS), nor a byte order mark.
_PLAIN_TEXT = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_RESOLVER = Resolver()
# Scalar constructors keep no state: one constructor serves every call, in any thread.
_CONSTRUCTOR = SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def _plain_value(text: str) -> tuple[bool, Any]:
    """(True, value) for a plain scalar as PyYAML types it; (False, None) when its
    constructor fails (PyYAML's path then words the error)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        return True, text
    construct = SafeConstructor.yaml_constructors.get(tag)
    if construct is None:
        return False, None
    try:
        return True, construct(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return False, None


# A field as (key, line, value, the value as written when it is a plain scalar).
QuickField = tuple[str, int, Any, str | None]


def quick_fields(text: str, first_line: int = 1) -> list[QuickField] | None:
    """The fields of a simple mapping, as yamldoc.load_mapping gives them; None when the
    text is not that simple."""
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    fields: list[QuickField] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line:
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        key, quoted, items, plain = match.group("key", "quoted", "items", "plain")
        if key in seen or (plain is not None and ": " in plain):
            return None
        seen.add(key)
        if quoted is not None:
            fields.append((key, number, quoted, None))
        elif plain is not None:
            made, value = _plain_value(plain)
            if not made:
                return None
            fields.append((key, number, value, plain))
        else:
            fields.append((key, number, _ITEM.findall(items) if items else [], None))
    return fields
