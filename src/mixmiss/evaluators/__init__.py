"""Pre-trained classifiers that score generated and imputed images.

Each dataset has one small CNN (:class:`ClassifierCNN`), trained once and
cached; its predictions score MMGAN components, its penultimate features
define the FID used across the project.
"""

from .evaluator import Evaluator
from .network import ClassifierCNN, ClassifierConfig
from .reference import fid_score, reference_statistics
from .training import RECIPES, evaluator_info, get_evaluator, load_evaluator, train_evaluator

__all__ = [
    "RECIPES",
    "ClassifierCNN",
    "ClassifierConfig",
    "Evaluator",
    "evaluator_info",
    "fid_score",
    "get_evaluator",
    "load_evaluator",
    "reference_statistics",
    "train_evaluator",
]
