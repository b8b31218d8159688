"""Inverse probability of treatment weights (Rosenbaum 1987; Hirano, Imbens and Ridder 2003).

With propensity score e(x):

* ATT: FIP clients 1, controls e / (1 - e);
* ATC: FIP clients (1 - e) / e, controls 1;
* ATE: FIP clients 1 / e, controls 1 / (1 - e).

Optional trimming (Crump, Hotz, Imbens and Mitnik 2009) drops clients whose score lies
outside [trim, 1 - trim]: they get weight 0, and the estimand becomes the effect in the
remaining overlap population, which the result's header says.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputError


def ipw_weights(score: np.ndarray, treated: np.ndarray, estimand: str = "ATT",
                trim: float | tuple[float, float] | None = None) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """Weights and a mask of the clients dropped by trimming.

    Examples
    --------
    >>> w, dropped = ipw_weights(np.array([0.5, 0.2, 0.8]), np.array([1, 0, 0], bool))
    >>> w.round(3).tolist(), dropped.tolist()
    ([1.0, 0.25, 4.0], [False, False, False])
    """
    e = np.asarray(score, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    if np.any((e <= 0) | (e >= 1) | np.isnan(e)):
        bad = int(np.sum((e <= 0) | (e >= 1) | np.isnan(e)))
        raise InputError(f"Inverse probability weighting needs propensity scores strictly "
                         f"between 0 and 1; {bad} are not. Pass a probability (not a logit) "
                         "score, or trim.")
    if trim is None:
        dropped = np.zeros(len(e), dtype=bool)
    else:
        lo, hi = (trim, 1 - trim) if np.isscalar(trim) else trim
        if not 0 <= lo < hi <= 1:
            raise InputError(f"`trim` must be a number in [0, 0.5) or a pair (low, high) with "
                             f"0 <= low < high <= 1; got {trim!r}.")
        dropped = (e < lo) | (e > hi)
        if dropped.any():
            warnings.warn(
                f"Trimming at [{lo:g}, {hi:g}] dropped {int(dropped.sum())} clients "
                f"({int((dropped & treated).sum())} FIP, {int((dropped & ~treated).sum())} "
                "control); the estimate refers to the remaining overlap population.",
                UserWarning, stacklevel=3)
    if estimand == "ATT":
        w = np.where(treated, 1.0, e / (1 - e))
    elif estimand == "ATC":
        w = np.where(treated, (1 - e) / e, 1.0)
    else:
        w = np.where(treated, 1 / e, 1 / (1 - e))
    w[dropped] = 0.0
    return w, dropped
