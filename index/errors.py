"""The exceptions svar raises; each message is one line a user can act on."""


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
    """A search filter has a value that cannot be used (e.g. a malformed date)."""
