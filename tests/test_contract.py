"""One contract over every public estimator (scikit-learn's ``check_estimator`` idea).

Each public function that returns a ``fipeval.results.Result`` has a case here: a name, the
function, and a builder of small inputs. Every case is checked the same way: the result is a
frozen ``Result``; ``tidy()`` is a DataFrame that starts with ``TIDY_COLUMNS`` (or, for a
table that is not a coefficient table, its documented leading columns); ``summary()``,
``_repr_html_()`` and ``to_markdown()`` render, with the title and the fipeval version in the
header; the caller's data are unchanged afterwards.

``test_every_estimator_has_a_case`` walks the ``__all__`` of the estimator packages, so a new
public estimator without a case here fails.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import operator
import typing
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from fipeval import design, synthetic
from fipeval.results import TIDY_COLUMNS, Result, md_text

PACKAGES = ("inference", "survival", "matching", "costing", "diff_in_diff")
# by module path (the package of the `did` function is `fipeval.diff_in_diff`)
inference, survival, matching, costing, did = (importlib.import_module(f"fipeval.{p}")
                                               for p in PACKAGES)

# Public functions in those __all__ lists that are not estimators, with the reason. A function
# returning a Result must be a case, not an entry here (test_exclusions_return_no_result).
NOT_ESTIMATORS = {
    "inference.adjust_p_values": "helper: adjusts an array of p-values, returns an array",
    "inference.adjust_table": "helper: adds adjusted p-value columns to a table",
    "inference.design_effect": "formula: returns a float",
    "inference.estimate_icc": "helper: returns a float",
    "inference.rate_ratio_glm": "engine behind compare(kind='count'): returns a dict of "
                                "numbers that compare() turns into its Result",
    "inference.termination_probability": "formula: returns a float",
    "survival.rmst_curve": "RMST difference over a grid of horizons: a plain DataFrame",
    "matching.expand_covariates": "helper: dummy-coded covariate frame",
    "matching.love_plot": "plotting: returns the Axes",
    "matching.propensity_score": "helper: returns a Series of scores",
    "costing.give_back_share": "helper: returns a float",
    "costing.discount_factor": "helper: returns a float or array",
    "costing.cohort_effects": "helper: effects table that feeds the costing section",
    "costing.caseload_from_spells": "helper: caseload Series from benefit spells",
    "costing.analysis_units": "helper: dict of cohort subsets per municipality",
    "costing.benefit_inputs": "inputs builder: returns CostInputs",
    "costing.ww_monthly_benefit": "formula: returns a float or array",
    "diff_in_diff.caseworker_panel": "panel builder: returns a DataFrame",
    "diff_in_diff.client_panel": "panel builder: returns a DataFrame",
    "diff_in_diff.client_totals": "panel builder: sums of the client panel, a DataFrame",
    "diff_in_diff.mark_treatment": "panel builder: returns a DataFrame",
    "diff_in_diff.to_quarters": "panel builder: returns a DataFrame",
    "diff_in_diff.demean": "numerical helper: demeaned array",
    "inference.choose_estimator": "a rule: returns the chosen estimator's name and the reason",
}

# Result classes exported in those __all__ lists that no case below produces, with the reason.
RESULTS_WITHOUT_CASE = {
    "inference.EffectsOverview": "only made by effects_section, a report section",
}


# ---- shared inputs, built once ------------------------------------------------------------

class Inputs:
    """Lazily built, shared test inputs; every case deep-copies nothing itself (the contract
    check does) and must not modify them."""

    def __init__(self, reference_dir):
        self.reference_dir = reference_dir
        self._cache = {}

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def study(self):
        return self._get("study", lambda: synthetic.generate("brabantse_wal"))

    @property
    def cohort(self) -> pd.DataFrame:
        """brabantse_wal's cohort: 2,045 clients, 2 of 9 caseworkers in Bergen op Zoom FIP."""
        return self._get("cohort", lambda: design.build_cohort(self.study.register,
                                                               self.study.design))

    @property
    def bergen(self) -> pd.DataFrame:
        """One municipality, so FIP is assigned to caseworkers within it."""
        c = self.cohort
        return self._get("bergen", lambda: c[c["municipality"] == "Bergen op Zoom"]
                         .reset_index(drop=True))

    @property
    def ols_inputs(self):
        def make():
            d = self.bergen
            X = pd.DataFrame({"const": 1.0, "fip": d["fip"].astype(float)})
            return d["ended"].astype(float), X, d["caseworker"]
        return self._get("ols", make)

    @property
    def did_panel(self) -> pd.DataFrame:
        return self._get("did_panel", lambda: pd.read_csv(self.reference_dir / "did"
                                                          / "did_panel.csv"))

    @property
    def staggered_panel(self) -> pd.DataFrame:
        """40 units over 16 periods; 16 start treatment at periods 4-9 (effect 0.3)."""
        def make():
            rng = np.random.default_rng(0)
            rows = []
            for u in range(40):
                s = int(rng.integers(4, 10)) if u < 16 else None
                for t in range(16):
                    e = t - s if s is not None else np.nan
                    rows.append(dict(unit=u, t=t, ev=e, first_treated=np.nan if s is None else s,
                                     y=0.3 * (s is not None and e >= 0) + 0.05 * (u % 4)
                                     + rng.normal()))
            return pd.DataFrame(rows)
        return self._get("staggered", make)

    @property
    def crude(self):
        return self._get("crude", lambda: costing.crude_savings(0.05, caseload=2400,
                                                                std_error=0.01))

    @property
    def cost(self):
        return self._get("cost", lambda: costing.fip_cost(2400))


