"""Stop a training loop cleanly on a signal: the only signal handlers in mixmiss.

Inside :func:`stop_requests` the first SIGINT (Ctrl-C), SIGTERM or SIGUSR1
(the warning that SLURM's ``--signal`` and other schedulers send before they
pre-empt a job) only records the request; the loop checks it between steps,
writes a resumable checkpoint and raises :class:`TrainingInterrupted`, so no
optimiser step is cut in half. A second SIGINT interrupts at once
(:class:`KeyboardInterrupt`). The previous handlers are restored on exit.
Outside the main thread, where Python cannot install handlers, the block
does nothing and signals behave as usual.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import MixmissError

#: The signals that ask a training to checkpoint and stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)


class TrainingInterrupted(MixmissError):
    """Training stopped on a signal after writing a resumable checkpoint.

    The message says where it stopped, where the checkpoint is and how to
    continue: the exact command once the caller that knows it has added it
    with :meth:`with_resume_command`, else the Python call.
    """

    def __init__(self, signal_name: str, where: str, checkpoint: Path | None):
        self.signal_name = signal_name
        self.where = where
        self.checkpoint = checkpoint
        self.resume_command: str | None = None
        super().__init__(self._message())

    def _message(self) -> str:
        if self.checkpoint is None:
            return (
                f"{self.signal_name} at {self.where}; no checkpoint directory was given, "
                "so the run cannot be resumed."
            )
        how = (
            f"`{self.resume_command}`" if self.resume_command else "the same call with resume=True"
        )
        return (
            f"{self.signal_name} at {self.where}; checkpoint written to {self.checkpoint}. "
            f"Continue with {how}."
        )

    def with_resume_command(self, command: str | Sequence[str]) -> TrainingInterrupted:
        """This error, its message naming ``command`` (a string or an argv list) as the resume."""
        self.resume_command = command if isinstance(command, str) else shlex.join(command)
        self.args = (self._message(),)
        return self


class StopRequest:
    """Set by the handler; the loop reads :attr:`requested` between steps."""

    def __init__(self) -> None:
        self.signal_name: str | None = None

    @property
    def requested(self) -> bool:
        return self.signal_name is not None


@contextlib.contextmanager
def stop_requests() -> Iterator[StopRequest]:
    """Turn :data:`STOP_SIGNALS` into a request checked between steps (see the module docstring)."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def handler(signum, _frame):
        if request.requested and signum == signal.SIGINT:  # Ctrl-C twice: stop now
            raise KeyboardInterrupt
        request.signal_name = request.signal_name or signal.Signals(signum).name

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield request
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
