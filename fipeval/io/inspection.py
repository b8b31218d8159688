"""What fipeval sees in an export, before loading it (``python -m fipeval inspect PATH``).

Shows the file format, encoding, separator, decimal mark, the table recognised, which
column fills which role, the columns left unmapped, each date column's format, unknown
codes with their counts, and how many rows hold an invalid BSN (by count, never value).
``--write-mapping FILE`` writes a starting mapping file with what was detected (unknown
codes listed as comments to fill in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bsn import is_valid_bsn, redact
from .dates import detect_format, parse_dates
from .detect import detect_decimal
from .fields import as_text, parse_code
from .loading import choose_preset, export_files, table_fits
from .mapping import BENEFIT_PRESETS, CODE_SETS, DATE_ROLES, ROLES, resolve, to_toml
from .readers import read_file


@dataclass(frozen=True)
class Inspection:
    """What ``inspect`` found in one file."""

    file: str
    format: str
    rows: int
    headers: list
    table: str | None
    columns: dict = field(default_factory=dict)
    unmapped: list = field(default_factory=list)
    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    sheets: tuple = ()
    date_formats: dict = field(default_factory=dict)
    unknown_codes: dict = field(default_factory=dict)
    invalid_bsn_rows: int = 0
    bad_lines: int = 0
    guesses: dict = field(default_factory=dict)   # role -> header, from the values
    preset: str | None = None                      # a benefit's preset (ww, aov) that read it

    def to_text(self) -> str:
        sep = {"\t": "tab", None: "-"}.get(self.separator, self.separator)
        lines = [f"File       {self.file}", f"Format     {self.format}"
                 + (f" (sheet {self.sheet} of {', '.join(self.sheets)})" if self.sheets
                    else f" (sheet {self.sheet})" if self.sheet else ""),
                 f"Rows       {self.rows:,}" + (f" (+{self.bad_lines:,} with a wrong number of fields)"
                                                if self.bad_lines else "")]
        if self.encoding:
            lines += [f"Encoding   {self.encoding}", f"Separator  {sep}"]
        if self.decimal:
            lines.append(f"Decimal    {self.decimal!r}")
        if self.table is None:
            lines += ["Table      not recognised (write a mapping file with --write-mapping "
                      "and fill in the columns)",
                      f"Headers    {', '.join(map(redact, self.headers))}"]
            if self.guesses:
                lines.append("Guessed from the headers and values (check them):")
                lines += [f"  {redact(h):<30} -> {role}" for role, h in self.guesses.items()]
            return "\n".join(lines)
        lines += [f"Table      {self.table}"]
        if self.preset:
            lines.append(f"Preset     {self.preset} (chosen from the headers)")
        lines += ["", "Columns:"]
        for role, header in self.columns.items():
            fmt = self.date_formats.get(role)
            lines.append(f"  {redact(header):<30} -> {role}" + (f"  (dates: {fmt})" if fmt else ""))
        if self.unmapped:
            lines.append(f"Unmapped:  {', '.join(map(redact, self.unmapped))}")
        for role, counts in self.unknown_codes.items():
            fate = {"end_reason": "end reason `unknown`", "sex": "`unknown`", "kind": "rejected rows"}
            lines.append(f"Unknown {role} codes (become {fate.get(role, 'empty values')}; "
                         "map them in a mapping file):")
            lines += [f"  {code!r}: {n:,} rows" for code, n in counts.items()]
        if "bsn" in self.columns:
            lines.append(f"BSN        {self.invalid_bsn_rows:,} rows fail the 11-proef "
                         "(rejected at load); the rest are pseudonymised with your key")
        return "\n".join(lines)

    def mapping_toml(self) -> str:
        """A starting mapping file for this export."""
        opts = {"separator": self.separator, "encoding": self.encoding, "decimal": self.decimal,
                "sheet": self.sheet, "table": self.table or "spells"}
        table = self.table or "spells"
        text = to_toml(opts, table, self.columns or self.guesses, {})
        if self.table is None:
            text = text.replace(f"[{table}.columns]\n",
                                f"[{table}.columns]\n# guessed from the headers and values: check every line\n")
            text += "".join(f"# {role} = \"<header>\"\n" for role in ROLES[table]
                            if role not in self.guesses)
        dates = {r: f for r, f in self.date_formats.items() if f not in (None, "native")}
        if dates:
            text += f"\n[{table}.date_formats]\n" + "".join(f'{r} = "{f}"\n' for r, f in dates.items())
        for role, counts in self.unknown_codes.items():
            allowed = ", ".join(CODE_SETS[(table, role)])
            text += f"\n[{table}.codes.{role}]\n# fill in one of: {allowed}\n"
            text += "".join(f'# "{code}" = ""   # {n} rows\n' for code, n in counts.items())
        return text


def inspect(path: str | Path, mapping=None, *, sheet: str | int | None = None) -> Inspection:
    """Inspect one export without loading it (no key needed, no values shown but codes).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = f.write_text("bsn;gemeente;ingangsdatum;reden beëindiging\\n"
    ...                  "111222333;Woensdrecht;01-02-2015;werk gevonden\\n", encoding="utf-8")
    >>> res = inspect(f)
    >>> res.table, res.separator, res.unknown_codes
    ('spells', ';', {'end_reason': {'werk gevonden': 1}})
    """
    merged = resolve(mapping)
    opts = merged.file
    raw = read_file(path, separator=opts.get("separator"), encoding=opts.get("encoding"),
                    sheet=sheet if sheet is not None else opts.get("sheet"),
                    fits=table_fits(merged))
    # the presets load() would try (issue 21): a WW or AOV export is read with its own
    chosen, merged, table, roles = choose_preset(
        raw, [("dutch", merged)] + [(p, resolve(mapping, p)) for p in BENEFIT_PRESETS])
    fmt = raw.text_format
    base = dict(file=raw.file, format=raw.kind, rows=raw.table.num_rows, headers=raw.headers,
                table=table, encoding=fmt.encoding if fmt else None,
                separator=fmt.separator if fmt else None, sheet=raw.sheet, sheets=raw.sheets,
                bad_lines=len(raw.bad_lines),
                preset=chosen if chosen in BENEFIT_PRESETS and table is not None else None)
    if table is None:
        guesses = guess_roles(raw)
        formats = {role: detect_format(raw.table.column(h).combine_chunks())
                   for role, h in guesses.items() if role in DATE_ROLES}
        return Inspection(**base, guesses=guesses, date_formats=formats)
    tmap = merged.table(table)
    column = lambda role: raw.table.column(roles[role]).combine_chunks()  # noqa: E731
    dates = {role: tmap.date_formats.get(role) or opts.get("date_format") or detect_format(column(role))
             for role in DATE_ROLES if role in roles}
    decimal = None
    for role in ("monthly_amount", "minutes"):
        if role in roles:
            decimal = opts.get("decimal") or detect_decimal(column(role), separator=base["separator"] or ";")
    unknown = {}
    for (tname, role) in CODE_SETS:
        if tname == table and role in roles:
            parsed = parse_code(column(role), tmap.codes.get(role, {}), unknown=None)
            if parsed.unknown:
                unknown[role] = dict(parsed.unknown.most_common())
    invalid = 0
    if "bsn" in roles:
        text = as_text(column("bsn"))
        filled = np.asarray([v is not None and str(v).strip() != "" for v in text.to_pylist()],
                            dtype=bool)
        invalid = int((~is_valid_bsn(text) & filled).sum())
    return Inspection(**base, columns=dict(roles),
                      unmapped=[h for h in raw.headers if h not in roles.values()],
                      decimal=decimal, date_formats=dates, unknown_codes=unknown,
                      invalid_bsn_rows=invalid)


# Spells roles guessed from a header's words (CBS microdata and municipal systems name
# columns their own way: BIJSTANDBEGINDATUM, RINPERSOON, GBAGEBOORTEJAAR, ...). The first
# role whose word occurs in the header (lower case, separators removed) wins.
NAME_HINTS = (
    ("client_id_kind", ("rinpersoons",)),
    ("client_id", ("rinpersoon", "persoonsnummer", "clientnummer", "clientid")),
    ("bsn", ("bsn", "burgerservice", "sofinummer")),
    ("client_number", ("klantnummer", "klantnr", "dossiernummer", "dossiernr")),
    ("end_reason", ("reden", "uitstroom", "beeindigingsgrond", "eindreden")),
    ("start_date", ("begindatum", "ingangsdatum", "aanvangsdatum", "startdatum", "datumbegin",
                    "datumingang", "datumaanvang", "datumstart", "begin", "aanvang", "ingang")),
    ("end_date", ("einddatum", "datumeinde", "datumeind", "stopdatum", "beeindigingsdatum",
                  "einde", "eind")),
    ("birth_date", ("geboortedatum", "gebdat", "geboortedat")),
    ("birth_year", ("geboortejaar", "gebjaar")),
    ("municipality", ("gemeente", "gemcode")),
    ("caseworker", ("klantmanager", "consulent", "behandelaar", "casemanager", "medewerker")),
    ("monthly_amount", ("bedrag", "uitkeringshoogte", "hoogte")),
    ("household_type", ("leefvorm", "huishouden", "huishoud", "normcategorie")),
    ("sex", ("geslacht", "gesl", "sekse")),
    ("ladder_rung", ("trede", "participatieladder", "ladder")),
)


def _guess_from_name(header: str, taken: set) -> str | None:
    key = re.sub(r"[^a-z]", "", str(header).lower().replace("ë", "e"))
    for role, words in NAME_HINTS:
        if role not in taken and any(w in key for w in words):
            return role
    return None


def guess_roles(raw) -> dict:
    """Spells roles guessed for an export no preset recognises, from the header's words
    (``NAME_HINTS``) and, for the columns left, from the values: 11-proef numbers -> bsn,
    the first two date columns -> start/end date, known end reason / household / sex codes,
    decimal amounts -> monthly_amount. Every guess is a proposal the mapping file marks
    to be checked."""
    from .mapping import default_mapping
    codes = default_mapping().table("spells").codes
    guesses: dict = {}
    for header in raw.headers:
        role = _guess_from_name(header, set(guesses))
        if role is not None:
            guesses[role] = header
    named = set(guesses.values())
    for header in raw.headers:
        if header in named:
            continue
        col = raw.table.column(header).slice(0, 2000).combine_chunks()
        text = as_text(col)
        filled = [v for v in text.to_pylist() if v is not None and str(v).strip()]
        if not filled:
            continue
        if "bsn" not in guesses and is_valid_bsn(text).sum() >= 0.9 * len(filled):
            guesses["bsn"] = header
            continue
        fmt = detect_format(col)
        if fmt is not None and fmt not in ("excel", "yyyymmdd") or fmt == "native":
            parsed = parse_dates(col, date_format=None if fmt == "native" else fmt)
            if (~parsed.invalid & ~parsed.missing).sum() >= 0.8 * len(filled):
                role = "start_date" if "start_date" not in guesses else \
                    "end_date" if "end_date" not in guesses else None
                if role:
                    guesses[role] = header
                    continue
        for role in ("end_reason", "household_type", "sex"):
            if role in guesses:
                continue
            parsed = parse_code(text, codes.get(role, {}), unknown=None)
            known = (~parsed.missing & ~parsed.unknown_rows).sum()
            if known >= 0.3 * len(filled):
                guesses[role] = header
                break
        else:
            if "monthly_amount" not in guesses and all(
                    re.fullmatch(r"-?[\d.]*\d,\d{2}|-?\d+\.\d{2}", str(v).strip()) for v in filled[:200]):
                guesses["monthly_amount"] = header
    return guesses


def inspect_paths(paths, mapping=None, *, sheet: str | int | None = None) -> list[Inspection]:
    """``inspect`` every export ``load`` would read from ``paths`` (files, folders or both)."""
    return [inspect(path, mapping=mapping, sheet=sheet) for path, _ in export_files(paths)]
