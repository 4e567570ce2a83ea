"""MisGAN's imputer network every N epochs, to draw a learning curve.

A MisGAN trained with ``snapshot_every=N`` (epochs) and a ``checkpoint_dir``
keeps ``<checkpoint_dir>/snapshots/epoch-<e>.pt`` after every N-th epoch:
the imputer network G_i (what imputation uses; 2.5M parameters, about 10 MB
at the paper's width) and the run's settings -- not the generators, critics
or optimisers, so a snapshot is for evaluation, not for resuming. Written
and pruned by the shared :class:`mixmiss.training.snapshots.Snapshots`
(atomic, ``weights_only``; a resume deletes the snapshots written after its
checkpoint, which the resumed run writes again bit-identically).
"""

from __future__ import annotations

import copy
import os

from ..device import resolve_device
from ..training.snapshots import load_epoch_snapshot

#: Settings of a snapshot's run that may differ from the imputer loading it.
FREE_SETTINGS = ("epochs", "device", "log_every", "snapshot_every", "n_samples", "precision")


def load_snapshot(checkpoint_dir: str | os.PathLike, epoch: int, imputer):
    """A copy of ``imputer`` (a :class:`~mixmiss.misgan.MisGANImputer` of the run's
    settings) whose imputer network is the one of ``epoch``.

    Only imputation is meaningful on it: the generators and critics are
    freshly initialised. A snapshot of another configuration is refused.
    """
    state = load_epoch_snapshot(
        checkpoint_dir, epoch, imputer.get_config(), FREE_SETTINGS, "MisGAN"
    )
    other = copy.copy(imputer)
    other._validate()
    nets = other.build_networks(0, resolve_device(other.device))
    nets.imputer.load_state_dict(state["imputer"])
    other.networks_ = nets.eval()
    return other
