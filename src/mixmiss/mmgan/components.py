"""What each component is, without labels: shared, unique or dropped, and merge candidates.

With collections nobody knows the regions, so a trained model is described by
its learned weights alpha (n, K) and by its samples:

- a component is **dropped** when its weight is below :data:`DROP_THRESHOLD`
  (0.02) in every distribution: no distribution draws it in more than 1 of 50
  samples;
- of the others, a component is **shared** when its weight reaches
  :data:`SHARED_THRESHOLD` (0.05) in two or more distributions, **unique**
  to a distribution when it reaches it in that one only (and "minor" when it
  reaches it in none). 0.05 is about a third of the smallest region prior in
  the paper's cases and the shapes collections; weights of components that
  serve one distribution only sit below 0.02 in the others in our runs;
- two kept components are **merge candidates** when they generate the same
  thing (the paper's Fashion-MNIST case C: two components drawing one
  region). Two signals, either suffices:

  * the classifier C cannot tell them apart: for the pair (k, j), the mean
    probability that C, restricted to the two, gives a sample of k to j
    (and j's to k), averaged over both; 0 when C separates them, 0.5 when it
    guesses. Flagged at :data:`CONFUSION_THRESHOLD` (0.25). C is trained to
    separate components (Eq. 11), so this flags only the clearest cases;
  * their samples are as close in feature space as a component is to itself:
    FID between the first half of k's samples and the second half of j's,
    divided by the larger of the two split-half FIDs of k and of j (the
    noise floor of that sample size). 1 for two copies of one distribution;
    flagged at or below :data:`FEATURE_RATIO_THRESHOLD` (2).
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

from ..metrics import fid_from_features, gaussian_statistics

DROP_THRESHOLD = 0.02
SHARED_THRESHOLD = 0.05
CONFUSION_THRESHOLD = 0.25
FEATURE_RATIO_THRESHOLD = 2.0


def component_roles(alpha: np.ndarray) -> list[dict]:
    """Per component: ``weights`` (n,), ``role`` and the 1-based ``distributions`` it serves."""
    alpha = np.asarray(alpha, dtype=np.float64)
    roles = []
    for k in range(alpha.shape[1]):
        weights = alpha[:, k]
        serves = [int(i) + 1 for i in np.flatnonzero(weights >= SHARED_THRESHOLD)]
        if weights.max() < DROP_THRESHOLD:
            role = "dropped"
        else:
            role = {0: "minor", 1: "unique"}.get(len(serves), "shared")
        roles.append({"weights": weights.round(5).tolist(), "role": role, "distributions": serves})
    return roles


@torch.no_grad()
def classifier_confusion(
    model, samples: torch.Tensor, components: torch.Tensor, batch_size: int = 1000
) -> np.ndarray:
    """confusion[k, j] (K, K): the pairwise confusion of C between components (see above).

    ``samples`` (N, C, H, W) in [0, 1], ``components`` (N,) their component indices.
    """
    device = model.omega.device
    logits = []
    for start in range(0, len(samples), batch_size):
        x = samples[start : start + batch_size].to(device) * 2.0 - 1.0
        logits.append(model.critic(x)[1].float().cpu())
    logits = torch.cat(logits)
    k_count = model.num_components
    to_other = np.zeros((k_count, k_count))  # mean P(j | a sample of k, C restricted to {k, j})
    for k in range(k_count):
        own = logits[components == k]
        pair = torch.stack([own[:, k].expand(k_count, -1), own.T], dim=-1)
        to_other[k] = torch.softmax(pair, dim=-1)[..., 1].mean(dim=1).numpy()
    confusion = (to_other + to_other.T) / 2
    np.fill_diagonal(confusion, 0.5)
    return confusion


def feature_ratios(features: list[torch.Tensor]) -> np.ndarray:
    """ratio[k, j]: cross FID of components k and j over their larger split-half FID (see above).

    ``features[k]`` (N_k, D) are the feature vectors of component k's samples.
    """
    halves = [(f[: len(f) // 2], f[len(f) // 2 :]) for f in features]
    stats = [(gaussian_statistics(a), gaussian_statistics(b)) for a, b in halves]
    floor = [fid_from_features(halves[k][0], stats[k][1]) for k in range(len(features))]
    ratio = np.ones((len(features), len(features)))
    for k, j in itertools.combinations(range(len(features)), 2):
        cross = fid_from_features(halves[k][0], stats[j][1])
        ratio[k, j] = ratio[j, k] = cross / max(floor[k], floor[j], 1e-12)
    return ratio


def merge_candidates(
    roles: list[dict], confusion: np.ndarray, ratio: np.ndarray | None
) -> list[dict]:
    """Pairs of kept components flagged by either signal, with both numbers."""
    kept = [k for k, r in enumerate(roles) if r["role"] != "dropped"]
    pairs = []
    for k, j in itertools.combinations(kept, 2):
        by_confusion = confusion[k, j] >= CONFUSION_THRESHOLD
        by_features = ratio is not None and ratio[k, j] <= FEATURE_RATIO_THRESHOLD
        if by_confusion or by_features:
            pairs.append(
                {
                    "components": [k, j],
                    "confusion": round(float(confusion[k, j]), 4),
                    "feature_ratio": None if ratio is None else round(float(ratio[k, j]), 3),
                }
            )
    return pairs
