"""Mean imputation: each missing pixel gets its observed mean over the training set.

The first "untrained" baseline of the LM-RBM paper (Table 1, column "Mean").
For pixel j, with x_ij the training images and m_ij their masks (1 = observed),

    mu_j = sum_i m_ij x_ij / sum_i m_ij.

A pixel that is never observed in the training set has no such mean; it gets
the global observed mean sum_ij m_ij x_ij / sum_ij m_ij instead (our choice:
the paper does not meet this case). An image with no observed pixel at all
is completed with mu, like any other image.
"""

from __future__ import annotations

import torch

from ..errors import CacheError, InputError
from .base import Imputer


class MeanImputer(Imputer):
    """Fill each missing pixel with its observed training-set mean.

    Parameters
    ----------
    random_state : int or None
        Unused (the method is deterministic); accepted for the shared interface.
    device : str
        Unused: the means are computed on the images' device.

    Attributes
    ----------
    pixel_mean_ : torch.Tensor, shape (1, 1, H, W)
        mu_j, with the global observed mean where a pixel was never observed.
    global_mean_ : float
        The mean of all observed training pixels.

    Examples
    --------
    >>> x = torch.rand(10, 1, 4, 4)
    >>> mask = (torch.rand(10, 1, 4, 4) > 0.5).float()
    >>> imputer = MeanImputer().fit(x, mask, progress=False)
    >>> bool((imputer.impute(x, mask) * mask == x * mask).all())
    True
    """

    method = "mean"
    colour = "joint"  # a mean per pixel and channel

    def __init__(self, random_state: int | None = None, device: str = "auto"):
        self.random_state = random_state
        self.device = device

    def get_config(self) -> dict:
        return {"random_state": self.random_state, "device": self.device}

    def _fit(self, x_obs, mask, checkpoint_dir, resume, progress) -> None:
        observed = mask.sum(dim=0, dtype=torch.float64)  # (1, H, W)
        total = x_obs.sum(dim=0, dtype=torch.float64)
        n_observed = observed.sum()
        if not bool(n_observed > 0):
            raise InputError(
                "the training masks mark no pixel as observed, so there is no mean to learn; "
                "train on images with at least one observed pixel."
            )
        global_mean = total.sum() / n_observed
        pixel_mean = torch.where(observed > 0, total / observed.clamp_min(1.0), global_mean)
        self.pixel_mean_ = pixel_mean[None].to(torch.float32)
        self.global_mean_ = float(global_mean)

    def _complete(self, x_obs, mask) -> torch.Tensor:
        self._require_fitted(hasattr(self, "pixel_mean_"))
        if tuple(x_obs.shape[2:]) != tuple(self.pixel_mean_.shape[2:]):
            raise InputError(
                f"this mean imputer was fitted on {tuple(self.pixel_mean_.shape[2:])} images, "
                f"got {tuple(x_obs.shape[2:])}."
            )
        return self.pixel_mean_.to(x_obs.device).expand_as(x_obs)

    def state_dict(self) -> dict[str, torch.Tensor]:
        if not hasattr(self, "pixel_mean_"):
            return {}
        return {
            "pixel_mean": self.pixel_mean_,
            "global_mean": torch.tensor(self.global_mean_, dtype=torch.float64),
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        if not state:
            return
        if set(state) != {"pixel_mean", "global_mean"}:
            raise CacheError(f"not a mean imputer state: keys {sorted(state)}.")
        self.pixel_mean_ = state["pixel_mean"].to(torch.float32)
        self.global_mean_ = float(state["global_mean"])
