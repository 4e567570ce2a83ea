"""An RBM every N epochs, to draw a learning curve.

An RBM imputer trained with ``snapshot_every=N`` (epochs) and a
``checkpoint_dir`` keeps ``<checkpoint_dir>/snapshots/epoch-<e>.pt`` after
every N-th epoch (:func:`~mixmiss.rbm.training.train_rbm`): the model's
parameters (``W``, or ``A`` and ``B`` when low-rank; ``b``, ``c``),
``lambda`` and the imputer's settings -- not the generator state or the
epoch's permutation, so a snapshot is for evaluation, not for resuming (6 MB
at the paper's 4,096 hidden units and rank 314). Written and pruned by the
shared :class:`mixmiss.training.snapshots.Snapshots` (atomic,
``weights_only``; a resume deletes the snapshots written after its
checkpoint, which the resumed run writes again bit-identically).
"""

from __future__ import annotations

import copy
import os

from ..training.snapshots import load_epoch_snapshot

#: Settings of a snapshot's run that may differ from the imputer loading it: the
#: length of the run, where it ran, how it imputes.
FREE_SETTINGS = ("epochs", "device", "snapshot_every", "precision", "hidden", "visible",
                 "n_samples")  # fmt: skip


def load_snapshot(checkpoint_dir: str | os.PathLike, epoch: int, imputer):
    """A copy of ``imputer`` (an RBM imputer of the run's settings) holding the RBM and
    ``lambda`` of ``epoch``; a snapshot of another configuration is refused."""
    state = load_epoch_snapshot(checkpoint_dir, epoch, imputer.get_config(), FREE_SETTINGS, "RBM")
    other = copy.copy(imputer)
    other.load_state_dict({**state["model"], "lam": state["lam"]})
    return other
