"""Metrics of the imputation study: paper RMSE, plain RMSE, FID and downstream accuracy."""

from .classification import LogisticClassifier, fit_logistic, logistic_accuracy
from .fid import fid_from_features, frechet_distance, gaussian_statistics
from .rmse import rmse_all, rmse_missing

__all__ = [
    "LogisticClassifier",
    "fid_from_features",
    "fit_logistic",
    "frechet_distance",
    "gaussian_statistics",
    "logistic_accuracy",
    "rmse_all",
    "rmse_missing",
]
