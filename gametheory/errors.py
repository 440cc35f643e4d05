"""The package's exception hierarchy.

Every error raised on bad input is a :class:`RestratError` and also a
:class:`ValueError` (or :class:`TypeError` for arguments of the wrong type), so
callers can catch either the package's own base class or the builtin one. Each
message names the argument, shows the offending value and says what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RestratError",
    "InvalidArgumentError",
    "InvalidTypeError",
    "InvalidGameError",
    "InvalidAllocationError",
    "GameTooLargeError",
    "SolverError",
    "ConvergenceError",
    "InputFileError",
    "OutputPathError",
    "describe_value",
]


def describe_value(value: Any, limit: int = 120) -> str:
    """Short ``repr`` of *value* for error messages (long reprs are cut)."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - repr itself failed
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class RestratError(Exception):
    """Base class of every error raised by restrat."""


class InvalidArgumentError(RestratError, ValueError):
    """An argument has an invalid value.

    Parameters
    ----------
    name : str
        The argument's name as the user typed it.
    value : object
        The value received (shown, shortened, in the message).
    problem : str
        What is wrong with it.
    fix : str
        What the user should do instead.
    """

    def __init__(self, name: str, value: Any, problem: str, fix: str) -> None:
        self.name = name
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{name}={describe_value(value)}: {problem}. {fix}")


class InvalidTypeError(RestratError, TypeError):
    """An argument has the wrong type (same fields as :class:`InvalidArgumentError`)."""

    def __init__(self, name: str, value: Any, problem: str, fix: str) -> None:
        self.name = name
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{name}={describe_value(value)}: {problem}. {fix}")


class InvalidGameError(InvalidArgumentError):
    """The data describing a game are inconsistent (length, finiteness, v(empty))."""


class InvalidAllocationError(InvalidArgumentError):
    """An allocation (payoff vector) has the wrong length or non-finite entries."""


class GameTooLargeError(InvalidArgumentError):
    """An exact method would need more memory or time than is reasonable.

    The message names the limit and the approximate alternative to use.
    """


class SolverError(RestratError, ValueError):
    """A numerical solver (HiGHS, a fixed point, a continuation) failed.

    The solver's own status and message are kept in :attr:`status` and
    :attr:`detail`.
    """

    def __init__(self, what: str, status: Any, detail: str, fix: str) -> None:
        self.what = what
        self.status = status
        self.detail = detail
        self.fix = fix
        super().__init__(f"{what} failed (status {status}: {detail}). {fix}")


class ConvergenceError(SolverError):
    """An iterative method did not converge within its budget."""


class InputFileError(InvalidArgumentError):
    """An input file is missing, unreadable, too large, binary or not UTF-8 text."""


class OutputPathError(InvalidArgumentError):
    """An output target cannot be written (a file where a folder is needed, a path inside a
    file, a device such as ``/dev/null``, a folder without write permission, or existing
    results that would be overwritten without ``overwrite``)."""
