"""Errors raised by :mod:`estimation` (all subclasses of the package's own hierarchy).

:class:`DataValidationError` collects *every* problem found in a data set at
once, each with its frame, row and column, so a user can fix a file in one
pass. :class:`SamplingWarning` flags poor convergence diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gametheory.errors import InvalidArgumentError, describe_value

__all__ = ["Problem", "DataValidationError", "EstimationError", "SamplingWarning",
           "MissingDependencyError"]


@dataclass(frozen=True)
class Problem:
    """One problem found while validating observed allocations.

    Attributes
    ----------
    frame : str
        Which table (``regions``, ``organisations``, ``doctors``, ``bids``,
        ``allocations``).
    row : int or None
        0-based row position in that table (None for a whole-table problem).
    column : str or None
        The column concerned (None when the problem is not about one column).
    value : object
        The offending value.
    problem : str
        What is wrong.
    fix : str
        What to do.
    """

    frame: str
    row: int | None
    column: str | None
    value: Any
    problem: str
    fix: str

    def __str__(self) -> str:
        where = self.frame
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {describe_value(self.value, 60)} {self.problem}; {self.fix}"


class DataValidationError(InvalidArgumentError):
    """Observed allocation data failed validation; :attr:`problems` lists every problem."""

    def __init__(self, name: str, problems: list[Problem], source: str = "") -> None:
        self.problems = list(problems)
        head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        if source:
            head += f" in {source}"
        body = "\n  - ".join(str(p) for p in problems)
        super().__init__(name, f"<{source or 'AllocationData'}>", f"{head}:\n  - {body}\n",
                         "Fix each row and column listed above (your files were not changed)")


class EstimationError(InvalidArgumentError):
    """An estimation argument is invalid (model name, sampler, prior, sizes...)."""


class MissingDependencyError(EstimationError):
    """An optional dependency needed for the requested feature is not installed."""


class SamplingWarning(UserWarning):
    """Convergence diagnostics are poor (R-hat, effective sample size or divergences)."""
