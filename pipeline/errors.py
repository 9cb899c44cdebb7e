"""User-facing errors: one line per problem, naming the file, the field path and the value."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pipeline.redact import redact

_MISSING = object()
NO_VALUE = object()  # nothing to show: a value we never read (an unknown key's), or no value at all
MAX_KEY_CHARS = 40  # an untrusted key shown in a field path


def _show(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    if hasattr(value, "item") and callable(value.item):  # numpy scalar: show 75.09, not np.float64(75.09)
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str
    value: Any = _MISSING

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        if (self.value is _MISSING and not self.field) or self.value is NO_VALUE:
            return f"{where}: {self.message}"
        return f"{where}: {self.message} (value: {_show(self.value)})"


_HINTS = {
    errno.EACCES: "check its permissions, or choose another path",
    errno.EPERM: "the operating system refused it; choose another path",
    errno.EROFS: "the file system is read-only; choose another path",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENAMETOOLONG: "a shorter path is needed",
    errno.ELOOP: "too many symbolic links, or a link where none is allowed",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file is in the way",
    errno.EISDIR: "it is a folder, not a file",
}


def os_reason(exc: OSError) -> str:
    """'Permission denied (check its permissions, or choose another path)': the system's words and a hint."""
    reason = exc.strerror or type(exc).__name__
    hint = _HINTS.get(exc.errno or 0)
    return f"{reason} ({hint})" if hint else reason


def os_problem(exc: OSError) -> str:
    """One line for a file-system error from the user's environment: '<file>: <reason> (<hint>)'."""
    where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
    return f"{where}: {os_reason(exc)}" if exc.filename else os_reason(exc)


class StockreportError(Exception):
    """An error the user can act on; the CLI prints it without a traceback.

    String arguments are passed through `redact`, so a provider that echoes an API key back in its error
    body cannot get it printed, logged or written to a batch manifest.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class InputError(StockreportError):
    """One or more problems with input files."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(loc: tuple[int | str, ...]) -> str:
    """('financials', 'periods', 2, 'end') -> 'financials.periods[2].end'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if len(part) <= MAX_KEY_CHARS else part[: MAX_KEY_CHARS - 3] + "..."  # untrusted: bounded
        if part.isidentifier():
            out += f".{key}" if out else key
        else:  # quoted, so control characters cannot break the line
            out += f"[{key!r}]"
    return out


def problems_from_validation(file: str, err: ValidationError) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        value = {"missing": _MISSING, "extra_forbidden": NO_VALUE}.get(e["type"], e.get("input", _MISSING))
        msg = e["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, field_path(loc) or "(top level)", msg, value))
    return problems
