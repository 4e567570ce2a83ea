"""Downstream accuracy: multinomial logistic regression on reconstructions or features.

The LM-RBM paper fits a multinomial logistic classifier to reconstructions of
the (masked, imputed) training set and reports its accuracy on reconstructed
test images; for RBMs, also on the hidden activations. Any feature matrix
works: images are flattened.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..errors import InputError


def _as_matrix(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[0] == 0:
        raise InputError(f"{name} must have shape (N, ...) with N >= 1, got {x.shape}.")
    x = x.reshape(x.shape[0], -1).astype(np.float64, copy=False)
    if not np.isfinite(x).all():
        raise InputError(f"{name} contains NaN or infinite values.")
    return x


def _as_labels(y, n: int, name: str) -> np.ndarray:
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise InputError(f"{name} must be {n} integer labels, got shape {y.shape} dtype {y.dtype}.")
    return y


def fit_logistic(
    train_x, train_y, C: float = 1.0, max_iter: int = 200, random_state: int = 0
) -> LogisticClassifier:
    """A multinomial logistic regression fit on (train_x, train_y), to score several test sets.

    Parameters
    ----------
    train_x : array or tensor (N, ...)
        Reconstructed images or features; flattened per row.
    train_y : integer labels (N,)
    C : float
        Inverse L2 regularisation strength (scikit-learn's default 1.0).
    max_iter : int
        L-BFGS iterations; a non-converged fit is used as it stands.
    """
    train_x = _as_matrix(train_x, "train_x")
    train_y = _as_labels(train_y, train_x.shape[0], "train_y")
    if np.unique(train_y).size < 2:
        raise InputError("train_y holds a single class; a classifier needs at least two.")
    model = LogisticRegression(C=C, max_iter=max_iter, random_state=random_state)
    # One BLAS/OpenMP thread: beside torch's own OpenMP pool the threaded L-BFGS
    # oversubscribes the cores and ran 6-14x slower on the 2-core machine.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(train_x, train_y)
    return LogisticClassifier(model)


class LogisticClassifier:
    """A fitted classifier of :func:`fit_logistic`; :meth:`accuracy` scores a test set."""

    def __init__(self, model: LogisticRegression):
        self.model = model

    def accuracy(self, test_x, test_y) -> float:
        test_x = _as_matrix(test_x, "test_x")
        expected = self.model.n_features_in_
        if test_x.shape[1] != expected:
            raise InputError(
                f"train_x has {expected} features per row but test_x has {test_x.shape[1]}."
            )
        test_y = _as_labels(test_y, test_x.shape[0], "test_y")
        return float(self.model.score(test_x, test_y))


def logistic_accuracy(
    train_x, train_y, test_x, test_y, C: float = 1.0, max_iter: int = 200, random_state: int = 0
) -> float:
    """Accuracy on (test_x, test_y) of :func:`fit_logistic` on (train_x, train_y)."""
    test_x = _as_matrix(test_x, "test_x")
    train_x = _as_matrix(train_x, "train_x")
    if train_x.shape[1] != test_x.shape[1]:
        raise InputError(
            f"train_x has {train_x.shape[1]} features per row but test_x has {test_x.shape[1]}."
        )
    classifier = fit_logistic(train_x, train_y, C=C, max_iter=max_iter, random_state=random_state)
    return classifier.accuracy(test_x, test_y)
