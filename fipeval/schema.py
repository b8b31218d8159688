"""The canonical register: the tables every stage reads, and the ``Register`` that holds them.

Every stage imports column names and category sets from here instead of repeating them.

Tables
------
spells    one row per benefit period (a client may have several)
contacts  one row per contact between caseworker and client
events    one row per fraud signal or activation step
domains   optional: one row per assessment of one of the six FIP life domains
assignments  optional: one row per period a caseworker holds a client (caseworker history)
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import SchemaError

END_REASONS = ("work", "enforcement", "moved", "partner", "other_benefit",
               "education", "death", "other", "unknown",
               # --- benefit types (issue 21): reasons of WW and AOV spells, never drawn for
               # bijstand; appended so that the codes above keep their numbers
               "exhausted",     # WW: maximum duration reached; AOV: the benefit term ran out
               "recovered",     # AOV: fit for work again (herstel)
               "retirement")    # state pension age reached, or the policy's end age (AOV)

# --- benefit types (issue 21) -------------------------------------------------------------
# bijstand: Participatiewet social assistance, paid by the municipality; ww: unemployment
# benefit (Werkloosheidswet), paid by UWV; aov: arbeidsongeschiktheidsverzekering, the
# disability insurance of the self-employed, paid by a private insurer.
BENEFIT_TYPES = ("bijstand", "ww", "aov")
DEFAULT_BENEFIT_TYPE = "bijstand"   # a register without a benefit_type column is bijstand
# the end reasons each benefit type knows (``END_REASONS`` order); others are not expected
BENEFIT_END_REASONS = {
    "bijstand": END_REASONS[:9],
    "ww": ("work", "enforcement", "moved", "other_benefit", "education", "death", "other",
           "unknown", "exhausted", "retirement"),
    "aov": ("work", "enforcement", "other_benefit", "death", "other", "unknown", "exhausted",
            "recovered", "retirement"),
}
# --- end benefit types --------------------------------------------------------------------
HOUSEHOLD_TYPES = ("single", "single_parent", "couple")
SEXES = ("female", "male", "unknown")
CONTACT_KINDS = ("intake", "fip_talk", "regular")
ACTIVATION_KINDS = ("volunteering", "informal_care", "programme_start", "ladder_step")
EVENT_KINDS = ("fraud_signal",) + ACTIVATION_KINDS
LADDER_RUNGS = (1, 2, 3, 4, 5, 6)  # participatieladder: 1 isolated ... 6 paid work

# --- the six FIP life domains (leefgebieden) -------------------------------------------
# FIP's intake maps six life domains ("a photo"); later talks aim at movement on any of them.
DOMAINS = ("relationship", "finances", "health", "housing", "family", "work_education")
# Domain scores: an ordinal 1-5 scale in the manner of the self-sufficiency matrix
# (zelfredzaamheidsmatrix): 1 acute problems, 2 not self-sufficient, 3 barely
# self-sufficient, 4 sufficiently self-sufficient, 5 fully self-sufficient. Higher is better.
DOMAIN_SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str                      # pandas dtype name; "category" uses `categories`
    required: bool = True
    categories: tuple | None = None
    description: str = ""


SPELL_COLUMNS = (
    Column("client_id", "string[pyarrow]", description="pseudonymous client id (keyed hash of the BSN)"),
    Column("municipality", "category", description="municipality (gemeente)"),
    Column("caseworker", "category", description="caseworker (klantmanager) id"),
    Column("start_date", "datetime64[ns]", description="first day on benefit (ingangsdatum)"),
    Column("end_date", "datetime64[ns]", description="last day on benefit; NaT while running"),
    Column("end_reason", "category", categories=END_REASONS,
           description="why the benefit ended; missing while running"),
    Column("monthly_amount", "float64", required=False, description="monthly benefit in euros"),
    Column("household_type", "category", required=False, categories=HOUSEHOLD_TYPES),
    Column("birth_year", "Int16", required=False),
    Column("sex", "category", required=False, categories=SEXES),
    Column("ladder_rung", "Int8", required=False, description="participatieladder rung 1-6"),
    Column("benefit_type", "category", required=False, categories=BENEFIT_TYPES,
           description="bijstand, ww or aov; missing = bijstand (see study_benefit_type)"),
)
CONTACT_COLUMNS = (
    Column("client_id", "string[pyarrow]"),
    Column("date", "datetime64[ns]"),
    Column("kind", "category", categories=CONTACT_KINDS),
    Column("minutes", "float64", required=False),
)
EVENT_COLUMNS = (
    Column("client_id", "string[pyarrow]"),
    Column("date", "datetime64[ns]"),
    Column("kind", "category", categories=EVENT_KINDS),
    Column("detail", "string", required=False),
)
DOMAIN_COLUMNS = (
    Column("client_id", "string[pyarrow]"),
    Column("date", "datetime64[ns]", description="day of the assessment"),
    Column("domain", "category", categories=DOMAINS, description="FIP life domain (leefgebied)"),
    Column("score", "Int8", required=False,
           description="ordinal score 1-5 (schema.DOMAIN_SCORES; 5 fully self-sufficient)"),
    Column("status", "string", required=False, description="free-text status, as exported"),
)

# ---- caseworker assignments (issue 21) -------------------------------------------------
# A caseworker holds a client on day d when from_date <= d < to_date (to_date missing: still
# holds them), the same half-open rule as a spell's start and end. A client's rows must not
# overlap. Optional: a register without it has one caseworker per spell (derive_assignments).
ASSIGNMENT_COLUMNS = (
    Column("client_id", "string[pyarrow]", description="pseudonymous client id, as in spells"),
    Column("caseworker", "category", description="caseworker (klantmanager) id"),
    Column("from_date", "datetime64[ns]", description="first day the caseworker holds the client"),
    Column("to_date", "datetime64[ns]",
           description="first day they no longer do (the next caseworker's from_date); NaT: open"),
    Column("municipality", "category", required=False, description="municipality (gemeente)"),
)
# ---- end caseworker assignments ---------------------------------------------------------

TABLES: Mapping[str, tuple[Column, ...]] = {
    "spells": SPELL_COLUMNS,
    "contacts": CONTACT_COLUMNS,
    "events": EVENT_COLUMNS,
    "domains": DOMAIN_COLUMNS,      # optional in a Register (None when absent)
    "assignments": ASSIGNMENT_COLUMNS,
}
OPTIONAL_TABLES = ("domains", "assignments")   # Register fields that may be None


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


def empty_table(table: str) -> pd.DataFrame:
    """A zero-row table with the canonical columns and dtypes."""
    return conform(table, pd.DataFrame({c.name: [] for c in TABLES[table]}))


def conform(table: str, df: pd.DataFrame, *, copy: bool = True) -> pd.DataFrame:
    """Return a copy of ``df`` with canonical column order and dtypes.

    ``copy=False`` lets columns that already have their canonical dtype be shared with
    ``df``: only for frames nobody else holds (the loader's own).

    Missing optional columns are added empty; extra columns are kept after the canonical
    ones. Raises SchemaError for a missing required column or a value outside a category set.
    """
    if table not in TABLES:
        raise SchemaError(f"Unknown table {table!r}; expected one of {', '.join(TABLES)}.")
    out = {}
    for col in TABLES[table]:
        if col.name not in df.columns:
            if col.required:
                raise SchemaError(
                    f"The {table} table has no column `{col.name}`; "
                    f"available columns: {', '.join(map(str, df.columns))}."
                )
            if col.dtype == "category" and col.categories is not None:
                # empty codes straight away (an object column of NA would be checked row by
                # row against the categories: a second for a national register)
                values = pd.Series(pd.Categorical.from_codes(
                    np.full(len(df), -1, dtype=np.int8), categories=list(col.categories)),
                    index=df.index)
            else:
                missing = (pd.NaT if col.dtype.startswith("datetime")
                           else np.nan if col.dtype.startswith("float") else pd.NA)
                values = pd.Series(missing, index=df.index,
                                   dtype="object" if col.dtype == "category" else col.dtype)
        else:
            values = df[col.name]
        out[col.name] = _coerce(values, col, table)
    extra = [c for c in df.columns if c not in out]
    # the one copy of the data (never a view of the caller's frame, unless copy=False)
    result = pd.DataFrame(out, index=df.index, copy=copy)
    for c in extra:
        result[c] = df[c].copy()
    result.index = pd.RangeIndex(len(result))
    return result


def _used_sorted(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """The categorical of ``codes`` with only the categories in use, sorted (pandas'
    ``remove_unused_categories`` finds them by sorting every row's code; a count does)."""
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    kept = categories[used].sort_values()
    lookup = np.full(len(categories) + 1, -1, dtype=np.int64)     # code -1 (missing) stays
    lookup[np.flatnonzero(used)] = kept.get_indexer(categories[used])
    return pd.Categorical.from_codes(lookup[codes], dtype=pd.CategoricalDtype(kept))


def _coerce(values: pd.Series, col: Column, table: str) -> pd.Series:
    if col.dtype == "category":
        if col.categories is None:
            if isinstance(values.dtype, pd.CategoricalDtype) and \
                    pd.api.types.is_string_dtype(values.cat.categories):
                # categories already text: relabel them as "string", sorted, without turning
                # every row into a string (the same result as the line below)
                text = values.cat.categories.astype("string")
                if text.is_unique:
                    return pd.Series(_used_sorted(values.cat.codes.to_numpy(), text),
                                     index=values.index, name=values.name)
            return values.astype("string").astype("category")
        if isinstance(values.dtype, pd.CategoricalDtype) and \
                tuple(values.cat.categories) == col.categories:
            return values
        bad = ~values.isna() & ~values.isin(col.categories)
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise SchemaError(
                f"`{col.name}` in the {table} table has {int(bad.sum())} value(s) outside "
                f"{{{', '.join(col.categories)}}} (first: row {first}, value {values.iloc[first]!r}); "
                "map them in the loader's mapping file."
            )
        return pd.Categorical(values, categories=col.categories)
    if col.dtype.startswith("datetime"):
        if pd.api.types.is_datetime64_any_dtype(values):
            return values if values.dtype == "datetime64[ns]" else values.astype("datetime64[ns]")
        try:
            return pd.to_datetime(values).astype("datetime64[ns]")
        except (ValueError, TypeError) as err:
            raise SchemaError(f"`{col.name}` in the {table} table is not a date column: {err}") from err
    try:
        # no astype(copy=False): deprecated in pandas 3 (copy-on-write shares it anyway)
        return values if values.dtype == col.dtype else values.astype(col.dtype)
    except (ValueError, TypeError) as err:
        raise SchemaError(
            f"`{col.name}` in the {table} table cannot be read as {col.dtype}: {err}"
        ) from err


def _arrow_strings(values) -> pa.Array | pa.ChunkedArray:
    """Strings as Arrow without a Python object per value when they are Arrow already."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.array
    if hasattr(values, "__arrow_array__"):
        return pa.array(values)          # as stored (string or large_string): no copy
    return pa.array(values, type=pa.string(), from_pandas=True)


def is_member(values: pd.Series, members) -> np.ndarray:
    """Boolean array: which ``values`` are among ``members``, vectorised in Arrow.

    Use it for client ids (``string[pyarrow]``): pandas' ``Series.isin`` on Arrow strings
    converts ``members`` one Python object at a time, which takes minutes for a national
    register.

    Examples
    --------
    >>> is_member(pd.Series(["a", "b", None], dtype="string[pyarrow]"), ["b", "c"]).tolist()
    [False, True, False]
    """
    arr = _arrow_strings(values)
    if isinstance(members, (set, frozenset)):
        members = list(members)
    member_set = _arrow_strings(members).cast(arr.type).unique()
    return pc.fill_null(pc.is_in(arr, value_set=member_set), False).to_numpy(zero_copy_only=False)


# --- benefit types (issue 21) -------------------------------------------------------------
def study_benefit_type(spells: pd.DataFrame, declared: str | None = None) -> tuple[str, str]:
    """The benefit type a study analyses, and how it was decided: ``"study file"``,
    ``"data"`` or ``"assumed"`` (the report says which).

    ``declared`` (the study file's ``benefit_type``) wins, and must agree with the data's
    ``benefit_type`` column where that is filled; else the column's one value; a register
    without the column (or with it empty) is bijstand, assumed.

    Examples
    --------
    >>> study_benefit_type(pd.DataFrame({"benefit_type": ["ww", "ww"]}))
    ('ww', 'data')
    >>> study_benefit_type(pd.DataFrame({"client_id": ["a"]}))[0]
    'bijstand'
    """
    if declared is not None and declared not in BENEFIT_TYPES:
        raise SchemaError(f"benefit_type {declared!r} is not one of {', '.join(BENEFIT_TYPES)}; "
                          "fix `benefit_type` in the study file.")
    column = spells["benefit_type"] if "benefit_type" in spells else pd.Series([], dtype=object)
    found = sorted(str(v) for v in pd.unique(column.dropna()))
    if len(found) > 1:
        counts = column.astype(str).value_counts()
        raise SchemaError(f"The spells hold {len(found)} benefit types "
                          f"({', '.join(f'{k}: {counts[k]:,}' for k in found)}); a study analyses "
                          "one benefit type: load each type's export separately.")
    if declared is not None:
        if found and found[0] != declared:
            raise SchemaError(f"The study file says benefit_type = {declared!r} but the data's "
                              f"benefit_type column says {found[0]!r}; fix the study file or "
                              "load the right export.")
        return declared, "study file"
    if found:
        return found[0], "data"
    return DEFAULT_BENEFIT_TYPE, "assumed"
# --- end benefit types --------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    """The canonical tables of one or more benefit-register extracts.

    Parameters
    ----------
    spells, contacts, events
        Canonical tables (see ``fipeval.schema.TABLES``); ``conform`` is applied.
    domains
        Optional assessments of the six FIP life domains (``DOMAIN_COLUMNS``); None when
        the register has none (every analysis then works as without them).
    extract_date
        The day the extract was made: running spells are censored here.
    load_report
        Row accounting from the loader (``fipeval.io``), or None for tables built in memory.
    assignments
        Optional caseworker history (``ASSIGNMENT_COLUMNS``: client_id, caseworker,
        from_date, to_date); None when the export has none, and
        :attr:`caseworker_assignments` then derives one row per spell.
    owned
        True when the tables are handed over, shared with nobody (the loader's own): they
        are then conformed without the defensive copy. Not stored.
    """

    spells: pd.DataFrame
    contacts: pd.DataFrame = field(default_factory=lambda: empty_table("contacts"))
    events: pd.DataFrame = field(default_factory=lambda: empty_table("events"))
    extract_date: pd.Timestamp | None = None
    load_report: Any = None
    domains: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    owned: InitVar[bool] = False

    def __post_init__(self, owned: bool = False):
        for name in TABLES:
            if name in OPTIONAL_TABLES and getattr(self, name) is None:
                continue
            object.__setattr__(self, name, conform(name, getattr(self, name), copy=not owned))
        if self.assignments is not None:     # the client codes are the cohort's, kept
            check_assignments(self.assignments, self.assignment_client_codes[1])
        if self.extract_date is None:
            dates = pd.concat([self.spells["start_date"], self.spells["end_date"]]).dropna()
            object.__setattr__(self, "extract_date", dates.max() if len(dates) else None)
        else:
            object.__setattr__(self, "extract_date", pd.Timestamp(self.extract_date))

    @property
    def n_clients(self) -> int:
        return int(self.spells["client_id"].nunique())

    @cached_property
    def assignment_client_codes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Client codes of the spells and of ``assignments`` (one shared coding; None
        without assignments), computed once per register for the cohort and the panels."""
        if self.assignments is None:
            return None
        codes = pd.factorize(pd.concat([self.spells["client_id"], self.assignments["client_id"]],
                                       ignore_index=True))[0]
        return codes[:len(self.spells)], codes[len(self.spells):]

    @property
    def caseworker_assignments(self) -> pd.DataFrame:
        """The caseworker history: ``assignments`` when the register has one, else
        :func:`derive_assignments` of the spells (one row per spell)."""
        if self.assignments is not None:
            return self.assignments
        return derive_assignments(self.spells)

    def with_tables(self, **tables) -> "Register":
        return replace(self, **tables)

    def __repr__(self) -> str:
        return (f"Register({len(self.spells):,} spells of {self.n_clients:,} clients, "
                f"{len(self.contacts):,} contacts, {len(self.events):,} events, "
                + (f"{len(self.domains):,} domain scores, " if self.domains is not None else "")
                + f"extract {self.extract_date.date() if self.extract_date is not None else '?'})")


# ---- caseworker assignments (issue 21) -------------------------------------------------
def derive_assignments(spells: pd.DataFrame) -> pd.DataFrame:
    """One assignment per spell: its caseworker from its start to its end.

    This is all a register without a caseworker history can say, and it inherits whatever
    relabelling the export did: most exports write the caseworker at the extract date (or at
    the spell's end) on the whole spell, so a client moved to another caseworker takes the
    months before the move along. Analyses by caseworker and month (the DiD panels) and FIP
    by the caseworker at a start date are then only as good as that label; load the
    export's assignment history (``fipeval.io``, table kind "assignments") where it exists.

    Examples
    --------
    >>> spells = pd.DataFrame({"client_id": ["a"], "municipality": ["X"], "caseworker": ["k1"],
    ...     "start_date": pd.to_datetime(["2014-01-05"]), "end_date": pd.to_datetime([None]),
    ...     "end_reason": [None]})
    >>> derive_assignments(spells)[["caseworker", "from_date"]].astype(str).values.tolist()
    [['k1', '2014-01-05']]
    """
    return conform("assignments", pd.DataFrame({
        "client_id": spells["client_id"].to_numpy(),
        "caseworker": spells["caseworker"].to_numpy(),
        "from_date": spells["start_date"].to_numpy(),
        "to_date": spells["end_date"].to_numpy(),
        "municipality": spells["municipality"].to_numpy(),
    }), copy=False)


def assignment_overlaps(assignments: pd.DataFrame, client: np.ndarray | None = None) -> np.ndarray:
    """Rows (positions) of ``assignments`` that start before the client's previous row ends
    or that end before they start. ``client``: the rows' client codes when already known
    (any numbering, equal exactly for equal clients), else factorized here."""
    frm = assignments["from_date"].to_numpy(dtype="datetime64[ns]")
    to = assignments["to_date"].to_numpy(dtype="datetime64[ns]")
    bad = ~np.isnat(to) & (to <= frm)
    if client is None:
        client = pd.factorize(assignments["client_id"])[0]
    order = np.lexsort((frm, client))
    c, f = client[order], frm[order]
    t = np.where(np.isnat(to[order]), np.datetime64("9999-12-31", "ns"), to[order])
    overlap = np.zeros(len(order), dtype=bool)
    overlap[1:] = (c[1:] == c[:-1]) & (f[1:] < t[:-1])
    bad[order[overlap]] = True
    return np.flatnonzero(bad)


def check_assignments(assignments: pd.DataFrame, client: np.ndarray | None = None) -> None:
    """Raise SchemaError when a client's assignments overlap or one ends before it starts
    (``client``: as in :func:`assignment_overlaps`)."""
    bad = assignment_overlaps(assignments, client)
    if len(bad):
        row = assignments.iloc[int(bad[0])]
        raise SchemaError(
            f"{len(bad)} caseworker assignment(s) overlap an earlier one of the same client or "
            f"end before they start (first: row {int(bad[0])}, client {row['client_id']}, "
            f"caseworker {row['caseworker']}, from {row['from_date']}, to {row['to_date']}); "
            "a client has one caseworker at a time: fix the export's dates.")
# ---- end caseworker assignments ---------------------------------------------------------
