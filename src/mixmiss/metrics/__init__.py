"""Metrics of the imputation study: paper RMSE, plain RMSE, FID and downstream accuracy."""

from .classification import logistic_accuracy
from .fid import fid_from_features, frechet_distance, gaussian_statistics
from .rmse import rmse_all, rmse_missing

__all__ = [
    "fid_from_features",
    "frechet_distance",
    "gaussian_statistics",
    "logistic_accuracy",
    "rmse_all",
    "rmse_missing",
]