@pytest.fixture(scope="module")
def inputs(reference_dir):
    return Inputs(reference_dir)


# ---- the cases ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """``build(inputs)`` returns (args, kwargs) for ``func``; ``leading`` overrides the
    expected leading tidy() columns for a table that is not a coefficient table; ``marks``
    takes ``pytest.mark.xfail(strict=True, reason=...)`` for a known departure."""

    name: str
    func: Callable
    build: Callable
    leading: tuple = tuple(TIDY_COLUMNS)
    marks: tuple = ()

    def param(self):
        return pytest.param(self, id=self.name, marks=self.marks)


SURV = {"duration": "months_on_benefit", "event": "ended"}

CASES = [
    # inference
    Case("inference.compare", inference.compare,
         lambda i: ((i.bergen,), dict(outcome="ended", cluster="caseworker", inference="iid"))),
    Case("inference.adjusted_effects", inference.adjusted_effects,
         lambda i: ((i.bergen,), dict(outcomes=["ended", "months_on_benefit"],
                                      covariates=["age", "sex"], refit_draws=99, n_draws=99,
                                      seed=1))),
    Case("inference.coverage_study", inference.coverage_study,
         lambda i: ((i.cohort, i.study.truth), dict(fip_caseworkers=(2,), reps=2, n_draws=99, seed=1)),
         # a simulation summary, not a coefficient table: one row per (treated caseworkers,
         # method) with coverage, width and rejection rate (documented in coverage_study)
         leading=("treated_caseworkers", "method", "coverage")),
    Case("inference.e_value", inference.e_value,
         lambda i: ((-0.05,), dict(ci=(-0.09, -0.01), measure="RD", baseline=0.2))),
    Case("inference.fit_ols", inference.fit_ols,
         lambda i: ((i.ols_inputs[0], i.ols_inputs[1]), dict(cluster=i.ols_inputs[2]))),
    Case("inference.mann_whitney", inference.mann_whitney,
         lambda i: ((i.bergen.loc[i.bergen.fip == 1, "months_on_benefit"],
                     i.bergen.loc[i.bergen.fip == 0, "months_on_benefit"]), {})),
    Case("inference.mantel_haenszel", inference.mantel_haenszel,
         lambda i: (([30, 12], [100, 50], [20, 10], [100, 60]), {})),
    Case("inference.meta_analysis", inference.meta_analysis,
         lambda i: (([0.05, 0.02, 0.08], [0.02, 0.03, 0.04]), dict(labels=["a", "b", "c"]))),
    Case("inference.power_table", inference.power_table,
         lambda i: ((), dict(effect=0.03, monthly_rate=0.012, caseload=180, icc=0.02,
                             caseworkers_fip=2, caseworkers_control=7)),
         # a design table, not a coefficient table: one row per follow-up length (documented
         # in power_table's example)
         leading=("follow_up_months", "baseline", "minimum_detectable_effect")),
    Case("inference.minimum_detectable_effect", inference.minimum_detectable_effect,
         lambda i: ((), dict(baseline=0.2, caseworkers_fip=2, caseworkers_control=7,
                             caseload=180, icc=0.02))),
    Case("inference.required_caseworkers", inference.required_caseworkers,
         lambda i: ((), dict(effect=0.05, baseline=0.2, caseload=180, icc=0.02))),
    Case("inference.randomization_inference", inference.randomization_inference,
         lambda i: (i.ols_inputs, dict(column="fip", n_draws=99, seed=1))),
    Case("inference.two_by_two", inference.two_by_two,
         lambda i: ((30, 100, 20, 100), {})),
    Case("inference.welch_test", inference.welch_test,
         lambda i: ((i.bergen.loc[i.bergen.fip == 1, "months_on_benefit"],
                     i.bergen.loc[i.bergen.fip == 0, "months_on_benefit"]), {})),
    Case("inference.wild_cluster_bootstrap", inference.wild_cluster_bootstrap,
         lambda i: (i.ols_inputs, dict(column="fip", n_draws=99, seed=1))),
    # survival
    Case("survival.cox", survival.cox,
         lambda i: ((i.cohort,), dict(**SURV, covariates=["fip", "age"], cluster="caseworker"))),
    Case("survival.kaplan_meier", survival.kaplan_meier,
         lambda i: ((i.cohort,), dict(**SURV, by="fip"))),
    Case("survival.logrank", survival.logrank,
         lambda i: ((i.cohort,), dict(**SURV, treatment="fip"))),
    Case("survival.rmst", survival.rmst,
         lambda i: ((i.cohort,), dict(**SURV, treatment="fip", tau=11))),
    Case("survival.cumulative_incidence", survival.cumulative_incidence,
         lambda i: ((i.cohort,), dict(duration="months_on_benefit", cause="end_reason",
                                     event="ended", by="fip"))),
    Case("survival.cause_specific_cox", survival.cause_specific_cox,
         lambda i: ((i.cohort,), dict(duration="months_on_benefit", cause="end_reason",
                                     covariates=["fip"], cause_of_interest="work",
                                     event="ended"))),
    Case("survival.fine_gray", survival.fine_gray,
         lambda i: ((i.cohort,), dict(duration="months_on_benefit", cause="end_reason",
                                     covariates=["fip"], cause_of_interest="work",
                                     event="ended"))),
    # matching
    Case("matching.match", matching.match,
         lambda i: ((i.cohort,), dict(treatment="fip", covariates=["age", "months_before_start"],
                                     exact=["municipality"]))),
    Case("matching.balance", matching.balance,
         lambda i: ((i.cohort,), dict(treatment="fip", covariates=["age", "household_type"]))),
    # costing
    Case("costing.crude_savings", costing.crude_savings,
         lambda i: ((0.05,), dict(caseload=2400, std_error=0.01))),
    Case("costing.refined_savings", costing.refined_savings,
         lambda i: ((-0.9,), dict(horizon_months=12, caseload=2000, price_date="2015-03-01",
                                  std_error=0.3))),
    Case("costing.fip_cost", costing.fip_cost, lambda i: ((360,), {})),
    Case("costing.capacity", costing.capacity, lambda i: ((180,), {})),
    Case("costing.net_result", costing.net_result, lambda i: ((i.crude, i.cost), {})),
    Case("costing.monte_carlo", costing.monte_carlo,
         lambda i: ((i.crude,), dict(cost=i.cost, n_draws=500, seed=1))),
    Case("costing.sensitivity", costing.sensitivity,
         lambda i: ((i.crude,), dict(cost=i.cost))),
    # did
    Case("diff_in_diff.did", did.did,
         lambda i: ((i.did_panel,), dict(outcome="y", unit="unit", time="t", treatment="treat",
                                         post="post", cluster="unit"))),
    Case("diff_in_diff.event_study", did.event_study,
         lambda i: ((i.staggered_panel,), dict(outcome="y", unit="unit", time="t",
                                               event_time="ev", leads=3, lags=4,
                                               cluster="unit"))),
    Case("diff_in_diff.staggered_did", did.staggered_did,
         lambda i: ((i.staggered_panel,), dict(outcome="y", unit="unit", time="t",
                                               first_treated="first_treated"))),
    # Result classes that estimators hand out through a method or attribute
    Case("survival.CoxResult.ph_test", survival.CoxResult.ph_test,
         lambda i: ((survival.cox(i.cohort, **SURV, covariates=["fip", "age"]),), {})),
    Case("diff_in_diff.StaggeredResult.dynamic", operator.attrgetter("dynamic"),
         lambda i: ((did.staggered_did(i.staggered_panel, outcome="y", unit="unit", time="t",
                                       first_treated="first_treated"),), {})),
]
CASE_BY_NAME = {c.name: c for c in CASES}


def _snapshot(args, kwargs):
    """Deep copies of the caller's data (frames, series, arrays) to compare afterwards."""
    values = list(args) + list(kwargs.values())
    return [(v, copy.deepcopy(v)) for v in values
            if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray))]


