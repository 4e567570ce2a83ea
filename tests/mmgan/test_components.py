"""Shared, unique and dropped components and merge candidates, on hand-made cases."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mixmiss.mmgan.components import (
    classifier_confusion,
    component_roles,
    feature_ratios,
    merge_candidates,
)


def test_roles_follow_the_thresholds():
    alpha = np.array([[0.50, 0.30, 0.01, 0.19, 0.00], [0.00, 0.40, 0.015, 0.03, 0.555]])
    roles = component_roles(alpha)
    assert [r["role"] for r in roles] == ["unique", "shared", "dropped", "unique", "unique"]
    assert [r["distributions"] for r in roles] == [[1], [1, 2], [], [1], [2]]
    assert component_roles(np.array([[0.04], [0.03]]))[0]["role"] == "minor"


def _fake_model(logits_of_component):
    """A stand-in whose classifier gives every sample of component k the logits row k."""

    def critic(x):
        k = x[:, 0, 0, 0].round().long()  # the component index is written into pixel (0, 0)
        return None, logits_of_component[k]

    return SimpleNamespace(omega=torch.zeros(1), num_components=3, critic=critic)


def test_classifier_confusion_is_half_when_c_guesses_and_zero_when_it_separates():
    logits = torch.tensor([[10.0, 10.0, -10.0], [10.0, 10.0, -10.0], [-10.0, -10.0, 10.0]])
    components = torch.arange(3).repeat_interleave(4)
    samples = torch.zeros(12, 1, 2, 2)
    samples[:, 0, 0, 0] = (components.float() + 1) / 2  # x * 2 - 1 = k
    confusion = classifier_confusion(_fake_model(logits), samples, components)
    assert confusion[0, 1] == pytest.approx(0.5) and confusion[0, 2] == pytest.approx(0, abs=1e-6)
    np.testing.assert_allclose(confusion, confusion.T)


def test_feature_ratio_is_about_one_for_copies_and_large_for_different_components():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(400, 4, generator=g), torch.randn(400, 4, generator=g)
    c = torch.randn(400, 4, generator=g) + 3.0
    ratio = feature_ratios([a, b, c])
    assert ratio[0, 1] < 2.0 and ratio[0, 2] > 50 and ratio[1, 2] > 50


def test_merge_candidates_skip_dropped_components_and_keep_both_numbers():
    roles = component_roles(np.array([[0.5, 0.49, 0.01], [0.5, 0.49, 0.01]]))
    confusion = np.full((3, 3), 0.3)
    ratio = np.full((3, 3), 10.0)
    assert merge_candidates(roles, confusion, ratio) == [
        {"components": [0, 1], "confusion": 0.3, "feature_ratio": 10.0}
    ]
    assert merge_candidates(roles, np.zeros((3, 3)), ratio) == []
    assert merge_candidates(roles, np.zeros((3, 3)), np.ones((3, 3)))[0]["feature_ratio"] == 1.0
