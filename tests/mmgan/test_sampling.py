import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.mmgan import component_figure, load_model, sample_component, sample_distribution
from mixmiss.mmgan.figures import samples_figure


def test_sample_distribution_follows_alpha_and_returns_images_in_unit_range(digits_run):
    model, info, _ = load_model(digits_run)
    images, components = sample_distribution(model, 1, 300, seed=0)
    assert images.shape == (300, 1, 8, 8) and images.dtype == torch.float32
    assert images.min() >= 0 and images.max() <= 1
    assert components.shape == (300,) and set(components.tolist()) <= {0, 1, 2}
    again, _ = sample_distribution(model, 1, 300, seed=0)
    assert torch.equal(images, again)


def test_sampling_draws_components_from_cat_alpha(tmp_path):
    from mixmiss.mmgan import train

    from .conftest import smoke_config

    run = train(smoke_config(fixed_priors=True, iters=1), tmp_path / "f", progress=False)
    model, info, _ = load_model(run)
    _, components = sample_distribution(model, 2, 4000, seed=1)
    # distribution 2 of case A puts prior 0 on region r1 = component 0
    assert not (components == 0).any()
    share = (components == 1).float().mean().item()
    assert abs(share - info.true_priors[1][1]) < 0.03


def test_sample_component(digits_run):
    model, _, _ = load_model(digits_run)
    assert sample_component(model, 2, 5).shape == (5, 1, 8, 8)
    with pytest.raises(InputError, match="components 0..2"):
        sample_component(model, 3, 5)


@pytest.mark.parametrize("bad", [0, 3, -1, 1.5])
def test_bad_distribution_index(digits_run, bad):
    model, _, _ = load_model(digits_run)
    with pytest.raises(InputError, match="distributions 1..2"):
        sample_distribution(model, bad, 4)


def test_bad_sample_count(digits_run):
    model, _, _ = load_model(digits_run)
    with pytest.raises(InputError, match="positive integer"):
        sample_distribution(model, 1, 0)


def test_figures_are_png_files(digits_run, tmp_path):
    model, _, _ = load_model(digits_run)
    path = component_figure(model, tmp_path / "c.png", grid=4, title="t")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    images, _ = sample_distribution(model, 1, 10)
    assert samples_figure(images, tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
