"""The report in its reader's language.

Sections are written in English, as the library's results are (a researcher in Jupyter
reads the same words). A Dutch report is the English one passed through a message catalog
(``catalog_nl.CATALOG``) when it is rendered (``document.localise``), the way gettext
catalogs are keyed by the English message:

- a text equal to a catalog entry is replaced by its translation;
- an entry with ``{fields}`` is a template: ``"{n} rows were read"`` matches
  ``"13,304 rows were read"`` and the field's value is itself translated (numbers are
  written the Dutch way, ``13.304``; names of places and people pass unchanged);
- a text that is neither is kept and recorded in ``Translator.missing``: the tests render
  both bundled studies in Dutch and require that list to be empty, and that no English word
  of the English report reaches the Dutch one.

Figures are translated when they are drawn (``Section.figure``): titles, axis labels, legend
entries and tick labels go through the same catalog, numbers on the axes get a decimal
comma. Codes stay codes where a program reads them (estimates.json, the settings block).
"""

from __future__ import annotations

import contextvars
import re
import string
from contextlib import contextmanager
from functools import lru_cache


LANGUAGES = ("en", "nl")

# (language, names) of the report being built: read by Section.figure
_context = contextvars.ContextVar("fipeval_report_language", default=("en", frozenset()))

# 1,234.5 / -0.25 / +3 / 12% / 1.2e-05 written as Python formats them in English
_NUMBER = re.compile(r"(?P<sign>[+\-−]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
                     r"(?P<exp>e[+\-]\d+)?(?P<pct>%?)")


@contextmanager
def report_language(language: str, names=()):
    """Within the block, ``Section.figure`` draws figure texts in ``language``; ``names``
    (municipalities, caseworkers) are the data's own words and pass untranslated."""
    token = _context.set((language, frozenset(str(n) for n in names)))
    try:
        yield
    finally:
        _context.reset(token)


def figure_words() -> "ReportWords":
    """The words for a figure of the report being built (English outside a build)."""
    language, names = _context.get()
    return ReportWords(language, names)


def dutch_number(text: str) -> str | None:
    """``"13,304.5"`` -> ``"13.304,5"``; None when ``text`` is not a number.

    Examples
    --------
    >>> dutch_number("-1,234.5"), dutch_number("12%"), dutch_number("0.2 SD")
    ('-1.234,5', '12%', None)
    """
    if not _NUMBER.fullmatch(text):
        return None
    return text.translate(str.maketrans({",": ".", ".": ","}))


def _template_regex(template: str, vocabularies: dict) -> tuple[re.Pattern, int, dict]:
    """A template's regex, its count of literal characters and the vocabulary named by each
    field's spec. A field matches any text (lazily); a field with a spec (``{g:group}``)
    only the codes of ``vocabularies["group"]``."""
    parts, literal, specs = [], 0, {}
    for text, field, spec, _ in string.Formatter().parse(template):
        parts.append(re.escape(text))
        literal += len(text)
        if field is not None:
            if spec:
                specs[field] = spec
                codes = sorted(vocabularies.get(spec, {}), key=len, reverse=True)
                parts.append(f"(?P<{field}>{'|'.join(map(re.escape, codes))})")
            else:
                parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.S), literal, specs


class Translator:
    """Texts through a catalog (see the module docstring).

    ``Translator("nl")`` translates English into Dutch; ``Translator("en", catalog)`` only
    rewrites what ``catalog`` names (the readable labels of codes). ``translator(text)``
    returns the translation; ``strict=False`` marks a text that may be data (a table cell:
    a name, an identifier), which is not recorded as missing.
    """

    def __init__(self, language: str = "nl", catalog: dict | None = None,
                 vocabularies: dict | None = None):
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}; got {language!r}")
        self.language = language
        if catalog is None:
            catalog = {} if language == "en" else _catalog(language)
        self.vocabularies = vocabularies or {}
        self.exact: dict[str, str] = {}
        templates = []
        for english, translated in catalog.items():
            key = _normal(english)
            if any(f for _, f, _, _ in string.Formatter().parse(english)):
                pattern, literal, specs = _template_regex(key, self.vocabularies)
                # the translation's fields carry no spec: "{g:group}" -> "{g}"
                plain = re.sub(r"\{(\w+):\w+\}", r"{\1}", translated)
                head = key[:key.index("{")]   # a text can only match if it starts so
                templates.append((literal, head, pattern, specs, plain))
            else:
                self.exact[key] = translated
        # the most specific template first: "{n} rows were read" before "{a} {b}"
        templates.sort(key=lambda t: -t[0])
        self.templates = [t[1:] for t in templates]
        self.missing: dict[str, None] = {}
        self.prepare = lambda text: text   # applied to field values first (ReportWords)
        self._done: dict[str, str | None] = {}   # a national report repeats its cells

    def __call__(self, text, *, strict: bool = True):
        if not isinstance(text, str) or (self.language == "en" and not self.exact
                                          and not self.templates):
            return text
        if text not in self._done:
            self._done[text] = self._translate(text)
        out = self._done[text]
        if out is None:
            if strict and _has_words(text):
                self.missing[_normal(text)] = None
            return text
        return out

    def _translate(self, text: str, depth: int = 0) -> str | None:
        key = _normal(text)
        if not key:
            return text
        if key in self.exact:
            return self.exact[key]
        if self.language == "nl":
            number = dutch_number(key)
            if number is not None:
                return number
        if depth > 3:
            return None
        for head, pattern, specs, translated in self.templates:
            if not key.startswith(head):
                continue
            match = pattern.fullmatch(key)
            if match:
                values = {}
                for name, value in match.groupdict().items():
                    if name in specs:
                        value = self.vocabularies.get(specs[name], {}).get(value, value)
                    values[name] = self._field(value, depth)
                return translated.format(**values)
        return None

    def _field(self, value: str, depth: int) -> str:
        """A template field's value: a list ("a; b" or "a, b") item by item when every item
        is known, else the whole when known, else the known items; a name is kept."""
        value = self.prepare(value)
        for separator in ("; ", ", "):
            if separator in value:
                items = [self._translate(self.prepare(i), depth + 1) for i in value.split(separator)]
                if all(i is not None for i in items):
                    return separator.join(items)
        out = self._translate(value, depth + 1)
        if out is not None:
            return out
        for separator in ("; ", ", "):
            if separator in value:
                return separator.join(self._field(i, depth) for i in value.split(separator))
        return value


