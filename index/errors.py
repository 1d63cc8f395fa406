"""The exceptions svar raises; each message is one line a user can act on."""

from __future__ import annotations

from collections.abc import Callable


class SvarError(Exception):
    """Base class: anything svar reports to a user."""


class ReadError(SvarError):
    """A file could not be read as an answer (missing, binary, empty, undecodable)."""


class IndexMissingError(SvarError):
    """No index exists where one was expected."""


class IndexDamagedError(SvarError):
    """The index exists but cannot be opened or is of an incompatible version."""


class IndexLockedError(SvarError):
    """Another process is writing to the index."""


class UnknownDocumentError(SvarError):
    """No answer with the given dnr is indexed."""


class FilterError(SvarError):
    """A search setting has a value that cannot be used (a malformed date, an unknown kind of passage).

    It carries the setting's ``field`` name ("since", "year", "sort" …), the ``value`` as given and the
    ``reason``, so that each front end can name the field its own way (the command line's ``--since``,
    the web form's label): see ``worded``. The reason may refer to a second setting as ``{other}``
    (``other`` holds its name and value), as when a date range ends before it starts.
    """

    def __init__(self, field: str, value: object, reason: str, *, other: tuple[str, object] | None = None) -> None:
        self.field, self.value, self.reason, self.other = field, value, reason, other
        super().__init__(self.worded(lambda name: name))

    def worded(self, name: Callable[[str], str]) -> str:
        """The message with each field called ``name(field)``: "NAME 'value': reason"."""
        reason = self.reason
        if self.other is not None:
            reason = reason.replace("{other}", f"{name(self.other[0])} {self.other[1]!r}")
        return f"{name(self.field)} {self.value!r}: {reason}"
