"""The report as data (sections of text, tables, figures, estimates) and its three renderings.

Sections never format HTML themselves: they hand over text (Markdown-light: paragraphs),
DataFrames and matplotlib Figures; ``render_html`` embeds figures as base64 PNGs so the
file is self-contained, ``render_markdown`` writes the PNGs beside it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader

from ..results import Summary, md_cell, md_fence, md_text
from .disclosure import COUNT_COLUMN


@dataclass
class Figure:
    name: str          # file stem, unique within the report
    caption: str
    png: bytes


@dataclass(repr=False)
class Section:
    title: str
    blocks: list = field(default_factory=list)   # str | pd.DataFrame | Summary | Figure
    estimates: list = field(default_factory=list)
    sheets: dict = field(default_factory=dict)   # sheet name -> table for report.xlsx
    appendix: list = field(default_factory=list)  # detail tables for the report's appendix

    def text(self, paragraph: str) -> "Section":
        self.blocks.append(paragraph)
        return self

    def table(self, df: pd.DataFrame, caption: str = "") -> "Section":
        self.blocks.append((caption, df))
        return self

    def summary(self, s) -> "Section":
        self.blocks.append(s.summary() if hasattr(s, "summary") and not isinstance(s, Summary) else s)
        return self

    def __repr__(self) -> str:
        """The title and the paragraphs (tables and figures by caption)."""
        lines = [self.title, "=" * len(self.title)]
        for b in self.blocks:
            if isinstance(b, str):
                lines += ["", b]
            elif isinstance(b, tuple):
                lines += ["", f"[table: {b[0] or 'untitled'}]"]
            elif isinstance(b, Summary):
                lines += ["", f"[table: {b.title}]"]
            elif isinstance(b, Figure):
                lines += ["", f"[figure: {b.caption}]"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The section as the report shows it (Jupyter displays it)."""
        return f"<h2>{html.escape(self.title)}</h2>\n{_section_body_html(self)}"

    def figure(self, fig, name: str, caption: str) -> "Section":
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt
        plt.close(fig)
        self.blocks.append(Figure(name, caption, buf.getvalue()))
        return self


@dataclass
class Report:
    title: str
    sections: list
    settings: dict
    estimates: list
    language: str = "en"   # the <html lang> and the first page's language

    @property
    def first_page(self) -> "Section":
        """The answer in brief (the report's first section); Jupyter displays it."""
        return self.sections[0]

    def section(self, title: str) -> "Section":
        """The section called ``title`` (KeyError naming the titles there are)."""
        for s in self.sections:
            if s.title == title:
                return s
        raise KeyError(f"no section {title!r}; the report has: "
                       + ", ".join(repr(s.title) for s in self.sections))


def estimate(section: str, name: str, value, *, std_error=None, ci=(None, None), p_value=None,
             method: str = "", n=None, **extra) -> dict:
    """One row of estimates.json."""
    return {"section": section, "name": name, "estimate": _num(value), "std_error": _num(std_error),
            "ci_lower": _num(ci[0]), "ci_upper": _num(ci[1]), "p_value": _num(p_value),
            "method": method, "n": None if n is None else int(n), **extra}


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _fmt_cell(v) -> str:
    if isinstance(v, (float, np.floating)):
        if v != v:
            return ""
        if float(v).is_integer() and abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


def _block(summary: Summary) -> Summary:
    """A result block as the report shows it: the fipeval version is stated once, at the top
    and in the settings, not in every block."""
    header = {k: v for k, v in summary.header.items() if k != "fipeval"}
    return Summary(summary.title, header, summary.table, summary.notes)


def _table_html(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt_cell(v))}</td>" for v in r) + "</tr>"
                   for r in df.itertuples(index=False))
    return f"<table class='data'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _table_md(df: pd.DataFrame) -> str:
    cols = [md_cell(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(md_cell(_fmt_cell(v)) for v in r) + " |"
              for r in df.itertuples(index=False)]
    return "\n".join(lines)


def _section_body_html(section: "Section") -> str:
    """A section's blocks as HTML, every text escaped."""
    parts = []
    for b in section.blocks:
        if isinstance(b, str):
            parts.append(f"<p>{html.escape(b)}</p>")
        elif isinstance(b, tuple):
            caption, df = b
            parts.append((f"<p class='caption'>{html.escape(caption)}</p>" if caption else "")
                         + _table_html(df))
        elif isinstance(b, Summary):
            parts.append(_block(b)._repr_html_())
        elif isinstance(b, Figure):
            data = base64.b64encode(b.png).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(b.caption)}' "
                         f"src='data:image/png;base64,{data}'/>"
                         f"<figcaption>{html.escape(b.caption)}</figcaption></figure>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    # every value the template inserts is escaped (the template is report.html.j2, which
    # select_autoescape(["html"]) would not match); section bodies are escaped when built
    env = Environment(loader=PackageLoader("fipeval.report", "templates"), autoescape=True)
    sections = [{"title": s.title, "html": _section_body_html(s),
                 "anchor": s.title.lower().replace(" ", "-")} for s in report.sections]
    settings = json.dumps(report.settings, indent=2, default=str)
    return env.get_template("report.html.j2").render(title=report.title, sections=sections,
                                                     settings=settings, language=report.language)


def render_markdown(report: Report, figure_dir: Path | None = None) -> str:
    lines = [f"# {md_text(report.title)}", ""]
    for s in report.sections:
        lines += [f"## {md_text(s.title)}", ""]
        for b in s.blocks:
            if isinstance(b, str):
                lines += [md_text(b), ""]
            elif isinstance(b, tuple):
                caption, df = b
                lines += ([f"*{md_text(caption)}*", ""] if caption else []) + [_table_md(df), ""]
            elif isinstance(b, Summary):
                lines += [_block(b).to_markdown(), ""]
            elif isinstance(b, Figure):
                if figure_dir is not None:
                    figure_dir.mkdir(parents=True, exist_ok=True)
                    (figure_dir / f"{b.name}.png").write_bytes(b.png)
                    lines += [f"![{md_text(b.caption)}]({figure_dir.name}/{b.name}.png)", ""]
    lines += ["## Settings", "", md_fence(json.dumps(report.settings, indent=2, default=str),
                                          "json"), ""]
    return "\n".join(lines)


def write_workbook(report: Report, path: Path, threshold: int) -> Path | None:
    """report.xlsx: each section's take-away tables (``Section.sheets``), one sheet each, and
    every estimate; numbers stay numbers, counts under ``threshold`` people read "<N".
    None when openpyxl (the ``io`` extra) is not installed."""
    from importlib.util import find_spec

    if find_spec("openpyxl") is None:
        return None
    sheets = {name: table for s in report.sections for name, table in s.sheets.items()}
    sheets["estimates"] = pd.DataFrame(report.estimates)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            _suppress_small(table, threshold).to_excel(writer, sheet_name=name[:31], index=False)
    return path


def _suppress_small(df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Counts (``disclosure.COUNT_COLUMN``) under ``threshold`` as text "<N"."""
    out = df.copy()
    for col in out.columns:
        if COUNT_COLUMN.match(str(col)) and pd.api.types.is_numeric_dtype(out[col]) and threshold > 0:
            small = out[col].notna() & (out[col] < threshold)
            if small.any():
                out[col] = out[col].astype(object)
                out.loc[small, col] = f"<{threshold}"
    return out
