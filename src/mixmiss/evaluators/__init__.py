"""Pre-trained classifiers that score generated and imputed images.

Each dataset has one small CNN (:class:`ClassifierCNN`), trained once and
cached; its predictions score MMGAN components, its penultimate features
define the project's own FID. The reference LeNet (:mod:`.lenet`), trained
as MisGAN's code trains it, defines the FID that the LM-RBM paper prints.
"""

from .evaluator import Evaluator
from .lenet import LeNet, get_lenet, lenet_info, load_lenet, train_lenet
from .network import ClassifierCNN, ClassifierConfig
from .reference import fid_score, reference_statistics
from .training import RECIPES, evaluator_info, get_evaluator, load_evaluator, train_evaluator

__all__ = [
    "RECIPES",
    "ClassifierCNN",
    "ClassifierConfig",
    "Evaluator",
    "LeNet",
    "evaluator_info",
    "fid_score",
    "get_evaluator",
    "get_lenet",
    "lenet_info",
    "load_evaluator",
    "load_lenet",
    "reference_statistics",
    "train_evaluator",
    "train_lenet",
]
