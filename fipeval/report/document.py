"""The report as data (sections of text, tables, figures, estimates) and its three renderings.

Sections never format HTML themselves: they hand over text (Markdown-light: paragraphs),
DataFrames and matplotlib Figures; ``render_html`` embeds figures as base64 PNGs so the
file is self-contained, ``render_markdown`` writes the PNGs beside it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader

from ..results import Summary, md_cell, md_fence, md_text
from .disclosure import COUNT_COLUMN
from .language import ReportWords, Translator, dutch_number, figure_words, translate_figure


@dataclass
class Figure:
    name: str          # file stem, unique within the report
    caption: str
    png: bytes
    untranslated: tuple = ()   # texts drawn in English into a figure of another language


@dataclass(repr=False)
class Section:
    title: str
    blocks: list = field(default_factory=list)   # str | pd.DataFrame | Summary | Figure
    estimates: list = field(default_factory=list)
    sheets: dict = field(default_factory=dict)   # sheet name -> table for report.xlsx
    appendix: list = field(default_factory=list)  # detail tables for the report's appendix
    language: str | None = None  # set when written in one language (the first page)

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
        """Add ``fig`` as a PNG; its texts are drawn in the report's language
        (``language.report_language``), the caption is translated with the rest."""
        translator = figure_words()
        translate_figure(fig, translator)
        buf = io.BytesIO()
        # the tight box from the artists' extents: savefig(bbox_inches="tight") finds it by
        # drawing the whole figure once more (a third of a report figure's cost)
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)   # inches
        fig.savefig(buf, format="png", dpi=110, bbox_inches=box)
        import matplotlib.pyplot as plt
        plt.close(fig)
        self.blocks.append(Figure(name, caption, buf.getvalue(), tuple(translator.missing)))
        return self


@dataclass
class Report:
    title: str
    sections: list
    settings: dict
    estimates: list
    language: str = "en"   # the <html lang> and the language the report is rendered in
    names: tuple = ()      # the data's own words (municipalities, caseworkers): never translated

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
    if v is None:
        return ""
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return f"{v:,}"
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


def localise(report, language: str | None = None):
    """The report as its readers see it: column codes as labels (``labels.column_label``)
    and, for a Dutch report, every text through the catalog and numbers written the Dutch
    way. Returns (report, missing): a new Report (the given one is unchanged: its titles and
    codes are what programs and tests look up) and the texts the catalog lacked, in order of
    appearance."""
    from ..results import _float, _fmt
    from .labels import column_label, key_columns_first

    language = language or report.language
    tr = ReportWords(language, report.names)
    translator = tr.translator

    def cell(value, number_format, strict=False):
        if value is None or value is pd.NA:
            return ""
        if isinstance(value, str):
            return tr(value, strict=strict)
        if language == "en":
            return value
        if isinstance(value, (bool, np.bool_)):
            return tr(str(bool(value)))
        if isinstance(value, (int, float, np.integer, np.floating)):
            if value != value:
                return ""
            text = number_format(value)
            return dutch_number(text) or text
        return value

    def table(df, number_format=_fmt_cell, as_text=True):
        """Labels for the columns, cells translated; ``as_text=False`` (report.xlsx)
        keeps numbers as numbers."""
        order = key_columns_first(df.columns) if df.columns.is_unique else list(df.columns)
        names = [tr(column_label(c)) for c in order]
        columns = []
        for i, values in enumerate(df[order].to_dict("series").values() if df.columns.is_unique
                                   else (df.iloc[:, j] for j in range(df.shape[1]))):
            text = (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
                    or isinstance(values.dtype, pd.CategoricalDtype))   # pandas 3: str dtype
            if text or (language != "en" and as_text):
                done: dict = {}   # a long table repeats its values (municipalities, codes)

                def one(v):
                    key = (type(v), v) if isinstance(v, (str, int, float)) else None
                    if key is None:
                        return cell(v, number_format) if as_text or isinstance(v, str) else v
                    if key not in done:
                        done[key] = cell(v, number_format) if as_text or isinstance(v, str) else v
                    return done[key]

                values = pd.Series([one(v) for v in values.to_numpy(dtype=object)],
                                   index=df.index, dtype=object)
            columns.append(values.rename(names[i]) if len(names) else values)
        if not columns:
            return df.rename(columns=lambda c: tr(column_label(c)))
        return pd.concat(columns, axis=1, keys=names)

    def block(b):
        if isinstance(b, str):
            return tr(b)
        if isinstance(b, tuple):
            caption, df = b
            return (tr(caption) if caption else caption, table(df))
        if isinstance(b, Summary):
            header = {tr(k): cell(v, _fmt, strict=True) for k, v in b.header.items()}
            return Summary(tr(b.title), header, table(b.table, _float),
                           tuple(tr(n) for n in b.notes))
        if isinstance(b, Figure):
            for text in b.untranslated:
                translator.missing[text] = None
            return replace(b, caption=tr(b.caption))
        return b

    sections = []
    for s in report.sections:
        if s.language == language:     # written in the reader's language already
            sections.append(s)
            continue
        sections.append(Section(tr(s.title), [block(b) for b in s.blocks], s.estimates,
                                {k: table(v, as_text=False) for k, v in s.sheets.items()},
                                [block(b) for b in s.appendix], language=language))
    view = replace(report, title=tr(report.title, strict=False), sections=sections,
                   language=language)
    return view, list(translator.missing)


def render_html(report: Report) -> str:
    # every value the template inserts is escaped (the template is report.html.j2, which
    # select_autoescape(["html"]) would not match); section bodies are escaped when built
    report, _ = localise(report)
    env = Environment(loader=PackageLoader("fipeval.report", "templates"), autoescape=True)
    sections = [{"title": s.title, "html": _section_body_html(s),
                 "anchor": s.title.lower().replace(" ", "-")} for s in report.sections]
    settings = json.dumps(report.settings, indent=2, default=str)
    return env.get_template("report.html.j2").render(title=report.title, sections=sections,
                                                     settings=settings, language=report.language,
                                                     settings_title=_settings_title(report))


def _settings_title(report: Report) -> str:
    return Translator(report.language)("Settings")


def render_markdown(report: Report, figure_dir: Path | None = None) -> str:
    report, _ = localise(report)
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
    lines += [f"## {_settings_title(report)}", "", md_fence(json.dumps(report.settings, indent=2, default=str),
                                          "json"), ""]
    return "\n".join(lines)


def write_workbook(report: Report, path: Path, threshold: int) -> Path | None:
    """report.xlsx: each section's take-away tables (``Section.sheets``), one sheet each, and
    every estimate; numbers stay numbers, counts under ``threshold`` people read "<N".
    None when openpyxl (the ``io`` extra) is not installed."""
    from importlib.util import find_spec

    if find_spec("openpyxl") is None:
        return None
    from openpyxl import Workbook

    report, _ = localise(report)
    sheets = {name: table for s in report.sections for name, table in s.sheets.items()}
    sheets["estimates"] = pd.DataFrame(report.estimates)
    # openpyxl's write-only mode: rows streamed to the file as they are appended, no cell
    # objects kept (the national estimates sheet has about 40,000 cells); the cells are
    # those ``DataFrame.to_excel(index=False)`` writes (``_excel_rows``)
    book = Workbook(write_only=True)
    for name, table in sheets.items():
        sheet = book.create_sheet(name[:31])
        for row in _excel_rows(_suppress_small(table, threshold), sheet):
            sheet.append(row)
    book.save(path)
    return path


def _excel_rows(df: pd.DataFrame, sheet):
    """The rows ``DataFrame.to_excel(index=False, na_rep="")`` writes: the header, then each
    row; missing values as empty text, infinities as "inf"/"-inf", NumPy scalars as Python
    numbers, dates with pandas' number formats, anything else as its text."""
    from openpyxl.cell import WriteOnlyCell

    def cell(v):
        if v is None or v is pd.NA or v is pd.NaT:
            return ""
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            v = float(v)
            return "" if math.isnan(v) else ("inf" if v == math.inf else
                                             "-inf" if v == -math.inf else v)
        if isinstance(v, str):
            return v[:32767] if len(v) > 32767 else v
        if isinstance(v, (pd.Timestamp, np.datetime64)) and pd.isna(v):
            return ""
        if isinstance(v, _dt.datetime):
            return _dated(v, "YYYY-MM-DD HH:MM:SS")
        if isinstance(v, _dt.date):
            return _dated(v, "YYYY-MM-DD")
        if isinstance(v, _dt.timedelta):
            return _dated(v.total_seconds() / 86400, "0")
        if isinstance(v, np.datetime64):
            return cell(pd.Timestamp(v))
        if isinstance(v, np.timedelta64):
            return cell(pd.Timedelta(v))
        if isinstance(v, float) or pd.api.types.is_scalar(v) and pd.isna(v):
            return ""
        text = str(v)
        return text[:32767] if len(text) > 32767 else text

    def _dated(value, number_format):
        c = WriteOnlyCell(sheet, value=value)
        c.number_format = number_format
        return c

    yield [cell(c) for c in df.columns]
    columns = [[cell(v) for v in df.iloc[:, j].tolist()] for j in range(df.shape[1])]
    yield from zip(*columns)


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
