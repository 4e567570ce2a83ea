"""FID with the evaluator's features and cached reference statistics.

The reference Gaussian is fitted to the evaluator features of every image of
the real training split (as MisGAN's FID does with all 60,000 MNIST training
images) and cached in ``<cache_dir>/fid/<name>-<split>-<checksum>.npz``, where
``name`` is the evaluator's cache name (the dataset for the evaluator CNNs,
``lenet-mnist`` for the reference LeNet); the evaluator's checksum is in the
name, so retraining it invalidates the cache.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from .. import paths
from ..atomic import atomic_savez
from ..data import load_dataset
from ..metrics.fid import fid_from_features, gaussian_statistics
from .evaluator import Evaluator


def reference_statistics(
    evaluator: Evaluator,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    split: str = "train",
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the evaluator features of the real ``split``, cached to .npz."""
    fid_dir = paths.cache_dir(cache_dir) / "fid"
    path = fid_dir / f"{evaluator.name}-{split}-{evaluator.metadata['checksum'][:16]}.npz"
    if path.is_file():
        try:
            with np.load(path) as stored:
                mu, sigma = stored["mu"], stored["sigma"]
            if mu.ndim == 1 and sigma.shape == (len(mu), len(mu)):
                return mu, sigma
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            pass  # a damaged cache is recomputed below, as a damaged evaluator is retrained
    real = load_dataset(evaluator.dataset, split, data_dir)
    mu, sigma = gaussian_statistics(evaluator.features(real.images))
    paths.ensure_writable_dir(
        fid_dir, "FID cache directory", f"--cache-dir or {paths.CACHE_DIR_ENV}"
    )
    atomic_savez(path, mu=mu, sigma=sigma, n=np.array(len(real)))
    return mu, sigma


def fid_score(
    images,
    evaluator: Evaluator,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> float:
    """FID of ``images`` (N, 1, H, W) in [0, 1] against the evaluator's real training set."""
    reference = reference_statistics(evaluator, data_dir, cache_dir)
    return fid_from_features(evaluator.features(images), reference)
