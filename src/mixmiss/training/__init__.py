"""The one training skeleton shared by MMGAN, the RBMs and MisGAN.

Each model owns its step function; this package owns everything around it
and knows nothing model-specific:

- :mod:`.interrupt`: the only signal handlers in mixmiss. SIGINT (Ctrl-C),
  SIGTERM and SIGUSR1 (what cluster schedulers send before pre-emption)
  ask the loop to stop after the current step; :class:`TrainingInterrupted`
  then names the exact command that resumes.
- :mod:`.checkpoint`: one atomic checkpoint file per run, loaded with
  ``weights_only=True``, and one check that a resume uses the same settings.
- :mod:`.loop`: the step loop with its progress bar, periodic checkpoints
  (every N steps and every T seconds), the interrupt checkpoint, and the
  training time summed over every stretch of a resumed run.
"""

from .checkpoint import Checkpoint
from .interrupt import STOP_SIGNALS, TrainingInterrupted, stop_requests
from .loop import TrainingLoop, in_epochs
from .snapshots import (
    SNAPSHOT_DIR,
    Snapshots,
    check_snapshot_every,
    epoch_snapshots,
    snapshot_epochs,
)

__all__ = [
    "SNAPSHOT_DIR",
    "STOP_SIGNALS",
    "Snapshots",
    "Checkpoint",
    "TrainingInterrupted",
    "TrainingLoop",
    "check_snapshot_every",
    "epoch_snapshots",
    "in_epochs",
    "snapshot_epochs",
    "stop_requests",
]