def _assert_unchanged(snapshot):
    for now, before in snapshot:
        if isinstance(now, pd.DataFrame):
            pd.testing.assert_frame_equal(now, before)
        elif isinstance(now, pd.Series):
            pd.testing.assert_series_equal(now, before)
        else:
            np.testing.assert_array_equal(now, before)


@pytest.fixture(scope="module")
def fitted(inputs):
    """Each case run once: name -> (result, snapshot of its inputs)."""
    cache = {}

    def get(case: Case):
        if case.name not in cache:
            # own copies, so an estimator that modifies its input is the one that fails
            args, kwargs = copy.deepcopy(case.build(inputs))
            snapshot = _snapshot(args, kwargs)
            with warnings.catch_warnings():   # warnings are each estimator's own tests' concern
                warnings.simplefilter("ignore")
                cache[case.name] = (case.func(*args, **kwargs), snapshot)
        return cache[case.name]
    return get


# ---- the contract -------------------------------------------------------------------------

@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_result_is_a_frozen_result(case, fitted):
    res, _ = fitted(case)
    assert isinstance(res, Result)
    assert dataclasses.is_dataclass(res)
    field = dataclasses.fields(res)[0].name
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        setattr(res, field, None)
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        res.new_attribute = 1


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_tidy_starts_with_the_standard_columns(case, fitted):
    res, _ = fitted(case)
    tidy = res.tidy()
    assert isinstance(tidy, pd.DataFrame) and len(tidy) > 0
    assert list(tidy.columns[:len(case.leading)]) == list(case.leading)


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_summary_html_and_markdown_render(case, fitted):
    res, _ = fitted(case)
    summary = res.summary()
    text = repr(summary)
    assert text.strip() and text.startswith(summary.title) and "fipeval" in text
    # print(result) is the compact view: the same title, table and notes, no version line;
    # summary() holds every line print shows, plus the details
    compact = repr(res)
    assert compact.startswith(summary.title) and "fipeval:" not in compact
    assert set(compact.splitlines()) <= set(text.splitlines())
    html = res._repr_html_()
    assert isinstance(html, str) and html.startswith("<div") and "<table" in html
    md = res.to_markdown()
    assert isinstance(md, str) and md.startswith(f"**{md_text(summary.title)}**") and "|" in md


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_caller_data_unchanged(case, fitted):
    _, snapshot = fitted(case)
    _assert_unchanged(snapshot)


