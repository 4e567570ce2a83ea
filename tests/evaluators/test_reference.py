"""FID reference statistics: computed from the real split, cached under the evaluator's checksum."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mixmiss.data import load_dataset
from mixmiss.device import torch_threads
from mixmiss.errors import CacheError
from mixmiss.evaluators import Evaluator, fid_score, reference
from mixmiss.evaluators.network import ClassifierCNN, ClassifierConfig
from mixmiss.metrics.fid import gaussian_statistics
from mixmiss.rng import isolated_seed


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, above all on a busy machine."""
    with torch_threads(1):
        yield


def untrained(checksum: str, seed: int = 0) -> Evaluator:
    """A digits evaluator without training: the statistics do not need a good classifier."""
    with isolated_seed(seed):
        network = ClassifierCNN(ClassifierConfig(8, (4, 8), 3, 6))
    return Evaluator(network.eval(), {"dataset": "digits", "checksum": checksum})


CHECKSUM = "0123456789abcdef" + "f" * 48


def forbid_loading(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the dataset was loaded although the statistics are cached")

    monkeypatch.setattr(reference, "load_dataset", fail)


def test_statistics_are_those_of_the_training_features(private_cache):
    evaluator = untrained(CHECKSUM)
    mu, sigma = reference.reference_statistics(evaluator)
    train = load_dataset("digits", "train")
    expected_mu, expected_sigma = gaussian_statistics(evaluator.features(train.images))
    np.testing.assert_allclose(mu, expected_mu, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sigma, expected_sigma, rtol=0, atol=1e-12)
    assert mu.shape == (6,) and sigma.shape == (6, 6) and mu.dtype == np.float64


def test_statistics_are_cached_under_the_first_16_checksum_characters(private_cache, monkeypatch):
    evaluator = untrained(CHECKSUM)
    mu, sigma = reference.reference_statistics(evaluator)
    path = private_cache / "fid" / "digits-train-0123456789abcdef.npz"
    assert [p.name for p in (private_cache / "fid").iterdir()] == [path.name]
    with np.load(path) as stored:
        assert int(stored["n"]) == len(load_dataset("digits", "train"))
        np.testing.assert_array_equal(stored["mu"], mu)
    forbid_loading(monkeypatch)
    again_mu, again_sigma = reference.reference_statistics(evaluator)
    np.testing.assert_array_equal(again_mu, mu)
    np.testing.assert_array_equal(again_sigma, sigma)


def test_the_cache_is_what_is_returned(private_cache, monkeypatch):
    """A cached file is trusted as is: a retrained evaluator must get a new name."""
    evaluator = untrained(CHECKSUM)
    path = private_cache / "fid" / "digits-train-0123456789abcdef.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, mu=np.full(6, 7.0), sigma=np.eye(6), n=np.array(1))
    forbid_loading(monkeypatch)
    mu, sigma = reference.reference_statistics(evaluator)
    np.testing.assert_array_equal(mu, np.full(6, 7.0))
    np.testing.assert_array_equal(sigma, np.eye(6))


def test_a_new_checksum_or_split_gets_its_own_file(private_cache):
    a = untrained(CHECKSUM, seed=0)
    b = untrained("fedcba9876543210" + "0" * 48, seed=1)
    mu_a, _ = reference.reference_statistics(a)
    mu_b, _ = reference.reference_statistics(b)
    mu_test, _ = reference.reference_statistics(a, split="test")
    names = sorted(p.name for p in (private_cache / "fid").iterdir())
    assert names == [
        "digits-test-0123456789abcdef.npz",
        "digits-train-0123456789abcdef.npz",
        "digits-train-fedcba9876543210.npz",
    ]
    assert not np.allclose(mu_a, mu_b) and not np.allclose(mu_a, mu_test)


def test_an_explicit_cache_dir_wins_over_the_environment(private_cache, tmp_path):
    reference.reference_statistics(untrained(CHECKSUM), cache_dir=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "fid" / "digits-train-0123456789abcdef.npz").is_file()
    assert not (private_cache / "fid").exists()


def test_an_unwritable_cache_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(
        CacheError, match="FID cache directory .* is not writable.*MIXMISS_CACHE_DIR"
    ):
        reference.reference_statistics(untrained(CHECKSUM), cache_dir=blocker)


def test_fid_of_the_training_set_itself_is_zero_and_noise_is_far(private_cache):
    evaluator = untrained(CHECKSUM)
    train = load_dataset("digits", "train")
    assert fid_score(train.images, evaluator) == pytest.approx(0.0, abs=1e-6)
    test = fid_score(load_dataset("digits", "test").images, evaluator)
    noise = fid_score(
        torch.rand(500, 1, 8, 8, generator=torch.Generator().manual_seed(0)), evaluator
    )
    assert 0 < test < noise
