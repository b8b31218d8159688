"""Mapping files (TOML): how an export's columns and codes map onto the canonical tables.

A mapping file looks like this (every section optional)::

    [file]
    separator = ";"            # ";", ",", "\\t" or "|"; detected when absent
    encoding = "cp1252"        # "utf-8", "utf-8-sig", "cp1252"; detected when absent
    decimal = ","              # "," or "."; detected when absent
    date_format = "dd-mm-jjjj" # see fipeval.io.dates; detected per column when absent
    sheet = "Uitkeringen"      # Excel sheet (default: the first)
    table = "spells"           # spells, contacts, events, domains or assignments; detected from the headers
    extract_date = "2019-07-01"

    [spells.columns]           # role = header (or a list of alternative headers)
    bsn = "BSN client"
    start_date = "Begin"
    [spells.codes.end_reason]  # raw code = canonical code
    "Werk gevonden" = "work"
    [spells.constants]         # a value for every row (e.g. one file per municipality)
    municipality = "Steenbergen"
    [spells.date_formats]
    birth_date = "dd-mm-jj"

Roles per table: see ``ROLES``. Client roles: ``bsn`` (pseudonymised at load),
``client_id`` (already a pseudonym, used as is) and ``client_number`` (the municipality's
client number, used as is when there is no BSN). ``client_id_kind`` (CBS's ``RINPERSOONS``)
is put before ``client_id`` when both are there. CBS microdata: ``RINPERSOONS`` +
``RINPERSOON`` (``R000123457``) are taken as ``client_id`` and the bus columns ``AANVBUS``/``EINDBUS`` as start and end dates (the
municipality goes in ``[spells.constants]``). A user's mapping is laid over the
built-in presets (``presets/dutch.toml``, ``presets/canonical.toml``): columns it names
replace the presets' guesses for those roles and must exist in the file; its codes extend
the presets' codes. Canonical codes (``work``, ``single``, ...) are always recognised.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from ..schema import (BENEFIT_TYPES, CONTACT_KINDS, DOMAINS, END_REASONS, EVENT_KINDS,
                      HOUSEHOLD_TYPES, SEXES)
from .fields import normalise_key

CLIENT_ROLES = ("bsn", "client_id", "client_number")
ROLES = {
    "spells": CLIENT_ROLES + ("client_id_kind", "municipality", "caseworker", "start_date", "end_date", "end_reason",
                              "monthly_amount", "household_type", "birth_date", "birth_year",
                              "sex", "ladder_rung", "benefit_type"),
    "contacts": CLIENT_ROLES + ("client_id_kind", "municipality", "date", "kind", "minutes"),
    "events": CLIENT_ROLES + ("client_id_kind", "municipality", "date", "kind", "detail"),
    # assessments of the six FIP life domains (fipeval.io.domains)
    "domains": CLIENT_ROLES + ("client_id_kind", "municipality", "date", "domain", "score",
                               "status"),
    # caseworker history (issue 21): who held the client from when (fipeval.io.assignments)
    "assignments": CLIENT_ROLES + ("client_id_kind", "municipality", "caseworker", "from_date",
                                   "to_date"),
}
REQUIRED_ROLES = {"spells": ("start_date",), "contacts": ("date", "kind"), "events": ("date", "kind"),
                  "domains": ("date", "domain"), "assignments": ("caseworker", "from_date")}
DATE_ROLES = ("start_date", "end_date", "birth_date", "date", "from_date", "to_date")
CODE_SETS = {
    ("spells", "end_reason"): END_REASONS,
    ("spells", "household_type"): HOUSEHOLD_TYPES,
    ("spells", "sex"): SEXES,
    ("spells", "benefit_type"): BENEFIT_TYPES,
    ("contacts", "kind"): CONTACT_KINDS,
    ("events", "kind"): EVENT_KINDS,
    ("domains", "domain"): DOMAINS,
}
PRESETS = ("dutch", "canonical", "ww", "aov")
# presets of other benefits (issue 21): laid over the municipal ones (dutch + canonical)
BENEFIT_PRESETS = ("ww", "aov")
FILE_KEYS = ("separator", "encoding", "decimal", "date_format", "sheet", "table", "extract_date")
_TABLE_KEYS = ("columns", "codes", "constants", "date_formats")


@dataclass(frozen=True)
class TableMapping:
    """How one canonical table is found in an export."""

    columns: dict = field(default_factory=dict)       # role -> tuple of alternative headers
    codes: dict = field(default_factory=dict)         # role -> {raw code: canonical code}
    constants: dict = field(default_factory=dict)     # role -> value for every row
    date_formats: dict = field(default_factory=dict)  # role -> date format
    explicit: frozenset = frozenset()                 # roles a user's mapping names


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping (file options plus one ``TableMapping`` per table)."""

    tables: dict = field(default_factory=dict)
    file: dict = field(default_factory=dict)
    source: str = ""
    detect: frozenset = frozenset()   # a benefit preset's own headers (normalised keys)

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def _as_tuple(value, where: str) -> tuple:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a header name or a list of header names; got {value!r}.")


