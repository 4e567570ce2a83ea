"""Exceptions that carry a message meant for a person.

Every error that mixmiss raises on purpose derives from :class:`MixmissError`,
so that the command-line interface can print its message without a traceback.
Each message says what was wrong, where, and how to fix it.
"""


class MixmissError(Exception):
    """Base class of every deliberate mixmiss error."""


class InputError(MixmissError, ValueError):
    """An argument has the wrong shape, type, range or value."""


class DataError(MixmissError, OSError):
    """A dataset file is missing, unreadable, truncated or corrupt."""


class CacheError(MixmissError, OSError):
    """A cache, output or download directory cannot be used."""


class ExecutorError(MixmissError, RuntimeError):
    """A study's executor cannot run: Ray is not installed, or the cluster cannot be reached."""