# ---- completeness -------------------------------------------------------------------------

def _public(kind):
    """(qualified name, object) of every public function or Result class in the packages."""
    for pkg in PACKAGES:
        mod = importlib.import_module(f"fipeval.{pkg}")
        for name in mod.__all__:
            obj = getattr(mod, name)
            if kind == "function" and inspect.isfunction(obj):
                yield f"{pkg}.{name}", obj
            if kind == "result" and inspect.isclass(obj) and issubclass(obj, Result):
                yield f"{pkg}.{name}", obj


def _returns_result(func) -> bool:
    try:
        ret = typing.get_type_hints(func).get("return")
    except NameError:   # an annotation only importable under TYPE_CHECKING: go by its name
        name = str(func.__annotations__.get("return", ""))
        ret = getattr(inspect.getmodule(func), name, None)
    return inspect.isclass(ret) and issubclass(ret, Result)


def test_every_estimator_has_a_case():
    """A public function is either a case here or a listed non-estimator (with a reason)."""
    missing = [name for name, _ in _public("function")
               if name not in CASE_BY_NAME and name not in NOT_ESTIMATORS]
    assert not missing, (f"public functions without a contract case: {missing}; add a Case "
                         "to tests/test_contract.py (or, if not an estimator, an entry with "
                         "the reason to NOT_ESTIMATORS)")


def test_lists_are_current():
    functions = dict(_public("function"))
    classes = dict(_public("result"))
    function_cases = {n: c for n, c in CASE_BY_NAME.items() if n.count(".") == 1}
    method_cases = set(CASE_BY_NAME) - set(function_cases)
    stale = ([n for n in list(NOT_ESTIMATORS) + list(function_cases) if n not in functions]
             + [n for n in method_cases if n.rsplit(".", 1)[0] not in classes]
             + [n for n in RESULTS_WITHOUT_CASE if n not in classes])
    assert not stale, f"names no longer public: {stale}"
    assert not set(NOT_ESTIMATORS) & set(CASE_BY_NAME)
    for name, case in function_cases.items():
        assert case.func is functions[name]


