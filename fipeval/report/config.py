"""The study file (TOML): what a report analyses and how.

``load_config(path)`` reads it, checks every key and type, and returns a ``StudyConfig``;
``STARTER`` is the commented file ``python -m fipeval init`` writes. Every default is printed
in the report (``StudyConfig.to_dict``).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import pandas as pd

from ..design import Site, StudyDesign
from ..errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class InferenceOptions:
    cluster: str = "caseworker"       # cluster variable for cluster-aware inference
    bootstrap_reps: int = 999         # wild cluster bootstrap replications
    alpha: float = 0.05


@dataclass(frozen=True)
class MatchingOptions:
    enabled: bool = True
    method: str = "nearest"
    ratio: int = 1
    caliper: float | None = 0.2
    exact: tuple = ("municipality",)
    covariates: tuple = ("age", "household_type", "sex", "ladder_rung", "months_before_start")


@dataclass(frozen=True)
class CostingOptions:
    """Costing inputs; None keeps fipeval.costing.CostInputs' sourced default (printed)."""

    caseload: int | None = None                # clients to extrapolate to; None: the whole
                                               # caseload on benefit at the study start
    annual_benefit_cost: float | None = None   # EUR per benefit per year (default 14,000)
    annual_administration_cost: float | None = None  # EUR per benefit per year (2,883)
    norm_factor: float | None = None
    recidivism_scale: float | None = None
    discount_rate: float | None = None
    hourly_cost: float | None = None           # EUR per caseworker hour
    fte_hours_per_year: float | None = None
    training_cost_per_caseworker: float | None = None
    training_lifetime_years: float | None = None
    cost_method: str = "protocol"              # "protocol" or "caseload"
    regular_caseload: float | None = None      # clients per regular caseworker ("caseload")
    n_draws: int = 10_000                      # Monte Carlo draws

    def __post_init__(self):
        if self.cost_method not in ("protocol", "caseload"):
            raise ConfigError(f"`costing.cost_method` must be \"protocol\" or \"caseload\"; "
                              f"got {self.cost_method!r}.")
        if self.cost_method == "caseload" and self.regular_caseload is None:
            raise ConfigError("`costing.cost_method = \"caseload\"` needs `regular_caseload` "
                              "(clients per regular caseworker) in [costing].")

    def inputs(self, benefit_type: str = "bijstand", monthly_amount: float | None = None):
        """The costing inputs of ``benefit_type`` (``costing.inputs.benefit_inputs``: amounts
        from the data where given) with this file's overrides laid over them."""
        from ..costing.inputs import benefit_inputs

        base = benefit_inputs(benefit_type, monthly_amount=monthly_amount)
        values = {k: v for k, v in asdict(self).items()
                  if v is not None and k not in ("caseload", "cost_method", "regular_caseload",
                                                 "n_draws")}
        return base.with_values(**values) if values else base


@dataclass(frozen=True)
class StudyConfig:
    name: str = "study"
    seed: int = 20141101
    extract_date: str | None = None             # default: the latest date in the data
    min_months_on_benefit: float = 6.0
    max_ladder_rung: int | None = None
    suppress_below: int = 10                    # statistical disclosure control
    language: str = "en"                        # "en" or "nl": the report's language
    # --- benefit types (issue 21) ---
    benefit_type: str | None = None             # bijstand, ww or aov; default: the data's,
                                                # else bijstand (schema.study_benefit_type)
    preset: str | None = None                   # loader preset (io.mapping.PRESETS); default:
                                                # detected from each file's headers
    sites: tuple = ()
    inference: InferenceOptions = field(default_factory=InferenceOptions)
    matching: MatchingOptions = field(default_factory=MatchingOptions)
    costing: CostingOptions = field(default_factory=CostingOptions)

    def design(self) -> StudyDesign:
        if not self.sites:
            raise ConfigError("The study file has no [[sites]] table: name the FIP group, "
                              "start date and follow-up (see `python -m fipeval init`).")
        return StudyDesign(tuple(self.sites), min_months_on_benefit=self.min_months_on_benefit,
                           max_ladder_rung=self.max_ladder_rung, name=self.name)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sites"] = self.design().to_dict()["sites"] if self.sites else []
        return d


