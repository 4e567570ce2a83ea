"""A scikit-learn imputer built on the RBMs of :mod:`mixmiss.rbm`.

:class:`RBMImputer` follows the scikit-learn estimator and imputer
conventions and shares the torch model, the CD update and the imputation
with the project's image imputers (:mod:`~mixmiss.rbm.cd`,
:mod:`~mixmiss.rbm.inference`); what is its own is the array handling, the
per-feature scaling (:mod:`~mixmiss.rbm.scaling`), the early stopping
(:mod:`~mixmiss.rbm.early_stopping`) and the defaults (:mod:`~mixmiss.rbm.defaults`).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.impute import MissingIndicator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ..device import resolve_device, torch_threads
from ..errors import InputError
from ..rng import make_generator
from .defaults import check_every, check_stopping, single_thread, training_config
from .early_stopping import train_with_early_stopping
from .inference import (
    HIDDEN_MODES,
    VISIBLE_MODES,
    check_mode,
    draw_missing,
    hidden_probability,
    impute,
)
from .scaling import ColumnRange


class RBMImputer(TransformerMixin, BaseEstimator):
    """Fill the missing entries (NaN) of a numeric table with an RBM.

    Each column is mapped onto [0, 1] by the minimum and maximum of its
    observed values, and the values are used as probabilities of the binary
    visible units of an RBM trained on the observed entries only, by
    minibatch CD-k with either the Linearized Marginal method (``method="lm"``,
    Algorithm 1 of Cannella et al.) or the method of Salakhutdinov et al. 2007
    (``method="zeroed"``). A random ``validation_fraction`` of the observed
    entries is held out, and training stops when their imputation error stops
    improving; the best epoch's weights are kept. ``transform`` fills exactly
    the NaN entries with ``sigma(W h + b)`` for ``h`` inferred from the
    observed entries, mapped back to the column's scale, and returns every
    observed value bit-identical.

    Parameters
    ----------
    method : {"lm", "zeroed"}, default="lm"
    n_components : int, default=128
        Number of hidden units ``m``.
    n_iter : int or "auto", default="auto"
        Most training epochs. ``"auto"``: as many as make 20,000 CD updates,
        at least 10 (156 epochs of 16,000 rows at batch 128, 26 of 100,000);
        early stopping usually ends training sooner.
    learning_rate : float or "auto", default="auto"
        ``eta``; each step SUMS ``eta * (...)`` over the minibatch (unlike
        :class:`sklearn.neural_network.BernoulliRBM`, which divides by the
        batch size). ``"auto"``: ``0.384 / batch_size`` (3e-3 at batch 128).
    batch_size : int, default=128
    k : int, default=1
        Gibbs steps of CD-k.
    low_rank : bool, default=False
        Factorise ``W = A B`` (the paper's choice; it needs about ten times
        smaller steps, so ten times more epochs, to train stably).
    rank : int or None, default=None
        Rank of ``A B``; ``None`` = the expected number of observed entries
        per row of the training data (the paper's rule of thumb).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the observed entries, check their
        RMSE (on the [0, 1] scale) after every epoch — every
        ``ceil(2048 / n_samples)`` epochs on fewer than 2,048 rows — and stop
        when it has not improved by ``tol`` for ``n_iter_no_change`` checks;
        keep the weights of the best check — or fall back to mean imputation
        (``W = 0``, ``sigma(b)`` = the observed means) if the best does not beat
        it by two standard errors on the held-out entries. ``False`` trains
        ``n_iter`` epochs on every observed entry.
    validation_fraction : float, default=0.1
        Fraction of the observed entries held out (of at most 4,096 rows).
    n_iter_no_change : int, default=10
        Checks without improvement before training stops.
    tol : float, default=1e-4
    hidden : {"mean", "sample"}, default="mean"
        How ``h`` is inferred in ``transform`` (``"sample"`` as the paper).
    visible : {"mean", "sample"}, default="mean"
        How ``v`` is read out in ``transform``: the probabilities (the
        least-squares choice) or Bernoulli draws.
    n_samples : int, default=1
        Reconstructions averaged in ``transform`` (with ``hidden="sample"``
        or ``visible="sample"``; ignored by ``sample_posterior``).
    sample_posterior : bool, default=False
        Fill each missing entry with ONE draw from the model instead of its
        mean: ``h ~ P(h | v_o)``, then ``v ~ P(v | h)`` for the binary
        columns (two observed values), ``sigma(W h + b)`` for the others (a
        Bernoulli draw would put every value at the column's minimum or
        maximum; ``visible="sample"`` forces it). Fitting and transforming
        with several ``random_state`` values gives multiple imputations
        (Rubin's rules).
    add_indicator : bool, default=False
        Append a :class:`~sklearn.impute.MissingIndicator` (features with
        missing values in ``fit``) to the output.
    keep_empty_features : bool, default=False
        Keep the features that are missing in every row of ``fit``, filled
        with 0 in ``transform``; by default they are dropped (as
        :class:`~sklearn.impute.SimpleImputer` does).
    random_state : int, RandomState instance or None, default=None
    device : {"cpu", "cuda", "auto"}, default="cpu"
    precision : {"auto", "fp32", "bf16"}, default="auto"
        Where the CD products run (:mod:`mixmiss.precision`): ``"auto"`` is
        bf16 on CPUs with ``avx512_bf16`` / ``amx_bf16`` and on CUDA devices
        that support it, fp32 elsewhere. The parameters, their updates and
        ``transform`` stay in fp32.

    Attributes
    ----------
    components_ : ndarray (n_components, n_features_kept)
        ``W^T`` over the kept (not entirely missing) features; the product
        ``(A B)^T`` when low-rank.
    intercept_hidden_ : ndarray (n_components,)
        ``c``.
    intercept_visible_ : ndarray (n_features_kept,)
        ``b``.
    data_min_, data_max_ : ndarray (n_features_in_,)
        The range of the observed values of each feature in ``fit`` (NaN for
        an entirely missing feature).
    observation_probability_ : ndarray (n_features_kept,)
        ``lambda``, the fraction of training rows in which each feature is
        observed (held-out entries count as missing).
    rank_ : int or None
        Rank of the factorisation used (``None`` when dense).
    n_iter_ : int
        Epochs run.
    best_iter_ : int
        The epoch whose weights were kept (0: mean imputation, ``W = 0``).
    validation_rmse_ : list of float
        RMSE of the held-out entries ([0, 1] scale) at each check; empty
        without early stopping.
    reconstruction_error_ : list of float
        Mean squared reconstruction error of observed entries ([0, 1] scale)
        at each check (after each epoch without early stopping).
    indicator_ : MissingIndicator or None
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has feature names.

    Notes
    -----
    The defaults, and how ``"auto"`` is resolved, were chosen from
    measurements over five datasets: :mod:`mixmiss.rbm.defaults`.

    Edge cases: a row that is entirely missing is filled from the model alone
    (``h`` inferred from ``c``, and ``sigma(b)`` for ``lm``); values outside
    the fitted range are clipped for the inference only; infinities,
    non-numeric data and sparse input raise ``ValueError`` / ``TypeError``.

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
    >>> X = rng.normal(size=(200, 8)) * [1, 10, 100, 1, 1, 1, 1, 1]
    >>> X[rng.random(X.shape) < 0.3] = np.nan
    >>> filled = RBMImputer(n_components=8, n_iter=2, random_state=0).fit_transform(X)
    >>> bool(np.isnan(filled).any())
    False
    """

    def __init__(
        self,
        method="lm",
        n_components=128,
        n_iter="auto",
        learning_rate="auto",
        batch_size=128,
        k=1,
        low_rank=False,
        rank=None,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        hidden="mean",
        visible="mean",
        n_samples=1,
        sample_posterior=False,
        add_indicator=False,
        keep_empty_features=False,
        random_state=None,
        device="cpu",
        precision="auto",
    ):
        self.method = method
        self.n_components = n_components
        self.n_iter = n_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.k = k
        self.low_rank = low_rank
        self.rank = rank
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.hidden = hidden
        self.visible = visible
        self.n_samples = n_samples
        self.sample_posterior = sample_posterior
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features
        self.random_state = random_state
        self.device = device
        self.precision = precision

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # -- array handling ---------------------------------------------------------------
    def _validated(self, X, reset: bool) -> np.ndarray:
        return validate_data(
            self, X, reset=reset, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan"
        )

    def _unit_tensors(self, X: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
        """The kept columns of ``X`` on [0, 1] (missing zeroed) and the mask, on ``device``."""
        X = X[:, self._kept]
        observed = ~np.isnan(X)
        v_obs = np.where(observed, self._range.to_unit(X), 0.0)
        as_tensor = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
        return as_tensor(v_obs), as_tensor(observed)

    def _generator(self, seed: int) -> torch.Generator:
        return make_generator(seed, resolve_device(self.device))

    def _threads(self, n_features: int):
        small = single_thread(n_features, self.n_components)
        return torch_threads(1 if small and resolve_device(self.device).type == "cpu" else None)

    # -- the estimator -------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn the feature ranges and train the RBM on ``X``.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
            NaN marks a missing entry.
        y : ignored

        Returns
        -------
        self
        """
        X = self._validated(X, reset=True)
        check_mode(self.hidden, HIDDEN_MODES, "hidden")
        check_mode(self.visible, VISIBLE_MODES, "visible")
        if self.early_stopping:
            check_stopping(self.validation_fraction, self.n_iter_no_change, self.tol)
        missing = np.isnan(X)
        empty = missing.all(axis=0)
        if empty.all():
            raise InputError(
                "every feature is missing in every row of X; there is nothing to learn. "
                "Pass data with at least one observed value."
            )
        if empty.any():
            names = getattr(self, "feature_names_in_", np.arange(X.shape[1]))[empty]
            what = (
                "kept and filled with 0" if self.keep_empty_features else "dropped from the output"
            )
            warnings.warn(
                f"features without any observed value in fit: {names[:10].tolist()}; they are {what} "
                "(keep_empty_features decides).",
                stacklevel=2,
            )
        self._kept = np.flatnonzero(~empty)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # nanmin of an empty column
            self.data_min_ = np.nanmin(X, axis=0)
            self.data_max_ = np.nanmax(X, axis=0)
        self._range = ColumnRange.fit(X[:, self._kept])
        kept = X[:, self._kept]
        # a column whose observed values take two levels is binary: sample_posterior draws it
        self._binary = np.array(
            [np.unique(col[~np.isnan(col)]).size == 2 for col in kept.T], dtype=bool
        )
        config = training_config(self.get_params(), X.shape[0])
        rng = check_random_state(self.random_state)
        self._seed = int(rng.randint(np.iinfo(np.int32).max))
        generator = self._generator(self._seed)
        v_obs, observed = self._unit_tensors(X, generator.device)
        with self._threads(kept.shape[1]):
            result = train_with_early_stopping(
                v_obs,
                observed,
                config,
                generator,
                validation_fraction=self.validation_fraction if self.early_stopping else 0.0,
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
                check_every=check_every(X.shape[0]) if self.early_stopping else 1,
            )
        model = result.model
        self.model_ = model
        self.components_ = model.weight().T.cpu().numpy().astype(X.dtype)
        self.intercept_hidden_ = model.c.cpu().numpy().astype(X.dtype)
        self.intercept_visible_ = model.b.cpu().numpy().astype(X.dtype)
        self.observation_probability_ = result.lam.cpu().numpy().astype(X.dtype)
        self.rank_ = model.rank
        self.n_iter_ = result.n_epochs
        self.best_iter_ = result.best_epoch
        self.validation_rmse_ = result.validation
        self.reconstruction_error_ = result.history
        if self.add_indicator:
            self.indicator_ = MissingIndicator(error_on_new=False).fit(X)
        else:
            self.indicator_ = None
        return self

    def transform(self, X):
        """Fill the NaN entries of ``X``; every observed entry is returned unchanged.

        Parameters
        ----------
        X : array-like (n_samples, n_features_in_)

        Returns
        -------
        ndarray (n_samples, n_features_out), dtype of ``X``
            The kept features (all of them with ``keep_empty_features=True``),
            then the missing indicator with ``add_indicator=True``.
        """
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        generator = self._generator(self._seed + 1)
        v_obs, observed = self._unit_tensors(X, generator.device)
        with self._threads(self._kept.size):
            if self.sample_posterior:
                bernoulli = torch.as_tensor(
                    np.ones_like(self._binary) if self.visible == "sample" else self._binary,
                    device=generator.device,
                )
                unit = draw_missing(self.model_, v_obs, observed, self.method, bernoulli, generator)
            else:
                unit = impute(
                    self.model_,
                    v_obs,
                    observed,
                    self.method,
                    hidden=self.hidden,
                    visible=self.visible,
                    n_samples=self.n_samples,
                    generator=generator,
                )
        kept = X[:, self._kept]
        filled = kept.copy()
        missing = np.isnan(kept)
        filled[missing] = self._range.from_unit(unit.cpu().numpy())[missing].astype(X.dtype)
        if self.keep_empty_features:
            out = X.copy()
            out[:, self._kept] = filled
            np.nan_to_num(out, copy=False, nan=0.0)  # only the empty features are left
        else:
            out = filled
        if self.indicator_ is not None:
            out = np.hstack([out, self.indicator_.transform(X).astype(out.dtype)])
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the kept input features, then the indicators.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            As :meth:`sklearn.impute.SimpleImputer.get_feature_names_out`.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "n_features_in_")
        input_features = _check_feature_names_in(self, input_features)
        names = input_features if self.keep_empty_features else input_features[self._kept]
        if self.indicator_ is None:
            return names
        return np.concatenate([names, self.indicator_.get_feature_names_out(input_features)])

    def hidden_activations(self, X):
        """``P(h = 1 | observed entries)`` of each row of ``X``, (n_samples, n_components)."""
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        v_obs, observed = self._unit_tensors(X, self.model_.b.device)
        with self._threads(self._kept.size):
            p_h = hidden_probability(self.model_, v_obs, observed, self.method)
        return p_h.cpu().numpy()