def test_exclusions_return_no_result():
    """A function annotated to return a Result cannot hide in NOT_ESTIMATORS."""
    functions = dict(_public("function"))
    wrong = [n for n in NOT_ESTIMATORS if _returns_result(functions[n])]
    assert not wrong, f"these return a Result and need a Case: {wrong}"


def test_every_result_class_is_produced_by_a_case(fitted):
    produced = {type(fitted(c)[0]) for c in CASES}
    missing = [n for n, cls in _public("result")
               if n not in RESULTS_WITHOUT_CASE and not any(issubclass(p, cls)
                                                            for p in produced)]
    assert not missing, f"Result classes no case produces: {missing}"


def test_every_module_is_reachable_as_a_module():
    """No exported function shadows a module (``fipeval.did`` once hid the did package, so
    ``import fipeval.did.estimate; fipeval.did.estimate`` failed)."""
    import pkgutil

    import fipeval

    shadowed = []
    for info in pkgutil.walk_packages(fipeval.__path__, "fipeval."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        parent, _, child = info.name.rpartition(".")
        if getattr(importlib.import_module(parent), child, None) is not module:
            shadowed.append(info.name)
    assert shadowed == []


def test_the_top_level_is_the_documented_surface():
    """``fipeval.__all__`` is what a notebook uses first: every name resolves, nothing public
    is missing from it, and the report's section builders stay in their packages."""
    import subprocess
    import sys

    import fipeval

    for name in fipeval.__all__:
        assert getattr(fipeval, name) is not None, name
    for name in ("generate", "build_cohort", "survival_data", "match", "balance", "compare",
                 "cox", "kaplan_meier", "rmst", "cumulative_incidence", "fine_gray", "did",
                 "event_study", "staggered_did", "crude_savings", "power_table", "build_report"):
        assert name in fipeval.__all__, name
    assert not [n for n in fipeval.__all__ if n.endswith("_section")]
    public = {n for n in dir(fipeval) if not n.startswith("_")}
    modules = {n for n in public if isinstance(getattr(fipeval, n), type(fipeval))}
    assert public - modules - set(fipeval.__all__) == set()
    # importing the package does not import the analysis stack (the CLI's --help is instant)
    code = ("import sys, fipeval; heavy = [m for m in ('pandas', 'scipy', 'statsmodels') "
            "if m in sys.modules]; print(heavy)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


BANNED_PARAMETERS = {"n_boot": "n_draws", "n_perm": "n_draws", "bootstrap_reps": "n_draws",
                     "n_reps": "n_draws", "group": "treatment or by", "treated": "treatment"}


def test_resampling_draws_have_one_name_and_old_names_say_the_new_one():
    """One vocabulary: every public function calls its resampling draws ``n_draws`` and the
    FIP indicator ``treatment`` (descriptive splits: ``by``); the old names raise an
    InputError that names the new one (this is 0.x)."""
    import inspect as inspect_module

    import fipeval
    from fipeval.errors import InputError

    public = []
    for package in ("inference", "survival", "diff_in_diff", "costing", "matching"):
        module = importlib.import_module(f"fipeval.{package}")
        public += [getattr(module, n) for n in module.__all__]
    public += [getattr(fipeval, n) for n in fipeval.__all__]
    offenders = []
    for fn in public:
        if not callable(fn) or isinstance(fn, type):
            continue
        params = set(inspect_module.signature(fn).parameters)
        offenders += [f"{fn.__name__}({p})" for p in params & set(BANNED_PARAMETERS)]
    assert offenders == []
    with pytest.raises(InputError, match="`n_boot` is now called `n_draws`.*n_draws=99"):
        fipeval.compare(pd.DataFrame(), outcome="ended", n_boot=99)
    with pytest.raises(InputError, match="`n_perm` is now called `n_draws`"):
        fipeval.randomization_inference([1.0], [[1.0]], [1], column=0, n_perm=99)
    with pytest.raises(InputError, match="`group` is now called `by`"):
        fipeval.kaplan_meier(pd.DataFrame(), duration="t", event="e", group="fip")
    with pytest.raises(InputError, match="`treated` is now called `treatment`"):
        fipeval.did(pd.DataFrame(), outcome="y", unit="u", time="t", treated="fip", post="p")


def test_imports_run_one_way():
    """No import cycle among the modules of a package, counting imports inside functions
    (the matching package once hid one there: balance_table, core, exact, score)."""
    import ast
    from pathlib import Path

    import fipeval

    root = Path(fipeval.__file__).parent
    found = []
    for package in [root] + sorted(p for p in root.iterdir() if (p / "__init__.py").exists()):
        modules = {p.stem: p for p in package.glob("*.py") if p.stem != "__init__"}
        graph = {m: set() for m in modules}
        for name, path in modules.items():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                    target = node.module.split(".")[0]
                    if target in modules and target != name:
                        graph[name].add(target)
        state: dict = {}

        def visit(node, stack):
            state[node] = "open"
            for nxt in sorted(graph[node]):
                if state.get(nxt) == "open":
                    found.append(" -> ".join(stack[stack.index(nxt):] + [node, nxt]))
                elif nxt not in state:
                    visit(nxt, stack + [node])
            state[node] = "done"

        for node in sorted(graph):
            if node not in state:
                visit(node, [])
    assert found == []


def _public_callables():
    import inspect as inspect_module

    import fipeval

    seen, out = set(), []
    for package in ("", "inference", "survival", "diff_in_diff", "costing", "matching"):
        module = importlib.import_module("fipeval" + (f".{package}" if package else ""))
        for name in module.__all__:
            fn = getattr(module, name)
            if callable(fn) and not isinstance(fn, type) and id(fn) not in seen:
                seen.add(id(fn))
                out.append((name, fn, inspect_module.signature(fn)))
    return out


COLUMN_PARAMETERS = {"duration", "event", "cause", "entry", "treatment", "covariates", "outcome",
                     "cluster", "weights", "strata", "by", "unit", "time", "post", "exact"}


def test_columns_are_keywords_and_seeds_default_to_none():
    """One vocabulary: a function that reads a DataFrame takes it first and its column names
    by keyword only; every `seed` defaults to None (numpy's fresh entropy; pass an int)."""
    positional, seeds = [], []
    for name, _, sig in _public_callables():
        params = list(sig.parameters.values())
        if params and params[0].name in ("data", "cohort", "panel"):
            positional += [f"{name}({p.name})" for p in params[1:]
                           if p.kind == p.POSITIONAL_OR_KEYWORD and p.name in COLUMN_PARAMETERS]
        if "seed" in sig.parameters and sig.parameters["seed"].default is not None:
            seeds.append(f"{name}(seed={sig.parameters['seed'].default!r})")
    assert positional == [] and seeds == []


def test_columns_by_position_say_how_to_pass_them(inputs):
    import fipeval
    from fipeval.errors import InputError

    with pytest.raises(InputError, match=r"cox\(\) takes the column names as keywords: "
                       r"cox\(data, duration='months_on_benefit', event='ended', "
                       r"covariates=\['fip'\]\)"):
        fipeval.cox(inputs.cohort, "months_on_benefit", "ended", ["fip"])
    with pytest.raises(InputError, match=r"compare\(data, outcome='ended'\)"):
        fipeval.compare(inputs.cohort, "ended")
    with pytest.raises(InputError, match="inference='naive' is now inference='iid'"):
        fipeval.compare(inputs.cohort, outcome="ended", inference="naive")


def test_warnings_point_at_the_callers_line(inputs):
    """Through every wrapper (renamed, columns_by_name), a warning names the user's file."""
    import warnings as warnings_module

    import fipeval

    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        fipeval.cox(inputs.cohort, duration="months_on_benefit", event="ended",
                    covariates=["fip"], cluster="caseworker")
        fipeval.compare(inputs.cohort, outcome="ended", cluster="caseworker", inference="CR1")
    assert caught and {w.filename for w in caught} == {__file__}


def test_api_reference_lists_every_public_name():
    """docs/api.md (built by Sphinx in CI) documents exactly fipeval.__all__."""
    import re
    from pathlib import Path

    import fipeval

    text = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (\w+)$", text, flags=re.MULTILINE))
    assert listed == set(fipeval.__all__) - {"__version__"}


def test_print_is_compact_and_summary_adds_the_details(inputs):
    """print(result): what was estimated and the table; summary(): plus R's extras."""
    import fipeval

    res = fipeval.cox(inputs.cohort, duration="months_on_benefit", event="ended",
                      covariates=["fip", "age"])
    full, compact = repr(res.summary()), repr(res)
    for detail in ("concordance", "likelihood ratio test", "AIC", "fipeval:"):
        assert detail in full and detail not in compact
    assert "events:" in compact and res.tidy().term.iloc[0] in compact
