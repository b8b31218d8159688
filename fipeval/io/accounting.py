"""The load report: every row read is either kept or rejected with a reason and a line.

``LoadReport`` is a read-only mapping (``report["rows_read"]``) with, in total and per file
(``report["files"][name]``):

rows_read            data rows in the file (blank lines are not rows)
rows_kept            rows that became a row of a canonical table
rows_rejected        rows that did not, each listed in ``rejected`` as {file, line, reason} and,
                     where one cell is at fault, its column and value (BSNs shown as <bsn>,
                     other runs of 8+ digits as <number>)
files[...].detected.lines   text files: every physical line is the header, a record (a row
                     read), a blank line or a continuation line of a quoted value with a line
                     break: physical == header + records + blank + continuation, with the
                     multi-line records' line ranges (the first 20)
rows_repaired        kept rows that were changed on the way in; ``repaired_by_kind`` says how
                     many of each kind, ``repaired`` lists the first 100 of each kind per
                     batch of rows as {file, line, kind, column, value}
unknown_codes        codes not in the mapping, with counts, per column (none are dropped)
missing_values       empty optional values per canonical column

``rows_read == rows_kept + rows_rejected`` holds per file and in total; the report refuses
to exist otherwise. Repair kinds:

==============================  ===========================================================
trimmed_whitespace              spaces around a value removed
bsn_leading_zero                an 8-digit BSN got its leading zero back
two_digit_year                  a ``jj`` year was expanded (see ``fipeval.io.dates``)
swapped_day_month               an impossible month was read with day and month swapped
mixed_date_format               a date in another recognised form than its column's
end_after_extract_censored      an end date after the extract date: the spell runs at extract
reason_without_end_dropped      an end reason on a spell without end date was dropped
unreadable_value_blanked        an unreadable optional value (amount, rung, ...) left empty
merged_overlapping_spells       this spell absorbed overlapping spells of the same client
open_end_date                   an end date such as 31-12-9999 ("no end") read as running
number_in_text_redacted         a BSN-shaped number (8+ digits) in a caseworker or an event
                                description replaced by <number>
==============================  ===========================================================
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPAIR_KINDS = ("trimmed_whitespace", "bsn_leading_zero", "two_digit_year", "swapped_day_month",
                "mixed_date_format", "end_after_extract_censored", "reason_without_end_dropped",
                "unreadable_value_blanked", "merged_overlapping_spells", "open_end_date",
                "number_in_text_redacted")
REPAIR_BIT = {kind: 1 << i for i, kind in enumerate(REPAIR_KINDS)}


@dataclass
class FileReport:
    """Accounting of one file (built by ``fipeval.io.loading``)."""

    file: str
    table: str
    rows_read: int = 0
    rows_kept: int = 0
    repaired_by_kind: Counter = field(default_factory=Counter)
    rows_repaired: int = 0
    rejected: list = field(default_factory=list)
    unknown_codes: dict = field(default_factory=dict)
    missing_values: dict = field(default_factory=dict)
    detected: dict = field(default_factory=dict)
    repaired: list = field(default_factory=list)    # {file, line, kind, column, value}

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def to_dict(self) -> dict:
        by_reason = Counter(r["reason"] for r in self.rejected)
        return {"file": self.file, "table": self.table, "rows_read": self.rows_read,
                "rows_kept": self.rows_kept, "rows_repaired": self.rows_repaired,
                "rows_rejected": self.rows_rejected,
                "repaired_by_kind": dict(sorted(self.repaired_by_kind.items())),
                "rejected_by_reason": dict(sorted(by_reason.items())),
                "unknown_codes": {k: dict(v.most_common()) for k, v in self.unknown_codes.items() if v},
                "missing_values": {k: v for k, v in self.missing_values.items() if v},
                "detected": self.detected, "rejected": list(self.rejected),
                "repaired": list(self.repaired)}


class LoadReport(Mapping):
    """Row accounting of one load: totals plus one entry per file (a read-only mapping).

    Examples
    --------
    >>> rep = LoadReport([FileReport("a.csv", "spells", rows_read=2, rows_kept=1,
    ...                              rejected=[{"file": "a.csv", "line": 3, "reason": "x"}])])
    >>> rep["rows_read"], rep["rows_kept"], rep["rows_rejected"]
    (2, 1, 1)
    """

    def __init__(self, files: list[FileReport], *, extract_date=None, notes=()):
        for f in files:
            if f.rows_read != f.rows_kept + f.rows_rejected:
                raise RuntimeError(f"fipeval bug: accounting of {f.file} does not add up "
                                   f"({f.rows_read} read, {f.rows_kept} kept, {f.rows_rejected} rejected)")
        per_file = [f.to_dict() for f in files]
        repaired, reasons, unknown, missing = Counter(), Counter(), {}, Counter()
        for f in per_file:
            repaired.update(f["repaired_by_kind"])
            reasons.update(f["rejected_by_reason"])
            missing.update(f["missing_values"])
            for col, counts in f["unknown_codes"].items():
                unknown.setdefault(col, Counter()).update(counts)
        self._data = {
            "rows_read": sum(f["rows_read"] for f in per_file),
            "rows_kept": sum(f["rows_kept"] for f in per_file),
            "rows_repaired": sum(f["rows_repaired"] for f in per_file),
            "rows_rejected": sum(f["rows_rejected"] for f in per_file),
            "repaired_by_kind": dict(sorted(repaired.items())),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "unknown_codes": {k: dict(v.most_common()) for k, v in unknown.items()},
            "missing_values": dict(sorted(missing.items())),
            "extract_date": None if extract_date is None else str(extract_date)[:10],
            "notes": list(notes),
            "rejected": [r for f in per_file for r in f["rejected"]],
            "repaired": [r for f in per_file for r in f["repaired"]],
            "files": {f["file"]: f for f in per_file},
        }

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    @property
    def files(self) -> dict:
        return self._data["files"]

    def to_dict(self) -> dict:
        return json.loads(self.to_json())

    def to_json(self, path: str | Path | None = None, *, indent: int = 2) -> str:
        """The report as JSON; written to ``path`` too when given (a folder gets
        ``load_report.json``)."""
        text = json.dumps(self._data, indent=indent, ensure_ascii=False, default=str)
        if path is not None:
            path = Path(path)
            if path.is_dir():
                path = path / "load_report.json"
            path.write_text(text + "\n", encoding="utf-8")
        return text

    def summary(self) -> str:
        """A few lines for a terminal: totals, then one line per file."""
        d = self._data
        lines = [f"Load report: {d['rows_read']:,} rows read, {d['rows_kept']:,} kept "
                 f"({d['rows_repaired']:,} repaired), {d['rows_rejected']:,} rejected"]
        for name, f in d["files"].items():
            lines.append(f"  {name} ({f['table']}): {f['rows_read']:,} read, {f['rows_kept']:,} kept, "
                         f"{f['rows_rejected']:,} rejected")
        for reason, n in d["rejected_by_reason"].items():
            lines.append(f"  rejected: {reason}: {n:,}")
        for kind, n in d["repaired_by_kind"].items():
            lines.append(f"  repaired: {kind}: {n:,}")
        for col, counts in d["unknown_codes"].items():
            shown = ", ".join(f"{k!r} ({v})" for k, v in list(counts.items())[:10])
            lines.append(f"  unknown {col} codes: {shown}")
        lines += [f"  note: {note}" for note in d.get("notes", [])]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()