def parse_mapping(data: dict, *, source: str, explicit: bool = True) -> Mapping:
    """Validate a mapping dictionary (as read from TOML) and return a ``Mapping``."""
    unknown = set(data) - set(ROLES) - {"file", "name", "description", "detect"}
    if unknown:
        raise ConfigError(f"Unknown section `{sorted(unknown)[0]}` in mapping {source}; "
                          f"expected file, {', '.join(ROLES)}.")
    file_opts = dict(data.get("file", {}))
    bad = set(file_opts) - set(FILE_KEYS)
    if bad:
        raise ConfigError(f"Unknown key `file.{sorted(bad)[0]}` in mapping {source}; "
                          f"expected one of {', '.join(FILE_KEYS)}.")
    if "table" in file_opts and file_opts["table"] not in ROLES:
        raise ConfigError(f"`file.table` in mapping {source} must be one of {', '.join(ROLES)}; "
                          f"got {file_opts['table']!r}.")
    tables = {}
    for name in ROLES:
        section = data.get(name)
        if section is None:
            continue
        bad = set(section) - set(_TABLE_KEYS)
        if bad:
            raise ConfigError(f"Unknown key `{name}.{sorted(bad)[0]}` in mapping {source}; "
                              f"expected one of {', '.join(_TABLE_KEYS)}.")
        for key in ("columns", "codes", "constants", "date_formats"):
            for role in section.get(key, {}):
                if role not in ROLES[name]:
                    raise ConfigError(f"Unknown role `{name}.{key}.{role}` in mapping {source}; "
                                      f"roles of {name}: {', '.join(ROLES[name])}.")
        columns = {role: _as_tuple(v, f"`{name}.columns.{role}` in {source}")
                   for role, v in section.get("columns", {}).items()}
        codes = {}
        for role, table in section.get("codes", {}).items():
            allowed = CODE_SETS.get((name, role))
            if allowed is None:
                raise ConfigError(f"`{name}.codes.{role}` in mapping {source}: {role} has no codes; "
                                  f"code lists exist for {', '.join(r for t, r in CODE_SETS if t == name)}.")
            for raw, target in table.items():
                if target not in allowed:
                    raise ConfigError(f"`{name}.codes.{role}` in mapping {source} maps {raw!r} to "
                                      f"{target!r}; use one of {', '.join(allowed)}.")
            codes[role] = dict(table)
        tables[name] = TableMapping(columns=columns, codes=codes,
                                    constants=dict(section.get("constants", {})),
                                    date_formats=dict(section.get("date_formats", {})),
                                    explicit=frozenset(columns) if explicit else frozenset())
    detect = frozenset(normalise_key(h) for h in _as_tuple(data["detect"], f"`detect` in {source}")) \
        if "detect" in data else frozenset()
    return Mapping(tables=tables, file=file_opts, source=source, detect=detect)


def read_mapping(path: str | Path) -> Mapping:
    """Read a TOML mapping file.

    Examples
    --------
    >>> m = read_mapping(resources.files("fipeval.io") / "presets" / "dutch.toml")
    >>> m.table("spells").columns["start_date"][0]
    'ingangsdatum'
    """
    path = Path(str(path)) if not hasattr(path, "read_text") else path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"Cannot read mapping file {path}: {err}; check the path.") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"Mapping file {path} is not valid TOML: {err}.") from err
    return parse_mapping(data, source=str(path))


def load_preset(name: str) -> Mapping:
    """A built-in preset (``"dutch"``, ``"canonical"``, ``"ww"``, ``"aov"``) on its own,
    without the explicit-column check."""
    if name not in PRESETS:
        raise ConfigError(f"Unknown preset {name!r}; built-in presets: {', '.join(PRESETS)}.")
    text = (resources.files("fipeval.io") / "presets" / f"{name}.toml").read_text(encoding="utf-8")
    return parse_mapping(tomllib.loads(text), source=f"preset {name}", explicit=False)


