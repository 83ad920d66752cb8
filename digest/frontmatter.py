"""Raw article files -> (front matter fields, body): decoding and splitting, with clear errors."""

from __future__ import annotations

import re

from digest.errors import ContentError
from digest.yamldoc import Field, YamlError, load_mapping

MAX_FILE_BYTES = 2_000_000
MAX_FRONT_MATTER_CHARS = 64_000
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# One line, so that every error stays one line (file:line: message) in a list of errors.
_EXAMPLE = "a line '---', then title: and date: lines, then a line '---'"


def decode(path: str, data: bytes) -> str:
    """UTF-8 (with or without BOM) -> text with '\\n' line ends."""
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(path, None, None, f"the file is {len(data):,} bytes; articles are "
                           f"limited to {MAX_FILE_BYTES:,} bytes: split it or trim it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ContentError(path, line, None, f"not valid UTF-8 at byte {error.start} "
                           f"({data[error.start:error.start + 1]!r}); save the file as UTF-8 "
                           "(or import it with digest import, which detects encodings)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(path: str, text: str) -> tuple[list[Field], str, int]:
    """Front matter fields, the body, and the line the body starts on."""
    if not text.strip():
        raise ContentError(path, None, None, f"the file is empty; an article begins with "
                           f"front matter: {_EXAMPLE}")
    if not (text.startswith("---\n") or text.rstrip(" \t") == "---"):
        raise ContentError(path, 1, None, f"no front matter: an article must begin with "
                           f"{_EXAMPLE}")
    closing = _CLOSING.search(text, 4)
    if closing is None:
        raise ContentError(path, 1, None, "the front matter that starts on line 1 is never "
                           "closed: add a line '---' after its last field")
    yaml_text = text[4:closing.start()]
    if len(yaml_text) > MAX_FRONT_MATTER_CHARS:
        raise ContentError(path, 1, None, f"the front matter is {len(yaml_text):,} characters; "
                           f"the limit is {MAX_FRONT_MATTER_CHARS:,}")
    try:
        fields = load_mapping(yaml_text, first_line=2)
    except YamlError as error:
        raise ContentError(path, error.line, None, error.message) from None
    body_start = text.count("\n", 0, closing.end()) + 2
    return fields, text[closing.end() + 1:], body_start