# types of the keys whose default is None
_OPTIONAL_TYPES = {"extract_date": str, "max_ladder_rung": int, "caseload": int, "caliper": float,
                   "benefit_type": str, "preset": str,
                   "regular_caseload": float,
                   **{name: float for name in (
                       "annual_benefit_cost", "annual_administration_cost", "norm_factor",
                       "recidivism_scale", "discount_rate", "hourly_cost", "fte_hours_per_year",
                       "training_cost_per_caseworker", "training_lifetime_years")}}

_SITE_KEYS = {"municipality": str, "start_date": str, "follow_up_months": int,
              "fip_caseworkers": list, "fip_clients": list, "fip_clients_file": str,
              "control_caseworkers": list}


def _typed(section: str, cls, raw: dict, source: str):
    allowed = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(f"Unknown key `{key}` in [{section}] of {source}; allowed keys: "
                              f"{', '.join(allowed)}.")
        default = getattr(cls(), key)
        expected = type(default) if default is not None else _OPTIONAL_TYPES.get(key)
        if value is None:
            raise ConfigError(f"`{section}.{key}` in {source} has no value; delete the line "
                              "to use the default.")
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise ConfigError(f"`{section}.{key}` in {source} must be a list; got {value!r}.")
            value = tuple(value)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif expected is not None and not isinstance(value, expected):
            raise ConfigError(f"`{section}.{key}` in {source} must be {expected.__name__}; "
                              f"got {value!r}.")
        values[key] = value
    return cls(**values)


def parse_config(raw: dict, source: str = "the study file", base: Path | None = None) -> StudyConfig:
    top = {}
    nested = {"inference": InferenceOptions, "matching": MatchingOptions, "costing": CostingOptions}
    sections = {}
    sites = []
    for key, value in raw.items():
        if key in nested:
            if not isinstance(value, dict):
                raise ConfigError(f"`{key}` in {source} must be a table ([{key}]).")
            sections[key] = _typed(key, nested[key], value, source)
        elif key == "sites":
            if not isinstance(value, list):
                raise ConfigError(f"`sites` in {source} must be an array of tables ([[sites]]).")
            sites = [_site(s, i, source, base) for i, s in enumerate(value)]
        else:
            top[key] = value
    config = _typed("top level", StudyConfig, {k: v for k, v in top.items()}, source)
    if config.language not in ("en", "nl"):
        raise ConfigError(f"`language` in {source} must be \"en\" or \"nl\"; got "
                          f"{config.language!r}.")
    from ..io.mapping import PRESETS
    from ..schema import BENEFIT_TYPES
    if config.benefit_type is not None and config.benefit_type not in BENEFIT_TYPES:
        raise ConfigError(f"`benefit_type` in {source} must be one of "
                          f"{', '.join(BENEFIT_TYPES)}; got {config.benefit_type!r}.")
    if config.preset is not None and config.preset not in PRESETS:
        raise ConfigError(f"`preset` in {source} must be one of {', '.join(PRESETS)}; got "
                          f"{config.preset!r}.")
    return StudyConfig(**{**{f.name: getattr(config, f.name) for f in fields(StudyConfig)},
                          **sections, "sites": tuple(sites)})