class ReportWords:
    """The report's words: codes as readable English (``labels.READABLE``), then the
    reader's language. ``names`` (municipalities, caseworkers, and lists of them) pass
    unchanged and are never missing."""

    def __init__(self, language: str = "en", names=()):
        from .labels import READABLE, VOCABULARIES

        self.language = language
        self.readable = Translator("en", READABLE, VOCABULARIES)
        self.translator = Translator(language, vocabularies=VOCABULARIES)
        self.translator.prepare = lambda text: self.readable(text, strict=False)
        self.names = frozenset(_normal(n) for n in names)

    @property
    def missing(self) -> dict:
        return self.translator.missing

    def is_name(self, text: str) -> bool:
        key = _normal(text)
        return key in self.names or (", " in key and all(p in self.names
                                                          for p in key.split(", ")))

    def __call__(self, text, *, strict: bool = True):
        if not isinstance(text, str) or self.is_name(text):
            return text
        return self.translator(self.readable(text, strict=False), strict=strict)


def _normal(text: str) -> str:
    return " ".join(str(text).split())


def _has_words(text: str) -> bool:
    return re.search(r"[A-Za-z]{2,}", text) is not None


@lru_cache(maxsize=None)
def _catalog(language: str) -> dict:
    """The language's catalog, with each lower-case entry also capitalised (a label can
    start a cell or a sentence)."""
    from .catalog_nl import CATALOG

    out = dict(CATALOG)
    for english, translated in CATALOG.items():
        if english[:1].islower() and english[:1] != "{":
            out.setdefault(english[0].upper() + english[1:], translated[0].upper() + translated[1:])
    return out


def translate_figure(fig, translator) -> None:
    """Every text of a matplotlib figure in the translator's language, in place: titles,
    labels, legends and annotations directly; tick labels through their axis formatters,
    which matplotlib calls again when the figure is drawn."""
    from matplotlib.text import Text

    wrap = _translated_formatter_class()
    ticks = set()
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
            if translator.language == "en":
                continue
            if not isinstance(axis.get_major_formatter(), wrap):
                axis.set_major_formatter(wrap(axis.get_major_formatter(), translator))
            if not isinstance(axis.get_minor_formatter(), wrap):
                axis.set_minor_formatter(wrap(axis.get_minor_formatter(), translator))
    for text in fig.findobj(Text):
        value = text.get_text()
        if value and id(text) not in ticks:
            text.set_text(translator(value))


@lru_cache(maxsize=None)
def _translated_formatter_class():
    """A matplotlib Formatter wrapping another: the same ticks, their labels translated
    (month names, categories) and numbers written with a decimal comma."""
    from matplotlib.ticker import Formatter

    class TranslatedFormatter(Formatter):
        def __init__(self, inner, translator):
            self.inner, self.translator = inner, translator

        def set_axis(self, axis):
            super().set_axis(axis)
            self.inner.set_axis(axis)

        def set_locs(self, locs):
            self.locs = locs
            self.inner.set_locs(locs)

        def __call__(self, x, pos=None):
            return self.translator(self.inner(x, pos))

        def format_ticks(self, values):
            return [self.translator(v) for v in self.inner.format_ticks(values)]

        def get_offset(self):
            return self.translator(self.inner.get_offset(), strict=False)

        def format_data_short(self, value):
            return self.inner.format_data_short(value)

    return TranslatedFormatter
