"""Stop a training loop cleanly on SIGINT / SIGTERM.

Inside :func:`deferred_interrupt` the first SIGINT (Ctrl-C) or SIGTERM only
sets a flag; the loop checks it between steps, writes a resumable checkpoint
and raises :class:`KeyboardInterrupt` itself, so no optimiser step is cut in
half. A second signal interrupts at once. The previous handlers are restored
on exit. Outside the main thread (where Python cannot install handlers) the
block does nothing and signals behave as usual.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class StopFlag:
    """Set by the handler; ``requested`` is read by the training loop."""

    def __init__(self) -> None:
        self.requested = False
        self.signal_name: str | None = None


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[StopFlag]:
    """Defer SIGINT / SIGTERM to the loop's next safe point (see the module docstring)."""
    flag = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def handler(signum, frame):
        if flag.requested:  # second signal: stop now
            raise KeyboardInterrupt
        flag.requested = True
        flag.signal_name = signal.Signals(signum).name

    for sig in signals:
        signal.signal(sig, handler)
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
