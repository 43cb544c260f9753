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
    """An argument breaks a rule: the message names the argument, the rule and the value.

    ``argument`` is the argument (or template input) at fault. Where the message begins by
    naming a parameter of the function called, or an entry of it (``ranges['mfu'] must have
    low <= base <= high``), ``parameter`` and ``key`` say which (``"ranges"``, ``"mfu"``),
    and ``instead`` names the parameter the message suggests in its closing brackets
    (``(fixed=)``): a caller with other names for them (the command line's ``--range mfu``,
    ``--set``) words the same error in its own terms with :meth:`worded`, never by
    rewriting the text.
    """

    excel_error = "#VALUE!"

    def __init__(self, message: str, *, argument: str | None = None, parameter: str | None = None,
                 key: str | None = None, instead: str | None = None):
        super().__init__(message)
        self.argument = argument
        self.parameter = parameter
        self.key = key
        self.instead = instead

    @property
    def place(self) -> str | None:
        """How the message names what it is about (``ranges['mfu']``, ``n``); None where it names no parameter."""
        if self.parameter is None:
            return None
        return self.parameter if self.key is None else f"{self.parameter}[{self.key!r}]"

    def worded(self, place: str | None = None, instead: str | None = None) -> str:
        """The message with its place called ``place`` and its suggested parameter called ``instead``."""
        text = str(self)
        if place is not None and self.place is not None and text.startswith(self.place):
            text = place + text[len(self.place):]
        suggestion = f"({self.instead}=)"
        if instead is not None and self.instead is not None and text.endswith(suggestion):
            text = text[:-len(suggestion)] + f"({instead})"
        return text


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
