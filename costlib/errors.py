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


def at_position(position: tuple[int, ...] | None) -> str:
    """How a message says where in an array a bad value is: `` at position 3`` (one axis),
    `` at position (1, 2)`` (more), nothing for a single value.

    >>> at_position((3,)), at_position((1, 2)), at_position(None)
    (' at position 3', ' at position (1, 2)', '')
    """
    if position is None:
        return ""
    return f" at position {position[0]}" if len(position) == 1 else f" at position {position}"


def shapes_listing(shapes: tuple[tuple[str, tuple[int, ...]], ...], shape=str) -> str:
    """``name (2, 3), other (4,)``: the arrays that do not broadcast, each shape worded by ``shape``."""
    return ", ".join(f"{name} {shape(s)}" for name, s in shapes)


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
    rewriting the text. ``position`` is the index of the bad value in an array argument
    (the message ends its value with :func:`at_position`); ``shapes``, for arrays that do not
    broadcast, each one's name and shape (the message lists them with :func:`shapes_listing`).
    """

    excel_error = "#VALUE!"

    def __init__(self, message: str, *, argument: str | None = None, parameter: str | None = None,
                 key: str | None = None, instead: str | None = None, position: tuple[int, ...] | None = None,
                 shapes: tuple[tuple[str, tuple[int, ...]], ...] | None = None):
        super().__init__(message)
        self.argument = argument
        self.parameter = parameter
        self.key = key
        self.instead = instead
        self.position = position
        self.shapes = shapes

    @property
    def place(self) -> str | None:
        """How the message names what it is about (``ranges['mfu']``, ``n``); None where it names no parameter."""
        if self.parameter is None:
            return None
        return self.parameter if self.key is None else f"{self.parameter}[{self.key!r}]"

    def worded(self, place: str | None = None, instead: str | None = None, position=None, shape=None) -> str:
        """The message with its place called ``place``, its suggested parameter called ``instead``,
        the position of its bad value worded by ``position(index)`` and the shapes that do not
        broadcast by ``shape(shape)`` (each callable may return None: that one is left as it is).
        """
        text = str(self)
        if position is not None and self.position is not None and position(self.position) is not None:
            text = text.replace(at_position(self.position), position(self.position), 1)
        if shape is not None and self.shapes:
            text = text.replace(shapes_listing(self.shapes),
                                shapes_listing(self.shapes, lambda s: shape(s) or str(s)), 1)
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
