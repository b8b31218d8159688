"""Row rules of a domain-assessment export (the six FIP life domains, ``leefgebieden``).

An export has one row per client, assessment date and domain: ``bsn;datum;leefgebied;score``
(Dutch headers, see ``presets/dutch.toml``; ``status`` optional). The client, the BSN's
pseudonym and the rules for the date (missing, unreadable, after the extract date: rejected)
are those of contacts and events (``fipeval.io.normalise``). Then:

* no domain -> rejected ``missing domain`` (counted in the row accounting);
* a domain not in the mapping -> ``LoadError`` naming file, line, column and value: a domain
  left out silently would bias "movement on any domain", so the load stops and asks for a
  ``[domains.codes.domain]`` entry;
* a score that is not a whole number 1-5 (``schema.DOMAIN_SCORES``; ``3,0`` reads as 3) ->
  ``LoadError`` naming file, line, column and value: another scale needs converting first;
  an empty score is kept as missing (counted under ``missing_values``);
* ``status`` is kept as text, numbers of 8 or more digits redacted as in events' detail.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from ..errors import LoadError
from ..schema import DOMAIN_SCORES, DOMAINS
from .bsn import redact
from .fields import (as_text, dictionary, first_row, integer_array, parse_code,
                     parse_text_codes)

_SCORE = re.compile(r"\s*([0-9]+)(?:[.,]0*)?\s*")


def parse_scores(arr, *, low: int = DOMAIN_SCORES[0], high: int = DOMAIN_SCORES[-1]):
    """Scores as floats (NaN when empty) and a mask of values that are not a whole number in
    [low, high].

    Examples
    --------
    >>> values, bad = parse_scores(pa.array(["3", "5,0", "", "6", "2,5"]))
    >>> values.tolist(), bad.tolist()
    ([3.0, 5.0, nan, nan, nan], [False, False, False, True, True])
    """
    codes, uniques = dictionary(arr)
    numbers = np.full(len(uniques) + 1, np.nan)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        text = "" if u is None else str(u).strip()
        if not text:
            continue
        match = _SCORE.fullmatch(text)
        if match and low <= int(match.group(1)) <= high:
            numbers[i] = float(match.group(1))
        else:
            bad[i] = True
    return numbers[codes], bad[codes]


def domain_columns(raw, cols, roles: dict, tmap, rows, date, codes: dict, missing: dict) -> dict:
    """The canonical columns of one batch of a domains export (module docstring).

    ``date`` is the parsed date column, its rejects already applied to ``rows``, so an error
    names the first row that would otherwise have been kept."""
    header = roles["domain"]
    text = cols.take(header)
    domain = parse_code(text, tmap.codes.get("domain", {}), unknown=None)
    rows.reject(domain.missing, "missing domain", (header, text))
    alive = rows.reason == 0
    first = first_row(domain.unknown_rows & alive)
    if first is not None:
        value = redact(str(as_text(text)[first].as_py()).strip())
        known = sorted({k for k in tmap.codes.get("domain", {})})
        raise LoadError(
            f"Unknown life domain {value!r} ({int((domain.unknown_rows & alive).sum())} row(s)); "
            f"fipeval knows the six FIP domains {', '.join(DOMAINS)} and the Dutch names "
            f"{', '.join(repr(k) for k in known if k not in DOMAINS)}. Map it in a mapping file: "
            f"[domains.codes.domain] \"{value}\" = \"<one of {', '.join(DOMAINS)}>\".",
            file=raw.file, line=int(raw.lines[first]), column=header)
    codes["domain"] = domain
    out = {"date": date.values, "domain": domain.categorical(DOMAINS)}
    if "score" in roles:
        s_header = roles["score"]
        s_text = cols.take(s_header)
        score, bad = parse_scores(s_text)
        first = first_row(bad & alive)
        if first is not None:
            value = redact(str(as_text(s_text)[first].as_py()).strip())
            raise LoadError(
                f"The score {value!r} is not a whole number from {DOMAIN_SCORES[0]} to "
                f"{DOMAIN_SCORES[-1]} ({int((bad & alive).sum())} row(s)); fipeval reads domain "
                "scores on the 1-5 scale of the self-sufficiency matrix (5 fully "
                "self-sufficient). Convert another scale to 1-5 before loading, or leave the "
                "cell empty when there is no score.", file=raw.file, line=int(raw.lines[first]),
                column=s_header)
        out["score"] = integer_array(score, "Int8")
        missing["score"] = np.isnan(score)
    if "status" in roles:
        status = parse_text_codes(cols.take(roles["status"]), redact=True)
        rows.repaired(status.repairs["number_in_text_redacted"], "number_in_text_redacted",
                      (roles["status"], status.values))
        out["status"] = np.asarray(status.values.cast(pa.string()).to_numpy(zero_copy_only=False),
                                   dtype=object)
    return out


__all__ = ["domain_columns", "parse_scores"]
