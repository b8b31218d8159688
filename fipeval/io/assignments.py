"""Caseworker-assignment exports (toewijzingen, issue 21): who held a client from when.

A file is an assignment export when its headers hold a client (bsn, klantnummer or
client_id), a caseworker (klantmanager) and a from date (datum van), and no spell start
date; ``[file] table = "assignments"`` in a mapping file says so outright. Columns and
mapping keys: ``[assignments.columns]`` with the roles ``bsn``/``client_number``/
``client_id``, ``municipality``, ``caseworker``, ``from_date``, ``to_date``
(``fipeval.io.mapping.ROLES``). BSNs are pseudonymised exactly as in the spells, so the
rows join the spells' clients.

Dates follow the spells' rule: the caseworker holds the client on day ``d`` when
``from_date <= d < to_date`` (``to_date`` empty or 31-12-9999: still holds them), so a
move shows as one row's ``to_date`` equal to the next row's ``from_date``.

A history with holes or contradictions would give months to the wrong caseworker, so
instead of dropping rows the loader stops with a ``LoadError`` naming the file, line,
column and value: a missing or unreadable date, a ``to_date`` before its ``from_date``, a
``from_date`` after the extract date, a row without a caseworker, and two rows of one client
that overlap. Lines the reader cannot split and rows without a valid client are rejected
and counted like any other table's (the load report accounts for every line).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import LoadError
from .bsn import redact
from .fields import first_row, parse_text_codes, text_categorical


def _stop(raw, parsed_or_cell, row: int, what: str, role_name: str) -> None:
    header, values = parsed_or_cell
    value = values[row] if not hasattr(values, "to_pylist") else values[row].as_py()
    raise LoadError(
        f"{what} in the caseworker assignments (toewijzingen): {redact(str(value))!r} in "
        f"column `{header}` ({role_name}). A history with holes would give months to the wrong "
        "caseworker: fix the export's dates (or leave the assignments file out, and each spell "
        "keeps its own caseworker).",
        file=raw.file, line=int(raw.lines[row]), column=header)


def normalise_assignments(raw, cols, roles, ctx, rows, out, *, date, constants) -> None:
    """The assignments branch of ``fipeval.io.normalise.normalise`` (fills ``out``); ``date``
    parses a role's column."""
    from .dates import parse_dates
    n = raw.table.num_rows
    ok = rows.reason == 0                       # rows already rejected (client) are not checked
    frm = date("from_date")
    if (bad := first_row(ok & (frm.missing | frm.invalid))) is not None:
        _stop(raw, frm.cell, bad, "A missing or unreadable from date", "from_date")
    if "to_date" in roles:
        to = date("to_date")
        if to.far_future is not None and to.far_future.any():     # 31-12-9999: still holds
            to.invalid = to.invalid & ~to.far_future
            to.missing = to.missing | to.far_future
        if (bad := first_row(ok & to.invalid)) is not None:
            _stop(raw, to.cell, bad, "An unreadable to date", "to_date")
        to_v = to.values.copy()
        to_v[to.missing] = np.datetime64("NaT")
        if (bad := first_row(ok & ~np.isnat(to_v) & (to_v <= frm.values))) is not None:
            _stop(raw, to.cell, bad, "A to date on or before its from date", "to_date")
        # a history running past the extract: it still holds on the extract date (open)
        to_v[~np.isnat(to_v) & (to_v > ctx.check_date)] = np.datetime64("NaT")
    else:
        to_v = parse_dates(pa.nulls(n, pa.string())).values
    if (bad := first_row(ok & (frm.values > ctx.check_date))) is not None:
        _stop(raw, frm.cell, bad, "A from date after the extract date", "from_date")
    cw_text = cols.take(roles["caseworker"])
    cw = parse_text_codes(cw_text, redact=True)
    if (bad := first_row(ok & cw.missing)) is not None:
        _stop(raw, (roles["caseworker"], cw_text), bad, "A row without a caseworker",
              "caseworker")
    rows.repaired(cw.repairs["number_in_text_redacted"], "number_in_text_redacted",
                  (roles["caseworker"], cw.values))
    out.update(caseworker=text_categorical(cw), from_date=frm.values, to_date=to_v)
    if "municipality" in roles:
        out["municipality"] = text_categorical(parse_text_codes(cols.take(roles["municipality"])))
    elif constants.get("municipality") or ctx.municipality:
        value = str(constants.get("municipality") or ctx.municipality)
        out["municipality"] = pd.Categorical([value] * n)


def check_assignment_rows(columns: dict, names: list[str]) -> None:
    """Stop on two rows of one client that overlap, naming both lines (after every file is
    combined, so overlaps across files are found too)."""
    from ..schema import assignment_overlaps
    frame = pd.DataFrame({"client_id": columns["client_id"], "from_date": columns["from_date"],
                          "to_date": columns["to_date"]}, copy=False)
    keys = columns.get("_client_key")                    # BSN exports: the clients' numbers
    bad = assignment_overlaps(frame, keys if isinstance(keys, np.ndarray) else None)
    if len(bad) == 0:
        return
    row = int(bad[0])
    client = frame["client_id"].iloc[row]
    same = np.flatnonzero((frame["client_id"] == client).to_numpy())
    other = next((int(r) for r in same if r != row), row)
    file, line = names[int(columns["_file"][row])], int(columns["_line"][row])
    raise LoadError(
        f"{len(bad)} caseworker assignment(s) overlap an earlier assignment of the same client "
        f"(first: from date {pd.Timestamp(frame['from_date'].iloc[row]).date()}, client "
        f"{client}, which also has line {int(columns['_line'][other])} of "
        f"{names[int(columns['_file'][other])]}); a client has one caseworker at a time: "
        "fix the dates (a move ends one row on the day the next starts).",
        file=file, line=line, column="from_date")
