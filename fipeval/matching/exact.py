"""Exact and coarsened exact matching (CEM), and MatchIt's weights from subclasses.

Exact matching puts clients with identical covariate values in one subclass; subclasses
without both FIP and control clients are dropped. CEM (Iacus, King and Porro 2012) first
coarsens numeric covariates into bins, then matches exactly on the bins.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from .balance_table import is_categorical

CUTPOINT_RULES = ("sturges", "scott", "fd")


def subclass_codes(data: pd.DataFrame, columns) -> np.ndarray:
    """Integer code of each row's combination of values in ``columns`` (0, 1, ...)."""
    if not columns:
        return np.zeros(len(data), dtype=np.int64)
    return data[list(columns)].groupby(list(columns), sort=True, observed=True,
                                       dropna=False).ngroup().to_numpy(dtype=np.int64)


def keep_common(codes: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Subclass per row (1, 2, ... in order of first appearance in the data); 0 for rows
    whose subclass lacks FIP or control clients."""
    n_codes = codes.max() + 1 if len(codes) else 0
    has_t = np.bincount(codes[treated], minlength=n_codes) > 0
    has_c = np.bincount(codes[~treated], minlength=n_codes) > 0
    keep = (has_t & has_c)[codes]
    out = np.zeros(len(codes), dtype=np.int64)
    kept = codes[keep]
    _, first = np.unique(kept, return_index=True)
    order = np.argsort(first)
    relabel = np.empty(n_codes, dtype=np.int64)
    relabel[np.unique(kept)[order]] = np.arange(1, len(order) + 1)
    out[keep] = relabel[kept]
    return out


def weights_from_subclass(subclass: np.ndarray, treated: np.ndarray, estimand: str
                          ) -> np.ndarray:
    """MatchIt's ``get_weights_from_subclass``.

    ATT: FIP clients weight 1; a control in subclass s gets n_t(s) / n_c(s), rescaled so the
    control weights sum to the number of matched controls. ATC mirrors this. ATE: n(s) / n_t(s)
    for FIP clients and n(s) / n_c(s) for controls. Rows in subclass 0 get weight 0.

    Examples
    --------
    >>> weights_from_subclass(np.array([1, 1, 1, 2, 2]),
    ...                       np.array([1, 0, 0, 1, 0], bool), "ATT").round(3).tolist()
    [1.0, 0.75, 0.75, 1.0, 1.5]
    """
    treated = np.asarray(treated, dtype=bool)
    in_sub = subclass > 0
    i1, i0 = treated & in_sub, ~treated & in_sub
    w = np.zeros(len(subclass))
    if not i1.any() or not i0.any():
        return w
    k = subclass.max() + 1
    n1 = np.bincount(subclass[i1], minlength=k).astype(float)
    n0 = np.bincount(subclass[i0], minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if estimand == "ATT":
            w[i1] = 1.0
            w[i0] = (n1 / n0)[subclass[i0]]
            w[i0] *= i0.sum() / w[i0].sum()
        elif estimand == "ATC":
            w[i0] = 1.0
            w[i1] = (n0 / n1)[subclass[i1]]
            w[i1] *= i1.sum() / w[i1].sum()
        else:
            total = n0 + n1
            w[i1] = (total / n1)[subclass[i1]]
            w[i0] = (total / n0)[subclass[i0]]
    return w


def _auto_edges(x: np.ndarray, rule: str) -> np.ndarray:
    lo, hi = float(np.min(x)), float(np.max(x))
    n = len(x)
    if rule == "sturges":
        k = int(np.ceil(np.log2(n) + 1))
    else:
        bw = (3.49 * np.std(x, ddof=1) * n ** (-1 / 3) if rule == "scott"
              else 2 * np.subtract(*np.percentile(x, [75, 25])) * n ** (-1 / 3))
        k = max(1, int(np.ceil((hi - lo) / bw))) if bw > 0 else 1
    return np.linspace(lo, hi, k + 1)


def coarsen(data: pd.DataFrame, covariates, cutpoints: Mapping | None = None,
            rule: str = "sturges") -> pd.DataFrame:
    """Coarsened copy of the covariates: numeric columns become bin numbers, categorical
    columns stay as they are.

    Parameters
    ----------
    cutpoints : mapping, optional
        Per column either a number of equal-width bins (int) or the inner cut points (list);
        a value ``x`` falls in bin ``i`` when ``edge[i] <= x < edge[i + 1]`` (the top edge
        closed). Columns not named use ``rule``.
    rule : {"sturges", "scott", "fd"}
        Automatic number of equal-width bins over the column's range.

    Examples
    --------
    >>> coarsen(pd.DataFrame({"age": [18, 25, 40, 66]}), ["age"],
    ...         {"age": [30, 50]})["age"].tolist()
    [0, 0, 1, 2]
    """
    cutpoints = dict(cutpoints or {})
    unknown = set(cutpoints) - set(covariates)
    if unknown:
        raise InputError(f"`cutpoints` names {sorted(unknown)}, which are not among the "
                         f"covariates {list(covariates)}.")
    out = {}
    for col in covariates:
        s = data[col]
        if is_categorical(s) or pd.api.types.is_bool_dtype(s.dtype):
            if col in cutpoints:
                raise InputError(f"`cutpoints` for `{col}`: a categorical covariate is "
                                 "matched on its levels and cannot be cut; merge levels "
                                 "before matching instead.")
            out[col] = s.to_numpy()
            continue
        x = s.to_numpy(dtype=float)
        spec = cutpoints.get(col)
        if spec is None:
            edges = _auto_edges(x, rule)
        elif np.isscalar(spec):
            if int(spec) < 1:
                raise InputError(f"`cutpoints` for `{col}` must be a positive number of bins "
                                 f"or a list of cut points; got {spec!r}.")
            edges = np.linspace(x.min(), x.max(), int(spec) + 1)
        else:
            inner = np.sort(np.asarray(spec, dtype=float))
            edges = np.r_[-np.inf, inner, np.inf]
        inner_edges = edges[1:-1]
        out[col] = np.searchsorted(inner_edges, x, side="right")
    return pd.DataFrame(out, index=data.index)
