import numpy as np
import pytest

from mixmiss.errors import InputError
from mixmiss.metrics import fid_from_features, frechet_distance, gaussian_statistics


def test_identical_gaussians_have_zero_distance():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 5))
    sigma = a.T @ a / 50
    assert frechet_distance(np.ones(5), sigma, np.ones(5), sigma) == pytest.approx(0.0, abs=1e-6)


def test_closed_form_for_diagonal_covariances():
    # For commuting (here diagonal) covariances:
    # FID = |mu1 - mu2|^2 + sum_i (s1_i + s2_i - 2 sqrt(s1_i s2_i))
    #     = |mu1 - mu2|^2 + sum_i (sqrt s1_i - sqrt s2_i)^2.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)


def test_closed_form_for_rotated_gaussians():
    # Rotating both covariances by the same orthogonal matrix keeps them commuting.
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    s1, s2 = np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 1.0, 1.0, 0.5])
    expected = np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    got = frechet_distance(np.zeros(4), q @ np.diag(s1) @ q.T, np.zeros(4), q @ np.diag(s2) @ q.T)
    assert got == pytest.approx(expected, rel=1e-6)


def test_singular_covariances_use_the_offset_fallback():
    sigma = np.zeros((3, 3))
    assert frechet_distance(np.zeros(3), sigma, np.ones(3), sigma) == pytest.approx(3.0, abs=1e-4)


def test_sample_fid_approaches_the_closed_form():
    rng = np.random.default_rng(2)
    x = rng.normal(0.0, 1.0, size=(20000, 3))
    y = rng.normal(0.5, 2.0, size=(20000, 3))
    expected = 3 * 0.25 + 3 * (1.0 - 2.0) ** 2
    assert fid_from_features(x, gaussian_statistics(y)) == pytest.approx(expected, rel=0.05)


def test_bad_statistics():
    with pytest.raises(InputError, match="mismatched statistics"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(InputError, match="N >= 2"):
        gaussian_statistics(np.zeros((1, 3)))
    with pytest.raises(InputError, match="NaN"):
        gaussian_statistics(np.full((4, 2), np.nan))
