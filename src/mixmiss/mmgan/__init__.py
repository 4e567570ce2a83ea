"""MMGAN: mixed-membership GANs (Yazici et al.).

n overlapping image distributions are modelled as mixtures over K shared
generator components, p_{g_i} = sum_k alpha_k^(i) p_{g~_k} (Eq. 5), with
learned weights alpha^(i) = softmax(omega^(i)) (Eq. 9), trained with the
objective of Eq. 8 plus the disjointness term of Eq. 11.

Modules: :mod:`.config` (settings and presets), :mod:`.networks`,
:mod:`.objective` (Eqs. 8-11), :mod:`.model` (one vectorised training step),
:mod:`.run` (the run directory: building, reading and loading runs),
:mod:`.trainer` (the step, logs, checkpoint contents, resume; the loop is
:class:`mixmiss.training.TrainingLoop`), :mod:`.sampling` (Section 3), :mod:`.evaluation`
(Table 2), :mod:`.coverage` (does a component draw all its region's classes?),
:mod:`.snapshots` (the EMA generator every N steps) and :mod:`.trace`
(coverage over those snapshots), :mod:`.figures` (Figs. 2-4), :mod:`.bench`.
"""

from .config import PRESETS, MMGANConfig, make_config
from .evaluation import evaluate_run
from .figures import component_figure, samples_figure
from .model import MixedMembershipGAN
from .objective import mixture_weights
from .run import RunInfo, load_model, read_info
from .sampling import sample_component, sample_distribution
from .trace import coverage_trace
from .trainer import TrainingInterrupted, resume_training, train

__all__ = [
    "PRESETS",
    "MMGANConfig",
    "MixedMembershipGAN",
    "RunInfo",
    "TrainingInterrupted",
    "component_figure",
    "coverage_trace",
    "evaluate_run",
    "load_model",
    "make_config",
    "mixture_weights",
    "read_info",
    "resume_training",
    "sample_component",
    "sample_distribution",
    "samples_figure",
    "train",
]
