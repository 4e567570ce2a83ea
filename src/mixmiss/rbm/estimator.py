"""A scikit-learn imputer built on the RBMs of :mod:`mixmiss.rbm`.

:class:`RBMImputer` follows the scikit-learn estimator contract and shares
the torch model, the CD update and the imputation with the project's
imputers (:func:`~mixmiss.rbm.training.train_rbm`,
:func:`~mixmiss.rbm.inference.impute`); only the array handling is its own.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..device import resolve_device
from ..errors import InputError
from ..rng import make_generator
from .inference import HIDDEN_MODES, VISIBLE_MODES, check_mode, hidden_probability, impute
from .training import TrainingConfig, train_rbm


class RBMImputer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Fill missing entries (NaN) of [0, 1]-valued data with an RBM.

    The RBM is trained on the observed entries only, by minibatch CD-k with
    either the Linearized Marginal method (``method="lm"``, Algorithm 1 of
    Cannella et al.) or the method of Salakhutdinov et al. 2007
    (``method="zeroed"``). Values in [0, 1] are used as probabilities of the
    binary visible units. ``transform`` fills exactly the NaN entries with
    ``sigma(W h + b)`` for ``h`` inferred from the observed entries, and
    returns every observed value bit-identical.

    Parameters
    ----------
    method : {"lm", "zeroed"}, default="lm"
    n_components : int, default=256
        Number of hidden units ``m``.
    n_iter : int, default=10
        Training epochs.
    learning_rate : float, default=1e-3
        ``eta``; each step SUMS ``eta * (...)`` over the minibatch (unlike
        :class:`sklearn.neural_network.BernoulliRBM`, which divides by the
        batch size).
    batch_size : int, default=128
    k : int, default=1
        Gibbs steps of CD-k.
    low_rank : bool, default=True
        Factorise ``W = A B``.
    rank : int or None, default=None
        Rank of ``A B``; ``None`` = the expected number of observed entries
        per row of the training data (the paper's rule of thumb).
    hidden : {"sample", "mean"}, default="mean"
        How ``h`` is inferred in ``transform`` (``"sample"`` as the paper).
    visible : {"mean", "sample"}, default="mean"
    n_samples : int, default=1
        Reconstructions averaged in ``transform``.
    random_state : int, RandomState instance or None, default=None
    device : {"cpu", "cuda", "auto"}, default="cpu"

    Attributes
    ----------
    components_ : ndarray (n_components, n_features_in_)
        ``W^T`` (the product ``(A B)^T`` when low-rank).
    intercept_hidden_ : ndarray (n_components,)
        ``c``.
    intercept_visible_ : ndarray (n_features_in_,)
        ``b``.
    observation_probability_ : ndarray (n_features_in_,)
        ``lambda``, the fraction of training rows in which each feature is observed.
    rank_ : int or None
        Rank of the factorisation used (``None`` when dense).
    reconstruction_error_ : list of float
        Mean squared reconstruction error of observed entries after each epoch.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has feature names.

    Notes
    -----
    Behaviour at the edges: a row that is entirely missing is allowed in
    ``fit`` and ``transform`` (it is filled from the model alone, ``h``
    inferred from ``c`` — and ``sigma(b)`` for ``lm``); a feature that is
    never observed in ``fit`` raises ``ValueError`` (nothing can be learned
    about it); values outside [0, 1], infinities, non-numeric data, sparse
    input and a ``transform`` with another number of features raise
    ``ValueError`` / ``TypeError``.

    References
    ----------
    C. Cannella, J. Ding, M. Soltani, Y. Zhou, V. Tarokh, "Perception-distortion
    trade-off with restricted Boltzmann machines", ICASSP 2020.
    R. Salakhutdinov, A. Mnih, G. Hinton, "Restricted Boltzmann machines for
    collaborative filtering", ICML 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from mixmiss.rbm import RBMImputer
    >>> rng = np.random.default_rng(0)
    >>> X = (rng.random((200, 8)) < 0.5).astype(float)
    >>> X[rng.random(X.shape) < 0.3] = np.nan
    >>> filled = RBMImputer(n_components=8, n_iter=2, random_state=0).fit_transform(X)
    >>> bool(np.isnan(filled).any())
    False
    """

    def __init__(
        self,
        method="lm",
        n_components=256,
        n_iter=10,
        learning_rate=1e-3,
        batch_size=128,
        k=1,
        low_rank=True,
        rank=None,
        hidden="mean",
        visible="mean",
        n_samples=1,
        random_state=None,
        device="cpu",
    ):
        self.method = method
        self.n_components = n_components
        self.n_iter = n_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.k = k
        self.low_rank = low_rank
        self.rank = rank
        self.hidden = hidden
        self.visible = visible
        self.n_samples = n_samples
        self.random_state = random_state
        self.device = device

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.positive_only = True
        return tags

    # -- array handling ---------------------------------------------------------------
    def _validated(self, X, reset: bool) -> np.ndarray:
        X = validate_data(
            self, X, reset=reset, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan"
        )
        values = X[~np.isnan(X)]
        if values.size and (values.min() < 0.0 or values.max() > 1.0):
            # "Negative values in data" is the wording scikit-learn's checks expect
            problem = "Negative values in data" if values.min() < 0.0 else "Values above 1 in data"
            raise InputError(
                f"{problem} passed to RBMImputer: observed values must lie in [0, 1], found "
                f"[{values.min():.4g}, {values.max():.4g}]. Rescale first (e.g. with "
                "sklearn.preprocessing.MinMaxScaler); mark missing entries with NaN."
            )
        return X

    def _tensors(self, X: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
        observed = ~np.isnan(X)
        v_obs = np.where(observed, X, 0.0)
        as_tensor = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
        return as_tensor(v_obs), as_tensor(observed)

    def _generator(self, seed: int):
        return make_generator(seed, resolve_device(self.device))

    # -- the estimator -------------------------------------------------------------------
    def fit(self, X, y=None):
        """Train on ``X`` (n_samples, n_features), NaN = missing; returns ``self``."""
        X = self._validated(X, reset=True)
        never = np.flatnonzero(np.isnan(X).all(axis=0))
        if never.size:
            raise InputError(
                f"feature(s) {never[:10].tolist()} are missing in every training row; "
                "an RBM cannot learn them. Drop those columns first."
            )
        check_mode(self.hidden, HIDDEN_MODES, "hidden")
        check_mode(self.visible, VISIBLE_MODES, "visible")
        config = TrainingConfig(
            self.method, self.n_components, self.n_iter, self.batch_size, self.learning_rate,
            self.k, self.low_rank, self.rank,
        )  # fmt: skip
        rng = check_random_state(self.random_state)
        self._seed = int(rng.randint(np.iinfo(np.int32).max))
        generator = self._generator(self._seed)
        v_obs, observed = self._tensors(X, generator.device)
        state = train_rbm(v_obs, observed, config, generator, progress=False)
        self.model_ = state.model
        self.components_ = state.model.weight().T.cpu().numpy().astype(X.dtype)
        self.intercept_hidden_ = state.model.c.cpu().numpy().astype(X.dtype)
        self.intercept_visible_ = state.model.b.cpu().numpy().astype(X.dtype)
        self.observation_probability_ = state.lam.cpu().numpy().astype(X.dtype)
        self.rank_ = state.model.rank
        self.reconstruction_error_ = state.history
        return self

    def transform(self, X):
        """Fill the NaN entries of ``X``; every other entry is returned unchanged.

        Returns
        -------
        ndarray (n_samples, n_features_in_), dtype of ``X``
        """
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        generator = self._generator(self._seed + 1)
        v_obs, observed = self._tensors(X, generator.device)
        filled = impute(
            self.model_,
            v_obs,
            observed,
            self.method,
            hidden=self.hidden,
            visible=self.visible,
            n_samples=self.n_samples,
            generator=generator,
        )
        out = X.copy()
        missing = np.isnan(X)
        out[missing] = filled.cpu().numpy()[missing]
        return out

    def hidden_activations(self, X):
        """``P(h = 1 | observed entries)``, (n_samples, n_components)."""
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        v_obs, observed = self._tensors(X, self.model_.b.device)
        return hidden_probability(self.model_, v_obs, observed, self.method).cpu().numpy()


#: Why scikit-learn's generic checks that feed data outside [0, 1] cannot apply.
_OUTSIDE_UNIT_INTERVAL = (
    "the check feeds values above 1 (scikit-learn shifts data to be non-negative for "
    "positive_only estimators but has no tag for [0, 1] data); RBMImputer rejects them by "
    "design, and tests/rbm/test_estimator.py checks the same property on [0, 1] data"
)


def expected_failed_checks(estimator: RBMImputer) -> dict[str, str]:
    """The scikit-learn checks that cannot apply to a [0, 1] imputer, with the reason.

    For ``sklearn.utils.estimator_checks.parametrize_with_checks(...,
    expected_failed_checks=expected_failed_checks)`` (or ``check_estimator``):
    scikit-learn 1.6+ replaced the ``_xfail_checks`` tag by this argument.
    """
    return {name: _OUTSIDE_UNIT_INTERVAL for name in _CHECKS_WITH_DATA_ABOVE_ONE}


_CHECKS_WITH_DATA_ABOVE_ONE = (
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_estimators_dtypes",
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_fit2d_predict1d",
)