def merge(base: Mapping, over: Mapping) -> Mapping:
    """``over`` laid over ``base``: its columns replace, its codes and constants extend."""
    tables = {}
    for name in ROLES:
        b, o = base.table(name), over.table(name)
        columns = dict(b.columns)
        for role, alts in o.columns.items():
            columns[role] = alts + tuple(a for a in b.columns.get(role, ()) if a not in alts) \
                if not o.explicit else alts
        codes = {role: dict(b.codes.get(role, {})) for role in b.codes}
        for role, table in o.codes.items():
            codes.setdefault(role, {}).update(table)
        tables[name] = TableMapping(columns=columns, codes=codes,
                                    constants={**b.constants, **o.constants},
                                    date_formats={**b.date_formats, **o.date_formats},
                                    explicit=b.explicit | o.explicit)
    return Mapping(tables=tables, file={**base.file, **over.file},
                  source=" + ".join(s for s in (base.source, over.source) if s),
                  detect=base.detect | over.detect)


def default_mapping() -> Mapping:
    """The presets combined (Dutch headers, canonical names), canonical codes included."""
    mapping = merge(load_preset("dutch"), load_preset("canonical"))
    identity = parse_mapping({name: {"codes": {role: {c: c for c in allowed}}}
                              for (name, role), allowed in CODE_SETS.items()},
                             source="", explicit=False)
    return merge(mapping, identity)


def preset_mapping(preset: str | None = None) -> Mapping:
    """The built-in mapping of a preset: ``None``, ``"dutch"`` or ``"canonical"`` give the
    municipal presets combined (``default_mapping``); ``"ww"`` and ``"aov"`` lay that
    benefit's preset over them (its headers first, its codes added, its benefit type set).

    Examples
    --------
    >>> preset_mapping("ww").table("spells").constants["benefit_type"]
    'ww'
    """
    if preset is not None and preset not in PRESETS:
        raise ConfigError(f"Unknown preset {preset!r}; built-in presets: {', '.join(PRESETS)}.")
    base = default_mapping()
    return merge(base, load_preset(preset)) if preset in BENEFIT_PRESETS else base


def resolve(mapping: str | Path | Mapping | dict | None, preset: str | None = None) -> Mapping:
    """The mapping to use: the presets (``preset_mapping(preset)``), with the user's mapping
    (file, dict or object) on top."""
    base = preset_mapping(preset)
    if mapping is None:
        return base
    if isinstance(mapping, Mapping):
        user = mapping
    elif isinstance(mapping, dict):
        user = parse_mapping(mapping, source="mapping dict")
    else:
        user = read_mapping(mapping)
    return merge(base, user)


def match_columns(headers: list[str], table: TableMapping, *, table_name: str) -> dict[str, str]:
    """Which header fills which role (first matching alternative; a header fills one role)."""
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(normalise_key(h), h)
    used, found = set(), {}
    ordered = [r for r in ROLES[table_name] if r in table.explicit] + \
              [r for r in ROLES[table_name] if r not in table.explicit]
    for role in ordered:
        for alt in table.columns.get(role, ()):
            header = alt if alt in headers else by_key.get(normalise_key(alt))
            if header is not None and header not in used:
                found[role] = header
                used.add(header)
                break
    return found


def to_toml(file_opts: dict, table_name: str, columns: dict[str, str], codes: dict[str, dict],
            constants: dict | None = None) -> str:
    """A mapping file for one table (what ``inspect --write-mapping`` writes)."""
    def q(s) -> str:
        return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'
    lines = ["# fipeval mapping file: edit, then pass it as fipeval.io.load(..., mapping=PATH)", "",
             "[file]"]
    lines += [f"{k} = {q(v)}" for k, v in file_opts.items() if v is not None]
    lines += ["", f"[{table_name}.columns]"]
    lines += [f"{role} = {q(header)}" for role, header in columns.items()]
    if constants:
        lines += ["", f"[{table_name}.constants]"] + [f"{k} = {q(v)}" for k, v in constants.items()]
    for role, table in codes.items():
        lines += ["", f"[{table_name}.codes.{role}]"]
        lines += [f"{q(raw)} = {q(target)}" for raw, target in table.items()]
    return "\n".join(lines) + "\n"
