"""Frechet distance between Gaussians fitted to feature sets (FID).

FID = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2}) (Heusel et al. 2017).
The features are the evaluator network's penultimate activations, not
Inception's: see :mod:`mixmiss.evaluators`. The matrix square root follows
MisGAN's reference code: ``scipy.linalg.sqrtm``, retried with 1e-6 added to
both diagonals when the product is singular.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy import linalg

from ..errors import InputError


def gaussian_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of ``features`` (N, D), in float64."""
    if isinstance(features, torch.Tensor):
        features = features.detach().cpu().numpy()
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise InputError(f"features must have shape (N, D) with N >= 2, got {features.shape}.")
    if not np.isfinite(features).all():
        raise InputError("features contain NaN or infinite values.")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2)."""
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = (
        np.atleast_2d(sigma1).astype(np.float64),
        np.atleast_2d(sigma2).astype(np.float64),
    )
    if (
        mu1.shape != mu2.shape
        or sigma1.shape != sigma2.shape
        or sigma1.shape != (mu1.size, mu1.size)
    ):
        raise InputError(
            f"mismatched statistics: means {mu1.shape} / {mu2.shape}, "
            f"covariances {sigma1.shape} / {sigma2.shape}."
        )
    diff = mu1 - mu2
    with warnings.catch_warnings():
        # A singular product is handled below, as in MisGAN's reference code.
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
        if not np.isfinite(covmean).all():
            offset = np.eye(sigma1.shape[0]) * eps
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def fid_from_features(features, reference: tuple[np.ndarray, np.ndarray]) -> float:
    """FID of a feature set (N, D) against reference statistics (mu, sigma)."""
    mu, sigma = gaussian_statistics(features)
    return frechet_distance(mu, sigma, *reference)
