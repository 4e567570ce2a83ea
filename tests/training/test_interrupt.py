"""The only signal handlers: requests recorded, handlers restored, the error's message."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from mixmiss.errors import MixmissError
from mixmiss.training import STOP_SIGNALS, TrainingInterrupted, stop_requests


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_signal_is_recorded_not_raised(signum):
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    with stop_requests() as stop:
        assert not stop.requested
        os.kill(os.getpid(), signum)
        assert stop.requested and stop.signal_name == signal.Signals(signum).name
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_a_second_ctrl_c_stops_at_once():
    with pytest.raises(KeyboardInterrupt), stop_requests() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested
        os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_first_signal_is_the_one_reported():
    with stop_requests() as stop:
        os.kill(os.getpid(), signal.SIGUSR1)
        os.kill(os.getpid(), signal.SIGTERM)
    assert stop.signal_name == "SIGUSR1"


def test_outside_the_main_thread_nothing_is_installed():
    seen = {}

    def worker():
        with stop_requests() as stop:
            seen["handler"] = signal.getsignal(signal.SIGINT)
            seen["requested"] = stop.requested

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"handler": signal.default_int_handler, "requested": False}


def test_the_message_names_the_checkpoint_and_the_resume():
    error = TrainingInterrupted("SIGTERM", "step 3/9", Path("/runs/a/checkpoint.pt"))
    assert isinstance(error, MixmissError)
    assert "SIGTERM at step 3/9" in str(error) and "/runs/a/checkpoint.pt" in str(error)
    assert "resume=True" in str(error)
    error.with_resume_command(["mixmiss", "mmgan", "train", "--out", "my run", "--resume"])
    assert str(error).endswith("Continue with `mixmiss mmgan train --out 'my run' --resume`.")
    assert "\n" not in str(error)


def test_without_a_checkpoint_the_message_says_it_cannot_resume():
    assert "cannot be resumed" in str(TrainingInterrupted("SIGINT", "step 1/2", None))
