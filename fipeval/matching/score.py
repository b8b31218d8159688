"""Propensity score: logistic regression of the treatment on the covariates (statsmodels).

The model is the one MatchIt fits with ``distance = "glm"``: an unpenalised logit with an
intercept, categorical covariates as treatment-coded indicators (first level = reference).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import (ConvergenceWarning, EstimationError, caller_stacklevel, check_option,
                      columns_by_name)
from ._inputs import treatment_indicator
from .balance_table import expand_covariates, is_categorical

SEPARATION_EPS = 1e-10


def _separating_covariates(data: pd.DataFrame, treated: np.ndarray, covariates) -> list[str]:
    """Covariates (or levels) that on their own split the groups without overlap."""
    found = []
    for col in covariates:
        s = data[col]
        if is_categorical(s):
            if not set(s[treated]) & set(s[~treated]):
                found.append(col)
        else:
            x = s.to_numpy(dtype=float)
            if x[treated].min() > x[~treated].max() or x[treated].max() < x[~treated].min():
                found.append(col)
    return found


@columns_by_name
def propensity_score(data: pd.DataFrame, *, treatment: str, covariates,
                     scale: str = "probability") -> pd.Series:
    """Estimated probability of being in the FIP group given the covariates.

    Parameters
    ----------
    data : DataFrame
    treatment : str
        0/1 column.
    covariates : list of str
    scale : {"probability", "logit"}
        Return the probability (MatchIt's default distance) or the linear predictor.

    Returns
    -------
    Series aligned to ``data.index``, named ``propensity_score``.

    Raises
    ------
    EstimationError
        When the covariates separate the groups completely, or the fit fails.

    Examples
    --------
    >>> df = pd.DataFrame({"fip": [1, 0, 1, 0, 1, 0], "age": [20, 25, 30, 35, 40, 28]})
    >>> propensity_score(df, treatment="fip", covariates=["age"]).round(3).tolist()
    [0.462, 0.482, 0.501, 0.521, 0.541, 0.493]
    """
    check_option("scale", scale, ("probability", "logit"))
    treated = treatment_indicator(data, treatment)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    ps, linear = fit_logit(data, treated, covariates)
    out = ps if scale == "probability" else linear
    return pd.Series(out, index=data.index, name="propensity_score")


def fit_logit(data: pd.DataFrame, treated: np.ndarray, covariates) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Fitted probabilities and linear predictor of the logit model (numbers only)."""
    X = expand_covariates(data, covariates=covariates, drop_first=True)
    constant = [c for c in X.columns if np.ptp(X[c].to_numpy()) == 0]
    if constant:
        warnings.warn(
            f"Covariate(s) {', '.join(constant)} take one value in all {len(X)} rows and "
            "carry no information; they were left out of the propensity score model.",
            UserWarning, stacklevel=caller_stacklevel())
        X = X.drop(columns=constant)
    design = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    y = treated.astype(float)
    separating = _separating_covariates(data, treated, covariates)
    if separating:
        raise EstimationError(
            "Complete separation: the covariate(s) "
            + ", ".join(f"`{c}`" for c in separating)
            + " split FIP and control clients without any overlap, so no propensity score "
            "and no match exists. Drop the covariate, or match exactly on it only where both "
            "groups occur.")
    scaled = design / np.maximum(np.linalg.norm(design, axis=0), np.finfo(float).tiny)
    if np.linalg.matrix_rank(scaled.T @ scaled, tol=1e-10) < design.shape[1]:
        raise EstimationError(
            "The covariates are collinear (for example one is a sum or a copy of others, or "
            "a categorical covariate is listed twice); drop the redundant column(s): "
            f"{', '.join(X.columns)}.")
    # statsmodels costs seconds to import: only when a score is fitted, not with the package
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = Logit(y, design, check_rank=False).fit(method="newton", maxiter=100,
                                                             tol=1e-10, disp=0)
        except np.linalg.LinAlgError as err:  # pragma: no cover - rank checked above
            raise EstimationError(f"The propensity score model could not be fitted: {err}; "
                                  "remove collinear covariates.") from err
    linear = design @ fit.params
    ps = expit(linear)
    at_bound = (ps < SEPARATION_EPS) | (ps > 1 - SEPARATION_EPS)
    if at_bound.all() or linear[treated].min() > linear[~treated].max():
        raise EstimationError(
            "Complete separation: the covariates predict FIP membership perfectly (a "
            "combination of them splits the groups, so fitted propensity scores run to 0 and "
            "1) and there is no overlap to match on. Remove the covariate(s) that define the "
            "FIP group.")
    if at_bound.any() or any("separation" in str(w.message).lower() for w in caught):
        warnings.warn(
            f"Quasi-complete separation: {int(at_bound.sum())} clients have a fitted "
            "propensity score of 0 or 1; they have no comparable counterpart and the model's "
            "coefficients are not identified. Consider dropping sparse categories.",
            ConvergenceWarning, stacklevel=caller_stacklevel())
    elif not fit.mle_retvals.get("converged", True):
        warnings.warn("The propensity score model did not converge in 100 Newton steps; "
                      "check for sparse categories or rescale covariates.",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    return ps, linear
