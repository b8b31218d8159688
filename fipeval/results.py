"""One summary API for every result: text in a terminal, a table in Jupyter, Markdown in reports.

Estimator results subclass ``Result`` and implement ``tidy()`` and ``_header()``;
``summary()`` then renders the same content three ways.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

from ._version import __version__

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper"]


def _float(x: float) -> str:
    """Four significant digits; large amounts (euros, counts) in full with separators."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    return str(value)


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"})
_MD_CELL_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[",
                                  "]": "\\]", "|": "\\|", "`": "\\`", "*": "\\*",
                                  "\\": "\\\\", "\n": " ", "\r": " "})


def md_text(text) -> str:
    """Text for Markdown: no raw HTML and no links (a name like ``<script>`` or
    ``[x](javascript:...)`` in the data stays text); inline code and emphasis are kept, so the
    library's own sentences read as written."""
    return str(text).translate(_MD_ESCAPES)


def md_cell(value) -> str:
    """A value for a Markdown table cell: ``md_text`` plus the characters that would end the
    cell or start formatting, and no line breaks (``_`` inside a word, as in column names,
    starts no emphasis in CommonMark, so it stays as written)."""
    return str(value).translate(_MD_CELL_ESCAPES)


def md_fence(content: str, info: str = "") -> str:
    """``content`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{content}\n{fence}"


@dataclass(frozen=True)
class Summary:
    """A titled table with a header of settings and plain-language notes."""

    title: str
    header: dict = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple = ()

    def to_text(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{k}: {_fmt(v)}" for k, v in self.header.items()]
        if len(self.table):
            lines += ["", self.table.to_string(index=False, float_format=_float)]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [f"**{md_text(self.title)}**", ""]
        lines += [f"- {md_text(k)}: {md_text(_fmt(v))}" for k, v in self.header.items()]
        if len(self.table):
            cols = [md_cell(c) for c in self.table.columns]
            lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for row in self.table.itertuples(index=False):
                lines.append("| " + " | ".join(md_cell(_fmt(v)) for v in row) + " |")
        lines += [""] + [f"> {md_text(' '.join(str(n).split()))}" for n in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def _repr_html_(self) -> str:
        head = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:left'>{html.escape(_fmt(v))}</td></tr>"
                       for k, v in self.header.items())
        table = self.table.to_html(index=False, float_format=_float,
                                   na_rep="", border=0) if len(self.table) else ""
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self.notes)
        return (f"<div class='fipeval-summary'><h4>{html.escape(self.title)}</h4>"
                f"<table>{head}</table>{table}{notes}</div>")

    def __repr__(self) -> str:
        return self.to_text()


class Result:
    """Base for estimator results. Subclasses implement ``tidy`` and ``_header``.

    ``print(result)`` and Jupyter show the compact view: the settings that say what was
    estimated (``_header``), the table and the notes. ``summary()`` adds the details a
    reader checks next, as R's ``summary()`` and lifelines' ``print_summary()`` do
    (``_details``: fit statistics, sample accounting, the fipeval version).
    """

    title: str = "Result"

    def tidy(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _header(self) -> dict:
        return {}

    def _details(self) -> dict:
        return {}

    def _notes(self) -> tuple:
        return ()

    def summary(self) -> Summary:
        """Everything: the settings, the details (fit statistics, accounting, version),
        the table and the notes."""
        header = {**self._header(), **self._details()}
        header.setdefault("fipeval", __version__)
        return Summary(self.title, header, self.tidy(), tuple(self._notes()))

    def _compact(self) -> Summary:
        full = self.summary()
        hidden = set(self._details()) | {"fipeval"}
        return Summary(full.title, {k: v for k, v in full.header.items() if k not in hidden},
                       full.table, full.notes)

    def to_markdown(self) -> str:
        return self.summary().to_markdown()

    def _repr_html_(self) -> str:
        return self._compact()._repr_html_()

    def __repr__(self) -> str:
        return self._compact().to_text()


def section_figure(name: str, caption: str, ncols: int = 1, height: float = 4.4):
    """A figure of ``ncols`` side-by-side Axes for a report section.

    ``name`` becomes the figure's label (the file stem in report.md) and ``caption`` its
    ``fipeval_caption``, which the report prints under it. Returns (figure, list of Axes).
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(7 * ncols, height), squeeze=False)
    fig.set_label(name)
    fig.fipeval_caption = caption
    return fig, list(axes[0])

