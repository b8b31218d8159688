"""The report's first page: the answer per municipality and pooled, in plain words.

For the people who decide (management, council, controller). Per municipality and for all
municipalities together: extra ended benefits (per 100 FIP clients and as a count), fraud
signals, activation steps, months on benefit, and the net euros a year, each with the
design-based interval the effects and costing sections computed (nothing is re-estimated
here), a sentence saying what can and cannot be concluded, and the smallest effect on ended
benefits this design could have detected.

Every word of this page exists in English and Dutch (``TEXT``); numbers are formatted for
the language (1,234.5 / 1.234,5; EUR / €).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .document import Section, estimate
from .language import dutch_number

LANGUAGES = ("en", "nl")
POWER = 0.8  # for the minimum detectable effect

# --- benefit types (issue 21): the benefit the study is about, on the first page ---
# (merged into TEXT below: schema.study_benefit_type's type and how, as words)
BENEFIT_TEXT = {
    "en": {"benefit_sentence": "The benefit studied: {name} ({how}).",
           "benefit_bijstand": "social assistance (bijstand, Participatiewet), paid by the "
                               "municipality",
           "benefit_ww": "unemployment benefit (WW), paid by UWV",
           "benefit_aov": "disability insurance of the self-employed (AOV), paid by the insurer",
           "benefit_study file": "as the study file states",
           "benefit_data": "as the data's benefit type says",
           "benefit_assumed": "assumed: the data name no benefit type"},
    "nl": {"benefit_sentence": "De onderzochte uitkering: {name} ({how}).",
           "benefit_bijstand": "bijstand (Participatiewet), betaald door de gemeente",
           "benefit_ww": "werkloosheidsuitkering (WW), betaald door UWV",
           "benefit_aov": "arbeidsongeschiktheidsverzekering van zelfstandigen (AOV), betaald "
                          "door de verzekeraar",
           "benefit_study file": "zoals het studiebestand zegt",
           "benefit_data": "zoals de uitkeringssoort in de gegevens zegt",
           "benefit_assumed": "aangenomen: de gegevens noemen geen uitkeringssoort"},
}

TEXT = {
    "en": {
        "title": "The answer in brief",
        "intro": ("FIP was given to {k_fip} caseworkers in {places}; their clients are compared "
                  "with the clients of {k_control} other caseworkers over the follow-up. Each "
                  "figure is FIP minus control with its {level} interval, which takes its width "
                  "from the design: how different the result could have been had FIP gone to "
                  "other caseworkers. A difference counts only when its interval excludes zero."),
        "caption": "FIP minus control, per municipality and all together ({level} interval)",
        "unit": "Municipality", "caseworkers": "Caseworkers FIP / control",
        "clients": "FIP clients", "ended_100": "Ended benefits per 100 FIP clients",
        "ended_n": "Extra ended benefits among FIP clients",
        "fraud": "Fraud signals per 100 client-years",
        "activation": "Activation steps per 100 client-years",
        "months": "Months on benefit per client", "net": "Net result a year (EUR thousand)",
        "mde": "Smallest detectable effect on ended benefits (per 100)",
        "to": "to", "and": "and", "all": "All municipalities",
        "ended_more": ("{unit}: FIP ended more benefits, {est} more per 100 FIP clients "
                       "({lo} to {hi}), about {n} benefits in all."),
        "ended_less": ("{unit}: FIP ended fewer benefits, {est} fewer per 100 FIP clients "
                       "({lo} to {hi})."),
        "ended_unclear": ("{unit}: the data cannot tell whether FIP ends more benefits: "
                          "{est} per 100 FIP clients, interval {lo} to {hi}, which includes "
                          "zero."),
        "mde_sentence": ("With {k} FIP caseworkers, an effect smaller than about {mde} per 100 "
                         "clients could not have been detected reliably ({power}% power)."),
        "withheld": ("No figures are shown for {unit}: a group has fewer than {n} clients "
                     "(statistical disclosure control)."),
        "no_test": ("With only {n} possible choices of FIP caseworkers, no difference can be "
                    "shown at the {level} level, however large."),
        "other_up": "{what} rose ({est}; {lo} to {hi})",
        "other_down": "{what} fell ({est}; {lo} to {hi})",
        "others_none": "No difference in fraud signals, activation or months on benefit can be concluded.",
        "others": "Other outcomes: {list}; the rest show no difference that can be concluded.",
        "pays": "In euros: FIP pays for itself: net {net} a year ({lo} to {hi}).",
        "costs": "In euros: FIP costs more than it saves: net {net} a year ({lo} to {hi}).",
        "undecided": ("In euros: net {net} a year, but the interval ({lo} to {hi}) includes "
                      "zero, so it cannot be said whether FIP pays for itself."),
        "what_fraud": "fraud signals", "what_activation": "activation steps",
        "what_months": "months on benefit",
        "what_domains": "clients moving up on a life domain (per 100)",
        "after": ("The chapters after this page give the data, the groups, how uncertainty is "
                  "computed, each analysis and every assumption behind the euros."),
        "suppressed": "<{n}",
        "estimator_aipw": "the doubly robust (AIPW) estimate",
        "estimator_regression": "regression adjustment",
        "estimator_weighted": "the propensity-weighted difference",
        "estimator_unadjusted": "the unadjusted difference",
        "rule_imbalance": ("The figures are {estimator}: before adjustment the groups differ "
                           "by a standardised difference of up to {smd} ({term}), above 0.1. "
                           "The effects chapter shows it beside the unadjusted, weighted and "
                           "regression-adjusted estimates."),
        "rule_balanced": ("The figures are {estimator}: before adjustment no covariate differs "
                          "between the groups by more than 0.1 standardised difference (largest "
                          "{smd}, {term}). The effects chapter shows it beside the unadjusted, "
                          "weighted and doubly robust estimates."),
        "rule_none": ("The figures are {estimator}; the effects chapter shows it beside the "
                      "other estimates."),
        "e_value": ("Were FIP and control clients to differ in something the register does not "
                    "show, it would have to go with both FIP and ending benefit by a risk ratio "
                    "of {e} to explain this difference away, and of {e_ci} to make it doubtful "
                    "(E-value)."),
    },
    "nl": {
        "title": "Het antwoord in het kort",
        "intro": ("FIP is gegeven aan {k_fip} klantmanagers in {places}; hun klanten worden "
                  "vergeleken met de klanten van {k_control} andere klantmanagers over de "
                  "volgperiode. Elk cijfer is FIP min controle met het {level}-interval, dat zijn "
                  "breedte ontleent aan de opzet: hoe anders de uitkomst had kunnen zijn als FIP "
                  "bij andere klantmanagers was beland. Een verschil telt alleen als het "
                  "interval nul uitsluit."),
        "caption": "FIP min controle, per gemeente en samen ({level}-interval)",
        "unit": "Gemeente", "caseworkers": "Klantmanagers FIP / controle",
        "clients": "FIP-klanten", "ended_100": "Beëindigde uitkeringen per 100 FIP-klanten",
        "ended_n": "Extra beëindigde uitkeringen bij FIP-klanten",
        "fraud": "Fraudesignalen per 100 klantjaren",
        "activation": "Activeringsstappen per 100 klantjaren",
        "months": "Maanden in de uitkering per klant", "net": "Netto resultaat per jaar (× € 1.000)",
        "mde": "Kleinste aantoonbare effect op beëindigingen (per 100)",
        "to": "tot", "and": "en", "all": "Alle gemeenten",
        "ended_more": ("{unit}: FIP beëindigde meer uitkeringen, {est} meer per 100 FIP-klanten "
                       "({lo} tot {hi}), in totaal ongeveer {n} uitkeringen."),
        "ended_less": ("{unit}: FIP beëindigde minder uitkeringen, {est} minder per 100 "
                       "FIP-klanten ({lo} tot {hi})."),
        "ended_unclear": ("{unit}: uit de gegevens valt niet op te maken of FIP meer "
                          "uitkeringen beëindigt: {est} per 100 FIP-klanten, interval {lo} tot "
                          "{hi}, en dat omvat nul."),
        "mde_sentence": ("Met {k} FIP-klantmanagers was een effect kleiner dan ongeveer {mde} "
                         "per 100 klanten niet betrouwbaar aan te tonen ({power}% onderscheidend "
                         "vermogen)."),
        "withheld": ("Voor {unit} staan hier geen cijfers: een groep telt minder dan {n} "
                     "klanten (statistische geheimhouding)."),
        "no_test": ("Met maar {n} mogelijke keuzes van FIP-klantmanagers is geen enkel verschil "
                    "aan te tonen op het {level}-niveau, hoe groot ook."),
        "other_up": "{what} stegen ({est}; {lo} tot {hi})",
        "other_down": "{what} daalden ({est}; {lo} tot {hi})",
        "others_none": ("Bij fraudesignalen, activering en maanden in de uitkering is geen "
                        "verschil aan te tonen."),
        "others": "Andere uitkomsten: {list}; bij de rest is geen verschil aan te tonen.",
        "pays": "In euro's: FIP verdient zichzelf terug: netto {net} per jaar ({lo} tot {hi}).",
        "costs": "In euro's: FIP kost meer dan het oplevert: netto {net} per jaar ({lo} tot {hi}).",
        "undecided": ("In euro's: netto {net} per jaar, maar het interval ({lo} tot {hi}) omvat "
                      "nul, dus of FIP zichzelf terugverdient is niet te zeggen."),
        "what_fraud": "fraudesignalen", "what_activation": "activeringsstappen",
        "what_months": "maanden in de uitkering",
        "what_domains": "klanten die op een leefgebied vooruitgingen (per 100)",
        "after": ("De hoofdstukken na deze pagina beschrijven de gegevens, de groepen, hoe de "
                  "onzekerheid is berekend, elke analyse en elke aanname achter de euro's."),
        "suppressed": "<{n}",
        "estimator_aipw": "de dubbel robuuste schatting (AIPW)",
        "estimator_regression": "de regressiecorrectie",
        "estimator_weighted": "het verschil gewogen naar de propensityscore",
        "estimator_unadjusted": "het ongecorrigeerde verschil",
        "rule_imbalance": ("De cijfers zijn {estimator}: vóór correctie verschillen de groepen "
                           "tot {smd} gestandaardiseerd verschil ({term}), meer dan 0,1. Het "
                           "hoofdstuk over effecten toont haar naast de ongecorrigeerde, gewogen "
                           "en met regressie gecorrigeerde schattingen."),
        "rule_balanced": ("De cijfers zijn {estimator}: vóór correctie verschilt geen kenmerk "
                          "tussen de groepen meer dan 0,1 gestandaardiseerd verschil (hoogstens "
                          "{smd}, {term}). Het hoofdstuk over effecten toont haar naast de "
                          "ongecorrigeerde, gewogen en dubbel robuuste schattingen."),
        "rule_none": ("De cijfers zijn {estimator}; het hoofdstuk over effecten toont haar naast "
                      "de andere schattingen."),
        "e_value": ("Als FIP- en controleklanten verschillen in iets wat het register niet toont, "
                    "dan moet dat met zowel FIP als beëindiging samenhangen met een risicoratio "
                    "van {e} om dit verschil weg te verklaren, en van {e_ci} om het twijfelachtig "
                    "te maken (E-waarde)."),
    },
}
for _language, _words in BENEFIT_TEXT.items():
    TEXT[_language].update(_words)


def number(x: float, digits: int = 1, language: str = "en", *, sign: bool = False) -> str:
    """``x`` with thousands separators and ``digits`` decimals, written as ``language`` does.

    Examples
    --------
    >>> number(-1234.56, 1, "nl"), number(1234.56, 0, "en", sign=True)
    ('-1.234,6', '+1,235')
    """
    if x is None or not np.isfinite(x):
        return "-" if x is None or np.isnan(x) else ("∞" if x > 0 else "-∞")
    text = f"{x:{'+' if sign else ''},.{digits}f}"
    return dutch_number(text) if language == "nl" else text


def money(x: float, language: str = "en") -> str:
    """Euros without cents: ``EUR -1,234`` in English, ``€ -1.234`` in Dutch (a no-break
    space keeps the sign with the number in a narrow table cell)."""
    return ("€\u00a0" if language == "nl" else "EUR\u00a0") + number(x, 0, language)


def first_page(ctx) -> Section:
    """The first page (see the module docstring) from the effects and costing results."""
    config = ctx["config"]
    language = getattr(config, "language", "en")
    t = TEXT[language]
    alpha = config.inference.alpha
    level = f"{100 * (1 - alpha):g}%"
    effects = ctx["results"].get("effects")
    if not effects:
        return None
    from ..inference.adjusted import headline_table

    adjusted = ctx["results"].get("adjusted")
    # the headline estimator's numbers (the balance rule's choice) where it has them
    table = headline_table(effects[0].table, adjusted)
    plan = ctx["plan"]
    nets = _net_by_unit(ctx["results"].get("costing") or [])
    subsets = [s for s in dict.fromkeys(table["subset"]) if s not in ("all municipalities",
                                                                        "all clients")]
    pooled = [s for s in ("all municipalities", "all clients") if (table["subset"] == s).any()]
    # one municipality with FIP: the pooled comparison is the same one, shown once
    order = subsets if len(subsets) == 1 else subsets + pooled
    headline = _effect_rows(table, order[-1]).get("ended")
    if headline is None:
        return None
    places = _join(subsets, t) if subsets else t["all"]

    s = Section(t["title"], language=language)
    s.text(t["intro"].format(k_fip=int(headline["fip_caseworkers"]), places=places,
                             k_control=int(headline["control_caseworkers"]), level=level))
    benefit, how = ctx.get("benefit", ("bijstand", "assumed"))
    s.text(t["benefit_sentence"].format(name=t[f"benefit_{benefit}"], how=t[f"benefit_{how}"]))
    if adjusted is not None:
        s.text(_rule_sentence(adjusted, language, t))
    rows, sentences, numeric = [], [], []
    for subset in order:
        label = t["all"] if subset in pooled else subset
        row = _effect_rows(table, subset)
        if "ended" not in row:
            continue
        ended = row["ended"]
        n_fip = int(ended["n_fip"])
        scaled = {k: ended[k] * 100 for k in ("estimate", "ci_lower", "ci_upper")}
        extra = {k: ended[k] * n_fip for k in ("estimate", "ci_lower", "ci_upper")}
        mde, plan_row = _mde(ended, plan, subset, alpha)
        cells = {
            t["unit"]: label,
            t["caseworkers"]: f"{int(ended['fip_caseworkers'])} / {int(ended['control_caseworkers'])}",
            t["clients"]: (t["suppressed"].format(n=ctx["threshold"])
                           if n_fip < ctx["threshold"] else number(n_fip, 0, language)),
            t["ended_100"]: _with_interval(scaled, 1, language, t),
            t["ended_n"]: _with_interval(extra, 1, language, t),
        }
        for key, outcome, factor, digits in (("fraud", "fraud_signals", 100, 1),
                                             ("activation", "activations", 100, 1),
                                             ("months", "months_on_benefit", 1, 2)):
            cells[t[key]] = (_with_interval({k: row[outcome][k] * factor for k in
                                             ("estimate", "ci_lower", "ci_upper")},
                                            digits, language, t) if outcome in row else "-")
        # per municipality: its net result (the effect's interval); together, or when there
        # is one municipality: the Monte Carlo over effects and inputs
        net = (nets.get("pooled") or nets.get("all")) if len(order) == 1 or subset in pooled \
            else nets.get(subset)
        # in thousands, as municipal budgets are written; the sentence gives full euros
        cells[t["net"]] = (_with_interval({"estimate": net[0] / 1000, "ci_lower": net[1] / 1000,
                                           "ci_upper": net[2] / 1000}, 0, language, t)
                           if net else "-")
        cells[t["mde"]] = number(100 * mde, 1, language) if np.isfinite(mde) else "-"
        rows.append(cells)
        numeric.append(_numeric_row(label, ended, n_fip, scaled, extra, row, net, mde,
                                    ctx["threshold"]))

        if subset in ctx.get("withheld", ()):       # its table row is blanked by protect_report
            sentences.append(t["withheld"].format(unit=label, n=ctx["threshold"]))
            name = "pooled" if subset in pooled else subset
            continue
        sentence = [_ended_sentence(label, scaled, extra, language, t)]
        if plan_row is not None and not bool(plan_row.get("valid", True)):
            sentence.append(t["no_test"].format(n=int(plan_row["assignments"]), level=level))
        elif np.isfinite(mde):
            sentence.append(t["mde_sentence"].format(k=int(ended["fip_caseworkers"]),
                                                     mde=number(100 * mde, 1, language),
                                                     power=round(100 * POWER)))
        robust = _e_value(ended, ctx["cohort"], None if subset in pooled else subset)
        if robust is not None and (ended["ci_lower"] > 0 or ended["ci_upper"] < 0):
            sentence.append(t["e_value"].format(e=number(robust.e_value, 1, language),
                                                e_ci=number(robust.e_value_ci, 1, language)))
        sentence.append(_others_sentence(row, language, t))
        if net:
            key = "pays" if net[1] > 0 else "costs" if net[2] < 0 else "undecided"
            sentence.append(t[key].format(net=money(net[0], language), lo=money(net[1], language),
                                          hi=money(net[2], language)))
        sentences.append(" ".join(sentence))
        name = "pooled" if subset in pooled else subset
        s.estimates.append(estimate("summary", f"extra_ended_benefits[{name}]", extra["estimate"],
                                    ci=(extra["ci_lower"], extra["ci_upper"]),
                                    p_value=ended["p_value"],
                                    method=f"{ended['estimator']}: {ended['inference']}",
                                    n=n_fip, municipality=name, outcome="extra_ended_benefits"))
        if net:
            s.estimates.append(estimate(
                "summary", f"net_result_per_year[{name}]", net[0], ci=(net[1], net[2]),
                method=("Monte Carlo over the design-based intervals of the effects and the "
                        "inputs' ranges" if subset in pooled or len(order) == 1 else
                        "refined net result; the effect's design-based interval, scaled"),
                n=n_fip, municipality=name, outcome="net_result_per_year"))
        if robust is not None:
            s.estimates.append(estimate(
                "summary", f"e_value[{name}]", robust.e_value,
                method="E-value of the difference in ended benefits as a risk ratio at the "
                       "control share (VanderWeele & Ding 2017); e_value_ci: the interval's "
                       "limit nearest to no effect", n=n_fip, municipality=name,
                outcome="e_value_ended", e_value_ci=robust.e_value_ci))
        s.estimates.append(estimate("summary", f"minimum_detectable_effect[{name}]", mde,
                                    method=f"(z_{{1-alpha/2}} + z_{{{POWER:g}}}) x design-based SE",
                                    n=n_fip, municipality=name,
                                    outcome="minimum_detectable_effect_ended"))
    s.table(pd.DataFrame(rows), t["caption"].format(level=level))
    s.sheets[t["title"][:31]] = pd.DataFrame(numeric)
    for sentence in sentences:
        s.text(sentence)
    s.text(t["after"])
    return s


def _numeric_row(label, ended, n_fip, scaled, extra, row, net, mde, threshold) -> dict:
    """The first page's row as numbers (for report.xlsx)."""
    out = {"municipality": label, "fip_caseworkers": int(ended["fip_caseworkers"]),
           "control_caseworkers": int(ended["control_caseworkers"]), "clients_fip": n_fip}
    measures = [("ended_per_100_clients", scaled), ("extra_ended_benefits", extra)]
    for name, outcome, factor in (("fraud_signals_per_100_client_years", "fraud_signals", 100),
                                  ("activation_steps_per_100_client_years", "activations", 100),
                                  ("months_on_benefit", "months_on_benefit", 1),
                                  ("domain_movement_per_100_clients", "domain_movement", 100)):
        if outcome in row:
            measures.append((name, {k: row[outcome][k] * factor
                                    for k in ("estimate", "ci_lower", "ci_upper")}))
    for name, v in measures:
        out.update({name: v["estimate"], f"{name}_ci_lower": v["ci_lower"],
                    f"{name}_ci_upper": v["ci_upper"]})
    if net:
        out.update({"net_result_per_year_eur": net[0], "net_ci_lower": net[1],
                    "net_ci_upper": net[2]})
    out["minimum_detectable_effect_per_100"] = 100 * mde if np.isfinite(mde) else np.nan
    return out


