import torch

from mixmiss.data import make_mask
from mixmiss.rbm.mask import expected_observed_units, missing_indicator, observation_probability


def test_missing_indicator_is_one_exactly_where_the_project_mask_is_zero():
    mask = make_mask("im", 4, (5, 5), 0.5, torch.Generator().manual_seed(0)).flatten(1)
    m = missing_indicator(mask)
    assert torch.equal(m, 1.0 - mask)
    assert bool(((m == 1) == (mask == 0)).all())
    assert torch.equal(missing_indicator(mask.bool()), m)


def test_observation_probability_and_rank_rule():
    observed = torch.tensor([[1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 0.0, 1.0]])
    assert torch.equal(observation_probability(observed), torch.tensor([1.0, 0.0, 0.5, 1.0]))
    assert expected_observed_units(observed) == 2  # (3 + 2) / 2 = 2.5 rounds to even
    big = make_mask("im", 2000, (28, 28), 0.6, torch.Generator().manual_seed(0)).flatten(1)
    assert abs(expected_observed_units(big) - 0.4 * 784) <= 2
