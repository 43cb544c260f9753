"""The small exception hierarchy of costlib.

Every message names the argument, the rule and the value, for example
``mfu must be in (0, 1], got 1.4``. The CLI and the Excel add-in translate these
exceptions into a short message; they never show a traceback to a finance user.

Each class carries the Excel error value that a cell shows for it
(``excel_error``), so the add-in needs no table of its own.
"""

from __future__ import annotations

__all__ = [
    "CostlibError",
    "InputError",
    "InputTypeError",
    "OutOfRangeError",
    "ShapeError",
    "UnknownNameError",
    "CatalogueError",
    "TemplateError",
    "OutputError",
]


class CostlibError(Exception):
    """Base class of every error costlib raises on purpose."""

    excel_error = "#VALUE!"


class InputError(CostlibError, ValueError):
    """An argument breaks a rule: the message names the argument, the rule and the value."""

    excel_error = "#VALUE!"

    def __init__(self, message: str, *, argument: str | None = None):
        super().__init__(message)
        self.argument = argument


class InputTypeError(InputError, TypeError):
    """An argument is not of a usable kind: text where a number is needed, a blank, NaN."""

    excel_error = "#VALUE!"


class OutOfRangeError(InputError):
    """A number lies outside the range its quantity allows (negative, zero, a fraction above 1)."""

    excel_error = "#NUM!"


class ShapeError(InputError):
    """Array arguments whose shapes do not broadcast against each other."""

    excel_error = "#VALUE!"


class UnknownNameError(InputError, KeyError):
    """A name that is not in a catalogue or a template; the message suggests the closest names."""

    excel_error = "#N/A"

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class TemplateError(InputError):
    """A template file that breaks the template format; the message names the file and the entry."""


class CatalogueError(CostlibError):
    """A catalogue data file that cannot be read or breaks the catalogue's format."""

    excel_error = "#VALUE!"


class OutputError(CostlibError, OSError):
    """The output cannot be written: a folder where a file should be, no permission, a name too long.

    An OSError too, so that code catching the system's error keeps working.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
