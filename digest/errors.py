"""User-facing errors: printed by the CLI as one clear message, without a traceback.

Anything that is not a DigestError is a bug in digest and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class DigestError(Exception):
    """A problem the user can fix."""


class ConfigError(DigestError):
    """config.yaml (or a command-line override) is invalid."""

    def __init__(self, path: str, key: str, message: str, line: int | None = None) -> None:
        self.path, self.key, self.line, self.message = path, key, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {message}")


class ContentError(DigestError):
    """One problem in one content file, located by line and field."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str) -> None:
        self.path, self.line, self.field, self.message = path, line, field, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class ContentErrors(DigestError):
    """Every content problem of a build, reported together."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0, e.field or ""))
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the content:"]
        lines += [f"  {error}" for error in self.errors]
        super().__init__("\n".join(lines))


class TemplateError(DigestError):
    """A template failed to load or render; names the template, line and page."""


class OutputError(DigestError):
    """The output folder cannot be written safely."""


class StrictError(DigestError):
    """Warnings turned into errors by --strict."""

    def __init__(self, warnings: Iterable[str]) -> None:
        self.warnings = list(warnings)
        lines = [f"{len(self.warnings)} warning(s), and --strict makes them errors:"]
        lines += [f"  {warning}" for warning in self.warnings]
        super().__init__("\n".join(lines))
