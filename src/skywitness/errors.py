"""The error hierarchy: one root ``SkywitnessError`` and typed subclasses that say where and why."""

from __future__ import annotations


class SkywitnessError(Exception):
    """Root of every error skywitness raises on purpose."""


class InputError(SkywitnessError):
    """Bad input, located: the file (or source spec), the byte offset or line, and the reason.

    Raised in ``--strict`` mode on the first rejected frame/line/record, and whenever a whole
    input cannot be read at all (missing file, unknown format).
    """

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        detail: str = "",
    ) -> None:
        self.source = source
        self.reason = reason
        self.offset = offset
        self.line = line
        self.detail = detail
        where = source
        if line is not None:
            where += f", line {line}"
        if offset is not None:
            where += f", offset {offset}"
        msg = f"{where}: {reason}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class FormatError(InputError):
    """The input's format could not be recognised or is not the one asked for."""


class ConfigError(SkywitnessError):
    """A settings or rules file is wrong; the message names the file, line and field."""