def _rule_sentence(adjusted, language: str, t: dict) -> str:
    """Which estimate the figures are and why (the balance rule of ``inference.adjusted``)."""
    from ..inference.adjusted import IMBALANCE_THRESHOLD
    from .catalog_nl import CATALOG
    from .labels import READABLE

    estimator = t[f"estimator_{adjusted.headline}"]
    if not adjusted.imbalance:
        return t["rule_none"].format(estimator=estimator)
    term, smd = adjusted.imbalance
    words = READABLE.get(term, term)
    if language == "nl":
        words = CATALOG.get(words, words)
    key = "rule_imbalance" if smd > IMBALANCE_THRESHOLD else "rule_balanced"
    return t[key].format(estimator=estimator, smd=number(smd, 2, language), term=words)


def _join(names: list, t: dict) -> str:
    """``a, b and c`` (``a, b en c``)."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {t['and']} {names[-1]}"


def _effect_rows(table: pd.DataFrame, subset: str) -> dict:
    part = table[table["subset"] == subset]
    return {r["outcome"]: r for _, r in part.iterrows()}


def _e_value(ended: dict, cohort: pd.DataFrame, municipality: str | None):
    """The E-value of the ended-benefits difference at the control share of ``municipality``
    (all municipalities when None); None where that share is 0 or 1 or the interval is open."""
    from ..inference.sensitivity import e_value

    control = cohort[cohort["fip"] == 0]
    if municipality is not None and "municipality" in control:
        control = control[control["municipality"] == municipality]
    if "ended" not in control or not len(control):
        return None
    baseline = float(control["ended"].mean())
    interval = (ended["ci_lower"], ended["ci_upper"])
    if not 0 < baseline < 1 or not np.all(np.isfinite(interval)):
        return None
    if min(ended["estimate"], *interval) <= -baseline:   # the implied risk ratio is not positive
        return None
    return e_value(ended["estimate"], ci=interval, measure="RD", baseline=baseline)


def _with_interval(v: dict, digits: int, language: str, t: dict) -> str:
    return (f"{number(v['estimate'], digits, language, sign=True)} "
            f"({number(v['ci_lower'], digits, language)} {t['to']} "
            f"{number(v['ci_upper'], digits, language)})")


def _mde(ended, plan, subset: str, alpha: float):
    """Smallest effect detectable with power POWER: (z_{1-alpha/2} + z_power) times the
    normal-equivalent SE of the design-based interval; inf when no test is possible."""
    from ..inference.design import design_std_error

    try:
        plan_row = plan.subset("all" if subset in ("all municipalities", "all clients")
                               else subset)
    except InputError:  # a subset the plan does not list (one municipality): use the interval
        plan_row = None
    se = design_std_error(ended["ci_lower"], ended["ci_upper"], alpha)
    if not np.isfinite(se):
        return math.inf, plan_row
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(POWER)) * se), plan_row


def _ended_sentence(label, scaled, extra, language, t) -> str:
    fmt = {"unit": label, "lo": number(scaled["ci_lower"], 1, language),
           "hi": number(scaled["ci_upper"], 1, language)}
    if scaled["ci_lower"] > 0:
        return t["ended_more"].format(est=number(scaled["estimate"], 1, language),
                                      n=number(extra["estimate"], 0, language), **fmt)
    if scaled["ci_upper"] < 0:
        return t["ended_less"].format(est=number(-scaled["estimate"], 1, language), **fmt)
    return t["ended_unclear"].format(est=number(scaled["estimate"], 1, language, sign=True), **fmt)


def _others_sentence(row: dict, language: str, t: dict) -> str:
    found = []
    for outcome, what, factor, digits in (("fraud_signals", "what_fraud", 100, 1),
                                          ("activations", "what_activation", 100, 1),
                                          ("months_on_benefit", "what_months", 1, 2),
                                          ("domain_movement", "what_domains", 100, 1)):
        if outcome not in row:
            continue
        r = row[outcome]
        lo, hi = r["ci_lower"] * factor, r["ci_upper"] * factor
        if lo > 0 or hi < 0:
            found.append(t["other_up" if lo > 0 else "other_down"].format(
                what=t[what], est=number(r["estimate"] * factor, digits, language, sign=True),
                lo=number(lo, digits, language), hi=number(hi, digits, language)))
    if not found:
        return t["others_none"]
    return t["others"].format(list="; ".join(found))


def _net_by_unit(costing: list) -> dict:
    """unit -> (net a year, interval lower, upper) from the costing results: per unit the
    refined net result, pooled ("pooled") the refined Monte Carlo (else the crude one)."""
    out, pooled = {}, {}
    for r in costing:
        kind = type(r).__name__
        if kind == "NetResult":
            net = r.tidy().set_index("term").loc["net_savings_per_year"]
            out[str(r.savings.label)] = (net["estimate"], net["ci_lower"], net["ci_upper"])
        elif kind == "MonteCarloResult":
            tidy = r.tidy().set_index("term")
            if "net_savings_per_year" in tidy.index:
                net = tidy.loc["net_savings_per_year"]
                method = "refined" if "refined" in r.title else "crude"
                pooled[method] = (net["estimate"], net["ci_lower"], net["ci_upper"])
    if pooled:
        out["pooled"] = pooled.get("refined", pooled.get("crude"))
    return out