def _site(raw: dict, i: int, source: str, base: Path | None) -> Site:
    for key, value in raw.items():
        if key not in _SITE_KEYS:
            raise ConfigError(f"Unknown key `{key}` in site {i + 1} of {source}; allowed keys: "
                              f"{', '.join(_SITE_KEYS)}.")
        if not isinstance(value, _SITE_KEYS[key]) or isinstance(value, bool):
            raise ConfigError(f"`sites[{i}].{key}` in {source} must be "
                              f"{_SITE_KEYS[key].__name__}; got {value!r}.")
    for key in ("start_date", "follow_up_months"):
        if key not in raw:
            raise ConfigError(f"Site {i + 1} of {source} has no `{key}`.")
    try:
        start = pd.Timestamp(raw["start_date"])
    except ValueError as err:
        raise ConfigError(f"`sites[{i}].start_date` in {source} is not a date: "
                          f"{raw['start_date']!r}; write it as YYYY-MM-DD.") from err
    clients = list(raw.get("fip_clients", []))
    if "fip_clients_file" in raw:
        path = Path(raw["fip_clients_file"])
        path = path if path.is_absolute() or base is None else base / path
        if not path.is_file():
            raise ConfigError(f"`sites[{i}].fip_clients_file` in {source}: no file at {path}.")
        clients += [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return Site(start, raw["follow_up_months"], fip_caseworkers=tuple(raw.get("fip_caseworkers", ())),
                fip_clients=tuple(clients), municipality=raw.get("municipality"),
                control_caseworkers=(tuple(raw["control_caseworkers"])
                                     if "control_caseworkers" in raw else None))


def load_config(path) -> StudyConfig:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"No study file at {path}; check the path or write one with `python -m fipeval init "
            f"--out {path}`.").for_command_line(
            f"No study file at {path} (--config); check the path or write one with "
            f"`python -m fipeval init --out {path}`.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    return parse_config(raw, source=str(path), base=path.parent)


STARTER = '''# fipeval study file. Every key below shows its default; delete what you do not need.
name = "my_fip_study"
# extract_date = "2016-03-31"  # the day of the export; default: the latest date in the data
seed = 20141101              # seeds every random step (bootstrap, Monte Carlo)
min_months_on_benefit = 6.0  # eligibility: on benefit at least this long at the start
# max_ladder_rung = 3        # eligibility: clients far from the labour market only
suppress_below = 10          # counts under this many people are shown as "<10"
language = "en"              # "nl" for a Dutch report (python -m fipeval report --lang nl)
# benefit_type = "bijstand"  # or "ww" (UWV) or "aov" (insurer); default: from the data, else bijstand
# preset = "ww"              # loader preset: dutch, canonical, ww, aov; default: detected

# One [[sites]] table per municipality (or one without `municipality` for all).
[[sites]]
# municipality = "Bergen op Zoom"
start_date = "2014-11-01"
follow_up_months = 12
fip_caseworkers = ["BOZ-01", "BOZ-02"]   # caseworker ids as in the export
# fip_clients_file = "fip_clients.txt"   # or: one client id per line
# control_caseworkers = ["BOZ-03"]       # default: every other caseworker

[inference]
cluster = "caseworker"     # FIP is assigned by caseworker: clients are clustered
bootstrap_reps = 999       # wild cluster bootstrap replications
alpha = 0.05

[matching]
enabled = true
method = "nearest"
ratio = 1
caliper = 0.2              # in standard deviations of the logit propensity score
exact = ["municipality"]
covariates = ["age", "household_type", "sex", "ladder_rung", "months_before_start"]

[costing]
# Each input defaults to a sourced value that the report lists; uncomment to override.
# caseload = 2400                      # default: clients on benefit at the start
# annual_benefit_cost = 14000.0        # EUR per benefit per year
# annual_administration_cost = 2883.0  # EUR per benefit per year (Berenschot)
# hourly_cost = 60.0                   # EUR per caseworker hour
# discount_rate = 0.0225               # per year
cost_method = "protocol"               # FIP hours from the contact protocol, or "caseload"
# regular_caseload = 300.0             # with cost_method = "caseload": clients per regular caseworker
n_draws = 10000                        # Monte Carlo draws for the savings interval
'''
