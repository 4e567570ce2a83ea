"""How RBMImputer resolves ``"auto"``: learning rate, epochs, batch, checks."""

import pytest

from mixmiss.errors import InputError
from mixmiss.rbm import RBMImputer
from mixmiss.rbm.defaults import (
    AUTO_MAX_UPDATES,
    AUTO_MIN_EPOCHS,
    AUTO_STEP,
    check_every,
    check_stopping,
    single_thread,
    training_config,
)


def test_auto_learning_rate_is_the_mean_gradient_step_over_the_batch():
    config = training_config(RBMImputer(batch_size=64).get_params(), n_rows=10_000)
    assert config.learning_rate == pytest.approx(AUTO_STEP / 64)
    assert config.n_hidden == 128 and not config.low_rank


def test_auto_epochs_make_a_fixed_number_of_updates_with_a_floor():
    params = RBMImputer().get_params()
    assert training_config(params, 16_000).epochs == AUTO_MAX_UPDATES // 125  # 160 epochs
    assert training_config(params, 10_000_000).epochs == AUTO_MIN_EPOCHS
    # a small table: one short batch per epoch, the batch capped at the rows
    small = training_config(params, 50)
    assert small.batch_size == 50 and small.epochs == AUTO_MAX_UPDATES


def test_explicit_settings_pass_through():
    params = RBMImputer(n_iter=7, learning_rate=0.5, method="zeroed").get_params()
    config = training_config(params, 1000)
    assert (config.epochs, config.learning_rate, config.method) == (7, 0.5, "zeroed")


@pytest.mark.parametrize(
    "setting, match",
    [({"learning_rate": "fast"}, "learning_rate must be"), ({"n_iter": "many"}, "n_iter must")],
)
def test_unknown_strings_are_input_errors(setting, match):
    with pytest.raises(InputError, match=match):
        training_config(RBMImputer(**setting).get_params(), 100)


@pytest.mark.parametrize(
    "args, match",
    [
        ((0.0, 10, 1e-4), "validation_fraction"),
        ((True, 10, 1e-4), "validation_fraction"),
        ((0.1, 0, 1e-4), "n_iter_no_change"),
        ((0.1, 2.5, 1e-4), "n_iter_no_change"),
        ((0.1, 10, -1.0), "tol"),
    ],
)
def test_bad_stopping_settings_are_named(args, match):
    with pytest.raises(InputError, match=match):
        check_stopping(*args)
    check_stopping(0.1, 10, 0.0)  # the boundary values are fine


def test_small_tables_are_checked_less_often_and_small_models_use_one_thread():
    assert check_every(100_000) == 1
    assert check_every(178) == 12
    assert single_thread(13, 128) and not single_thread(784, 4096)
