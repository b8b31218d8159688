"""English -> Dutch for the report (see ``language``).

Keys are the English texts as the sections write them (after ``labels.READABLE`` has turned
codes into words); a key with ``{fields}`` is a template whose fields match any value, which
is translated in turn when the catalog knows it (numbers get a decimal comma, names pass).
A field with a spec (``{o:outcome}``) matches only that vocabulary of ``labels.VOCABULARIES``.
Grouped by chapter; words used in several chapters come first.
"""

# words and labels that recur in tables, headers and figures
COMMON = {
    "Settings": "Instellingen", "fipeval": "fipeval",
    "FIP evaluation: {name}": "FIP-evaluatie: {name}",
    "FIP": "FIP", "control": "controle", "Control": "Controle", "all": "alle",
    "all municipalities": "alle gemeenten", "all clients": "alle klanten",
    "pooled": "samen", "True": "ja", "False": "nee", "none": "geen", "None": "geen",
    "before": "voor", "after": "na", "months": "maanden", "Month": "Maand",
    "Municipality": "Gemeente", "Outcome": "Uitkomst", "Group": "Groep",
    "Caseworker": "Klantmanager", "Caseworkers": "Klantmanagers", "Clients": "Klanten",
    "FIP clients": "FIP-klanten", "Control clients": "Controleklanten",
    "FIP caseworkers": "FIP-klantmanagers", "Control caseworkers": "Controle-klantmanagers",
    "Method": "Methode", "Estimate": "Schatting", "Standard error": "Standaardfout",
    "Statistic": "Toetsgrootheid", "Kind": "Soort", "p": "p", "n": "n",
    "p (Holm)": "p (Holm)", "p (BH)": "p (BH)",
    "p if clients were independent": "p als klanten onafhankelijk waren",
    "Interval from": "Interval van", "Interval to": "Interval tot",
    "FIP minus control": "FIP min controle", "Events": "Gebeurtenissen",
    "Degrees of freedom": "Vrijheidsgraden", "Term": "Term", "Weight": "Gewicht",
    "Name": "Naam", "Value": "Waarde", "Unit": "Eenheid", "Low": "Laag", "High": "Hoog",
    "Source": "Bron", "Verdict": "Oordeel", "Clients compared": "Vergeleken klanten",
    "binary": "ja/nee", "count": "aantal", "continuous": "doorlopend",
    "not reached": "niet bereikt", "<{n}": "<{n}",
    "method": "methode", "alpha": "alfa", "seed": "startgetal", "draws": "trekkingen",
    "estimate": "schatting", "inference": "onzekerheid", "assignments": "toewijzingen",
    "interval": "interval", "percentile": "percentielen", "units": "eenheden",
    "unit": "eenheid", "outcome": "uitkomst", "estimand": "schattingsdoel",
    "effect on the FIP group (ATT)": "effect bij de FIP-groep (ATT)", "AIC": "AIC",
    "re-assignment of FIP (randomization)": "FIP opnieuw toegewezen (randomisatie)",
    "wild cluster bootstrap": "wilde clusterbootstrap",
    "none (no valid inference)": "geen (geen geldige onzekerheid)",
    "caseworker": "klantmanager", "municipality": "gemeente", "fip": "fip",
    "{c} (FIP is given to caseworkers)": "{c} (FIP wordt aan klantmanagers gegeven)",
    "Municipality: {m}": "Gemeente: {m}",
    "{t}: no valid inference. {reason}": "{t}: geen geldige onzekerheid. {reason}",
    # outcomes (labels.OUTCOMES) and end reasons (labels.END_REASONS)
    "Benefit ended": "Uitkering beëindigd", "benefit ended": "uitkering beëindigd",
    "Ended: work": "Beëindigd: werk", "ended: work": "beëindigd: werk",
    "Ended: enforcement": "Beëindigd: handhaving", "ended: enforcement": "beëindigd: handhaving",
    "Ended: moved away": "Beëindigd: verhuisd", "ended: moved away": "beëindigd: verhuisd",
    "Ended: partner": "Beëindigd: partner", "ended: partner": "beëindigd: partner",
    "Ended: other benefit": "Beëindigd: andere uitkering",
    "ended: other benefit": "beëindigd: andere uitkering",
    "Ended: education": "Beëindigd: opleiding", "ended: education": "beëindigd: opleiding",
    "Ended: death": "Beëindigd: overlijden", "ended: death": "beëindigd: overlijden",
    "Ended: other reason": "Beëindigd: andere reden",
    "ended: other reason": "beëindigd: andere reden",
    "Ended: reason unknown": "Beëindigd: reden onbekend",
    "ended: reason unknown": "beëindigd: reden onbekend",
    # benefit types (issue 21): WW and AOV end reasons
    "Ended: maximum duration reached": "Beëindigd: maximale duur bereikt",
    "ended: maximum duration reached": "beëindigd: maximale duur bereikt",
    "Ended: recovered": "Beëindigd: hersteld", "ended: recovered": "beëindigd: hersteld",
    "Ended: retirement age": "Beëindigd: pensioenleeftijd",
    "ended: retirement age": "beëindigd: pensioenleeftijd",
    "maximum duration reached": "maximale duur bereikt", "recovered": "hersteld",
    "retirement age": "pensioenleeftijd",
    "Fraud signals (per client-year)": "Fraudesignalen (per klantjaar)",
    "fraud signals (per client-year)": "fraudesignalen (per klantjaar)",
    "Activation steps (per client-year)": "Activeringsstappen (per klantjaar)",
    "activation steps (per client-year)": "activeringsstappen (per klantjaar)",
    "Months on benefit": "Maanden in de uitkering", "months on benefit": "maanden in de uitkering",
    "{o:outcome} ({m})": "{o} ({m})",
    "work": "werk", "enforcement": "handhaving", "moved away": "verhuisd",
    "partner": "partner", "other benefit": "andere uitkering", "education": "opleiding",
    "death": "overlijden", "other reason": "andere reden", "reason unknown": "reden onbekend",
    # months in date axes
    "Jan": "jan", "Feb": "feb", "Mar": "mrt", "Apr": "apr", "May": "mei", "Jun": "jun",
    "Jul": "jul", "Aug": "aug", "Sep": "sep", "Oct": "okt", "Nov": "nov", "Dec": "dec",
    "{y}-Jan": "{y}-jan", "{y}-Feb": "{y}-feb", "{y}-Mar": "{y}-mrt", "{y}-Apr": "{y}-apr",
    "{y}-May": "{y}-mei", "{y}-Jun": "{y}-jun", "{y}-Jul": "{y}-jul", "{y}-Aug": "{y}-aug",
    "{y}-Sep": "{y}-sep", "{y}-Oct": "{y}-okt", "{y}-Nov": "{y}-nov", "{y}-Dec": "{y}-dec",
    "{n}k": "{n}k", "{n}M": "{n} mln", "−{n}": "−{n}",
    # the report's skeleton
    "This section could not be computed on these data: {err}":
        "Dit hoofdstuk kon op deze gegevens niet worden berekend: {err}",
    "This page could not be computed on these data: {err}":
        "Deze pagina kon op deze gegevens niet worden berekend: {err}",
    "Warnings raised while computing this section: {w}.":
        "Waarschuwingen bij het berekenen van dit hoofdstuk: {w}.",
    "Warnings raised while building the cohort: {w}.":
        "Waarschuwingen bij het samenstellen van het cohort: {w}.",
    "Appendix: detail tables": "Bijlage: detailtabellen",
    "From '{title}':": "Uit '{title}':",
    "{n} detail table(s) of this chapter are in the appendix.":
        "{n} detailtabel(len) van dit hoofdstuk staan in de bijlage.",
}

DATA = {
    "Data and row accounting": "Gegevens en verantwoording van de regels",
    "{read} rows were read; {kept} kept ({repaired} of them repaired) and {rejected} rejected. "
    "Every rejected row is listed with its reason in load_report.json.":
        "{read} regels gelezen; {kept} behouden (waarvan {repaired} hersteld) en {rejected} "
        "afgewezen. Elke afgewezen regel staat met de reden in load_report.json.",
    "Rows per file (read = kept + rejected)": "Regels per bestand (gelezen = behouden + afgewezen)",
    "File": "Bestand", "Rows read": "Regels gelezen", "Kept": "Behouden", "Repaired": "Hersteld",
    "Rejected": "Afgewezen", "Table": "Tabel", "Rows": "Regels",
    "spells": "uitkeringsperioden", "contacts": "contacten", "events": "gebeurtenissen",
    "Canonical tables": "Standaardtabellen",
    "What loading repaired, rejected or did not recognise (each line in load_report.json)":
        "Wat bij het inlezen is hersteld, afgewezen of niet herkend (elke regel in "
        "load_report.json)",
    "what": "wat", "kind": "soort", "rows": "regels", "repaired": "hersteld",
    "rejected": "afgewezen", "unknown code": "onbekende code",
    "Note from loading: {file}: skipped (no table recognised from its headers).":
        "Opmerking bij het inlezen: {file}: overgeslagen (geen tabel herkend aan de kolomkoppen).",
    "Note from loading: {note}.": "Opmerking bij het inlezen: {note}.",
    "Extract date: {date}. Spells still running then are censored at that date.":
        "Peildatum van het bestand: {date}. Uitkeringen die toen nog liepen, worden op die "
        "datum gecensureerd.",
}

GROUPS = {
    "Study design and groups": "Opzet van het onderzoek en de groepen",
    "{who}: FIP from {start} with {months} months of follow-up (until {end}); FIP group: {fip}.":
        "{who}: FIP vanaf {start} met {months} maanden volgtijd (tot {end}); FIP-groep: {fip}.",
    "{n} listed clients": "{n} opgegeven klanten",
    "Eligible: on benefit at least {m} months at the start.":
        "Meegenomen: bij de start minstens {m} maanden in de uitkering.",
    "Eligible: on benefit at least {m} months at the start and participatieladder rung at most "
    "{r}.": "Meegenomen: bij de start minstens {m} maanden in de uitkering en op trede {r} of "
            "lager van de participatieladder.",
    "Cohort by municipality and group": "Cohort per gemeente en groep",
    "Mean months on benefit before the start": "Gemiddeld aantal maanden in de uitkering vóór de start",
    "Mean age": "Gemiddelde leeftijd",
}

INFERENCE = {
    "How uncertainty is computed": "Hoe de onzekerheid is berekend",
    "FIP was given to caseworkers, not to clients, so every interval, p-value and verdict in "
    "this report takes its uncertainty from that design: how different the results could "
    "have been had FIP gone to other caseworkers of the same municipality. The table shows, "
    "per municipality, how many FIP and control caseworkers there are and how many choices "
    "of FIP caseworkers were possible; with fewer than {k} choices no result can be "
    "significant at the {level} level.":
        "FIP is aan klantmanagers gegeven, niet aan klanten. Daarom ontleent elk interval, "
        "elke p-waarde en elk oordeel in dit rapport zijn onzekerheid aan die opzet: hoe "
        "anders de uitkomsten hadden kunnen zijn als FIP bij andere klantmanagers van dezelfde "
        "gemeente was beland. De tabel toont per gemeente hoeveel FIP- en "
        "controle-klantmanagers er zijn en hoeveel keuzes van FIP-klantmanagers mogelijk "
        "waren; met minder dan {k} keuzes kan geen enkel resultaat significant zijn op het "
        "{level}-niveau.",
    "The rule, one for every section: where a comparison has fewer than {k} FIP or control "
    "caseworkers (column method: randomization), FIP is re-assigned to other caseworkers of "
    "the same municipality: effects on ended benefits, fraud signals, activation and months "
    "on benefit (and the pooled effect, which re-assigns FIP within each municipality) by "
    "inverting the re-assignment test; hazard ratio, restricted mean months and "
    "difference-in-differences from the re-assignment distribution of their studentised "
    "statistic (at most {draws} re-assignments, each a refit). With at least {k2} of each "
    "(method: wild), the effects use the wild cluster bootstrap by caseworker, which is then "
    "reliable; the models are still re-assigned. The meta-analysis weights each municipality "
    "by the width of its design-based interval; euros carry the effects' design-based "
    "intervals. Words such as 'significant' or 'pays for itself' appear only where such an "
    "interval supports them. The coverage of every interval is measured on synthetic data "
    "with known truth (docs/INFERENCE.md).":
        "De regel, één voor elk hoofdstuk: heeft een vergelijking minder dan {k} FIP- of "
        "controle-klantmanagers (kolom methode: randomisatie), dan wordt FIP opnieuw "
        "toegewezen aan andere klantmanagers van dezelfde gemeente: effecten op beëindigde "
        "uitkeringen, fraudesignalen, activering en maanden in de uitkering (en het gezamenlijke "
        "effect, dat FIP binnen elke gemeente opnieuw toewijst) door de hertoewijzingstoets om "
        "te keren; de hazard ratio, het beperkte gemiddelde aantal maanden en het "
        "verschil-in-verschillen uit de hertoewijzingsverdeling van hun gestudentiseerde "
        "toetsgrootheid (hoogstens {draws} hertoewijzingen, elk een nieuwe schatting). Met "
        "minstens {k2} van elk (methode: wild) gebruiken de effecten de wilde clusterbootstrap "
        "per klantmanager, die dan betrouwbaar is; de modellen worden nog steeds opnieuw "
        "toegewezen. De meta-analyse weegt elke gemeente naar de breedte van haar "
        "opzetgebaseerde interval; de euro's nemen de opzetgebaseerde intervallen van de "
        "effecten over. Woorden als 'significant' of 'verdient zichzelf terug' staan er alleen "
        "waar zo'n interval dat draagt. Hoe vaak elk interval de waarheid bevat, is gemeten op "
        "synthetische gegevens met een bekende waarheid (docs/INFERENCE.md).",
    "unit of assignment": "eenheid van toewijzing",
    "randomization inference: FIP re-assigned to other caseworkers within each municipality "
    "(exact p-value under the sharp null; interval by test inversion, or from the "
    "randomization distribution of the studentised statistic for non-linear estimands)":
        "randomisatie-inferentie: FIP opnieuw toegewezen aan andere klantmanagers binnen elke "
        "gemeente (exacte p-waarde onder de scherpe nulhypothese; interval door het omkeren "
        "van de toets, of uit de randomisatieverdeling van de gestudentiseerde toetsgrootheid "
        "voor niet-lineaire grootheden)",
    "wild cluster bootstrap by caseworker": "wilde clusterbootstrap per klantmanager",
    "why": "waarom",
    "as few as {a} FIP and {b} control caseworkers in a municipality ({c} and {d} in all); "
    "with fewer than {k} of either, cluster-robust and bootstrap errors are unreliable and FIP "
    "is re-assigned over caseworkers (exact); with more, the wild cluster bootstrap is "
    "reliable for linear effects and cheaper (models are still re-assigned)":
        "soms maar {a} FIP- en {b} controle-klantmanagers in een gemeente ({c} en {d} in "
        "totaal); met minder dan {k} van een van beide zijn clusterrobuuste en "
        "bootstrapfouten onbetrouwbaar en wordt FIP opnieuw over klantmanagers toegewezen "
        "(exact); met meer is de wilde clusterbootstrap betrouwbaar voor lineaire effecten en "
        "goedkoper (modellen worden nog steeds opnieuw toegewezen)",
    "strata": "strata",
    "all assignments where at most {n}, else {m} random ones (seed {s})":
        "alle toewijzingen als het er hoogstens {n} zijn, anders {m} willekeurige "
        "(startgetal {s})",
    "How uncertainty is computed: the design decides": "Hoe de onzekerheid is berekend: de opzet beslist",
    "Possible choices of FIP caseworkers": "Mogelijke keuzes van FIP-klantmanagers",
    "Smallest attainable p": "Kleinst haalbare p",
    "Design-based inference possible": "Opzetgebaseerde onzekerheid mogelijk",
    "Client-level and CR1 cluster-robust errors are not used for any interval or verdict: "
    "with this few FIP caseworkers they state confident falsehoods (CR1 covered {pct} of true "
    "effects with {n} FIP caseworkers in our coverage study).":
        "Standaardfouten op klantniveau en CR1-clusterrobuuste fouten worden voor geen enkel "
        "interval of oordeel gebruikt: met zo weinig FIP-klantmanagers beweren ze met stelligheid "
        "onwaarheden (CR1 bevatte in onze dekkingsstudie {pct} van de ware effecten bij {n} "
        "FIP-klantmanagers).",
    "The cluster-robust standard error is zero here (the clusters' scores cancel exactly), so "
    "the studentised statistic is undefined: the test re-assigns FIP with the coefficient "
    "itself as statistic (equally exact under the sharp null); no standard error is shown.":
        "De clusterrobuuste standaardfout is hier nul (de scores van de clusters heffen elkaar "
        "precies op), dus de gestudentiseerde toetsgrootheid bestaat niet: de toets wijst FIP "
        "opnieuw toe met de coëfficiënt zelf als toetsgrootheid (even exact onder de scherpe "
        "nulhypothese); er staat geen standaardfout.",
    "none: {reason}": "geen: {reason}",
    "Only {n} possible assignments: the smallest attainable p-value is {p}, so no result can "
    "be significant at the {level} level.":
        "Maar {n} mogelijke toewijzingen: de kleinst haalbare p-waarde is {p}, dus geen "
        "enkel resultaat kan significant zijn op het {level}-niveau.",
}

FIDELITY = {
    "Fidelity of FIP": "Uitvoering van FIP volgens protocol",
    "Protocol: an intake of about {a} minutes in the first weeks, then a talk of about {b} "
    "minutes at least every three months. The table counts, per quarter of follow-up, the "
    "clients still on benefit at the quarter's start who had at least one contact.":
        "Protocol: een intake van ongeveer {a} minuten in de eerste weken, daarna minstens "
        "elke drie maanden een gesprek van ongeveer {b} minuten. De tabel telt per kwartaal van "
        "de volgtijd de klanten die aan het begin van het kwartaal nog een uitkering hadden en "
        "minstens één contact hadden.",
    "{pct} of FIP clients had their intake within the first {w} weeks.":
        "{pct} van de FIP-klanten had de intake binnen de eerste {w} weken.",
    "Contacts per quarter of follow-up": "Contacten per kwartaal van de volgtijd",
    "Quarter of follow-up": "Kwartaal van de volgtijd",
    "quarter of follow-up": "kwartaal van de volgtijd",
    "Clients on benefit at the quarter's start": "Klanten met uitkering aan het begin van het kwartaal",
    "Clients seen": "Klanten gezien", "Share seen": "Aandeel gezien",
    "Contacts per client seen": "Contacten per geziene klant", "Mean minutes": "Gemiddeld aantal minuten",
    "share seen at least once": "aandeel minstens één keer gezien",
    "Were clients seen every quarter?": "Werden klanten elk kwartaal gezien?",
    "Share of clients on benefit who had a contact, per quarter":
        "Aandeel klanten met uitkering dat contact had, per kwartaal",
    "The process per caseworker. FIP's arithmetic: a caseworker who holds {t} talks a morning "
    "has about {year} talks a year, enough for {n} clients seen {k} times a year. The table "
    "shows each caseworker's clients in this study, the share of their client-quarters on "
    "benefit with a talk, talks per client-year, the share of clients with an intake within "
    "four weeks and all their talks with these clients per year of follow-up. Caseworkers "
    "with fewer than {m} clients are suppressed, and where one would be, a second one too.":
        "Het proces per klantmanager. De rekensom van FIP: een klantmanager die {t} gesprekken "
        "per ochtend voert, heeft er ongeveer {year} per jaar, genoeg voor {n} klanten die "
        "{k} keer per jaar worden gezien. De tabel toont per klantmanager de klanten in dit "
        "onderzoek, het aandeel van hun klantkwartalen in de uitkering met een gesprek, "
        "gesprekken per klantjaar, het aandeel klanten met een intake binnen vier weken en al "
        "hun gesprekken met deze klanten per jaar volgtijd. Klantmanagers met minder dan {m} "
        "klanten worden afgeschermd, en waar dat er één zou zijn, ook een tweede.",
    "{who} ({where}): {n} clients in the study, {talks} talks a year with them against the "
    "{needed} that {k} a year each would take ({pct}); {seen} of their client-quarters on "
    "benefit had a talk.":
        "{who} ({where}): {n} klanten in het onderzoek, {talks} gesprekken per jaar met hen "
        "tegen de {needed} die {k} per jaar per klant zouden vragen ({pct}); in {seen} van "
        "hun klantkwartalen in de uitkering was er een gesprek.",
    "Process per caseworker (this study's clients)": "Proces per klantmanager (klanten in dit onderzoek)",
    "Client-years": "Klantjaren", "Share of client-quarters with a talk": "Aandeel klantkwartalen met gesprek",
    "Talks per client-year": "Gesprekken per klantjaar", "Intake within 4 weeks": "Intake binnen 4 weken",
    "Talks per year": "Gesprekken per jaar",
}

BALANCE = {
    "Caseload composition and balance": "Samenstelling van de caseloads en balans",
    "Are the FIP and control caseloads comparable? Standardised mean differences above {t} "
    "are flagged. 'Before' compares all eligible clients; 'after' compares FIP clients with "
    "their nearest controls on the propensity score within municipality.":
        "Zijn de FIP- en controlecaseloads vergelijkbaar? Gestandaardiseerde verschillen in "
        "gemiddelden boven {t} worden gemarkeerd. 'Voor' vergelijkt alle meegenomen klanten; "
        "'na' vergelijkt FIP-klanten met hun dichtstbijzijnde controleklanten op de "
        "propensityscore binnen de gemeente.",
    "nearest neighbour 1:1 without replacement, order {o}, caliper {c} SD, exact on {e}":
        "dichtstbijzijnde buur 1:1 zonder teruglegging, volgorde {o}, caliper {c} SD, exact "
        "op {e}",
    "nearest neighbour 1:1 without replacement, order {o}, caliper {c} SD":
        "dichtstbijzijnde buur 1:1 zonder teruglegging, volgorde {o}, caliper {c} SD",
    "nearest neighbour 1:1 with replacement, order {o}, caliper {c} SD, exact on {e}":
        "dichtstbijzijnde buur 1:1 met teruglegging, volgorde {o}, caliper {c} SD, exact op {e}",
    "largest": "grootste eerst", "smallest": "kleinste eerst", "random": "willekeurig",
    "data": "gegevensvolgorde",
    "distance": "afstand", "logit of the propensity score": "logit van de propensityscore",
    "n FIP / control": "n FIP / controle", "matched FIP / control": "gematcht FIP / controle",
    "caliper on the score": "caliper op de score",
    "Covariate balance: {method}": "Balans van de kenmerken: {method}",
    "FIP mean before matching": "Gemiddelde FIP vóór het matchen",
    "Control mean before matching": "Gemiddelde controle vóór het matchen",
    "Standardised difference before": "Gestandaardiseerd verschil vóór",
    "FIP mean after": "Gemiddelde FIP na", "Control mean after": "Gemiddelde controle na",
    "Standardised difference after": "Gestandaardiseerd verschil na",
    "Variance ratio after": "Verhouding van de varianties na",
    "Mean eCDF difference after": "Gemiddeld eCDF-verschil na",
    "Largest eCDF difference after": "Grootste eCDF-verschil na",
    "Imbalanced (|SMD| > 0.1)": "Uit balans (|SMD| > 0,1)",
    "{n} of {m} terms have |SMD| above {t} after adjustment.":
        "{n} van de {m} termen hebben na aanpassing een |SMD| boven {t}.",
    "|standardised mean difference|": "|gestandaardiseerd verschil in gemiddelden|",
    "Covariate balance before and after matching": "Balans van de kenmerken vóór en na het matchen",
    "Covariate balance before and after matching ({v}: exact, not shown)":
        "Balans van de kenmerken vóór en na het matchen ({v}: exact, niet getoond)",
    "threshold {t}": "grens {t}",
    "{n} of {m} focal (here FIP) clients got no match because of the caliper; they have weight "
    "0 and the matched sample no longer represents the whole group.":
        "{n} van de {m} FIP-klanten kregen door de caliper geen match; zij hebben gewicht 0 "
        "en de gematchte steekproef staat niet meer voor de hele groep.",
    "Propensity score (logit)": "Propensityscore (logit)", "Age": "Leeftijd",
    "Participation ladder rung": "Trede op de participatieladder",
    "Months on benefit before the start": "Maanden in de uitkering vóór de start",
    "Sex: female": "Geslacht: vrouw", "Sex: male": "Geslacht: man",
    "Household: single": "Huishouden: alleenstaand", "Household: couple": "Huishouden: paar",
    "Household: single parent": "Huishouden: alleenstaande ouder",
}

TERMINATIONS = {
    "Terminations within follow-up": "Beëindigingen binnen de volgtijd",
    "Benefits ended within follow-up, by group: counts, shares and the crude difference "
    "(descriptive; no interval)":
        "Uitkeringen beëindigd binnen de volgtijd, per groep: aantallen, aandelen en het ruwe "
        "verschil (beschrijvend; geen interval)",
    "FIP: ended": "FIP: beëindigd", "FIP: share ended": "FIP: aandeel beëindigd",
    "Control: ended": "Controle: beëindigd", "Control: share ended": "Controle: aandeel beëindigd",
    "Difference (FIP minus control)": "Verschil (FIP min controle)",
    "These are counts and shares, not effects. FIP was given by caseworker, so whether a "
    "difference is more than chance is judged by the design-based inference of the effects "
    "section. Its pooled effect compares FIP and control clients within their own "
    "municipality; the crude difference of the row 'all' does not, and differs from it where "
    "municipalities differ in follow-up or exit rates.":
        "Dit zijn aantallen en aandelen, geen effecten. FIP is per klantmanager gegeven, dus of "
        "een verschil meer is dan toeval, beoordeelt de opzetgebaseerde onzekerheid van het "
        "hoofdstuk over effecten. Het gezamenlijke effect daar vergelijkt FIP- en "
        "controleklanten binnen hun eigen gemeente; het ruwe verschil in de rij 'alle' doet "
        "dat niet, en wijkt ervan af waar gemeenten verschillen in volgtijd of uitstroom.",
}

EFFECTS = {
    "Effects per municipality and pooled": "Effecten per gemeente en samen",
    # the adjusted estimates beside the unadjusted (inference.adjusted)
    "Effects on the FIP clients: unadjusted and adjusted side by side":
        "Effecten bij de FIP-klanten: ongecorrigeerd en gecorrigeerd naast elkaar",
    "Which estimate leads: {rule}. The table 'Effects on the FIP clients' shows for ended "
    "benefits, fraud signals, activation and months on benefit the unadjusted difference, the "
    "propensity-weighted difference, regression adjustment and the doubly robust (AIPW) "
    "estimate side by side, each with the design's inference; the first page and the costs use "
    "the leading one.":
        "Welke schatting voorop staat: {rule}. De tabel 'Effecten bij de FIP-klanten' toont voor "
        "beëindigde uitkeringen, fraudesignalen, activering en maanden in de uitkering het "
        "ongecorrigeerde verschil, het naar de propensityscore gewogen verschil, de "
        "regressiecorrectie en de dubbel robuuste schatting (AIPW) naast elkaar, elk met de "
        "onzekerheid uit de opzet; de eerste pagina en de kosten gebruiken de voorste.",
    "the largest standardised difference between the groups before adjustment is {smd} "
    "({term}; {after} after matching), above {t}: the doubly robust estimate leads":
        "het grootste gestandaardiseerde verschil tussen de groepen vóór correctie is {smd} "
        "({term}; {after} na matching), meer dan {t}: de dubbel robuuste schatting staat voorop",
    "the largest standardised difference between the groups before adjustment is {smd} "
    "({term}), above {t}: the doubly robust estimate leads":
        "het grootste gestandaardiseerde verschil tussen de groepen vóór correctie is {smd} "
        "({term}), meer dan {t}: de dubbel robuuste schatting staat voorop",
    "every standardised difference between the groups before adjustment is at most {t} "
    "(largest {smd}, {term}): the groups are comparable and regression adjustment leads":
        "elk gestandaardiseerd verschil tussen de groepen vóór correctie is hoogstens {t} "
        "(grootste {smd}, {term}): de groepen zijn vergelijkbaar en de regressiecorrectie staat "
        "voorop",
    "no balance table: the doubly robust estimate leads":
        "geen balanstabel: de dubbel robuuste schatting staat voorop",
    "{n} municipalities: each shows the unadjusted and the leading estimate; all four side by "
    "side for all municipalities together.":
        "{n} gemeenten: elk toont de ongecorrigeerde en de voorste schatting; alle vier naast "
        "elkaar voor alle gemeenten samen.",
    "adjusted for": "gecorrigeerd voor", "headline": "voorop",
    "the covariates of the balance section (and municipality when pooled)":
        "de kenmerken van het hoofdstuk over balans (en de gemeente bij samen)",
    "{n} covariates: {names}": "{n} kenmerken: {names}",
    "unadjusted difference": "ongecorrigeerd verschil",
    "propensity-weighted difference (controls weighted by their odds of FIP)":
        "naar de propensityscore gewogen verschil (controles gewogen naar hun kansverhouding op "
        "FIP)",
    "regression adjustment (least squares on the covariates)":
        "regressiecorrectie (kleinste kwadraten op de kenmerken)",
    "doubly robust AIPW (logit propensity and control outcome regression)":
        "dubbel robuuste AIPW (logistische propensityscore en uitkomstregressie bij de controles)",
    "the design's rule per comparison (column inference): FIP re-assigned within municipality "
    "({n} draws; weighted and AIPW refitted for {k} re-assignments), or the wild cluster "
    "bootstrap by caseworker with many FIP caseworkers":
        "de regel van de opzet per vergelijking (kolom onzekerheid): FIP opnieuw toegewezen "
        "binnen de gemeente ({n} trekkingen; gewogen en AIPW opnieuw geschat voor {k} "
        "hertoewijzingen), of de wilde clusterbootstrap per klantmanager bij veel "
        "FIP-klantmanagers",
    "Effects: the effects section's leading estimate, {estimator}, chosen by the balance rule "
    "({rule}).":
        "Effecten: de voorste schatting van het hoofdstuk over effecten, {estimator}, gekozen "
        "volgens de balansregel ({rule}).",
    "Estimator": "Schatter", "Leads (first page and costs)": "Voorop (eerste pagina en kosten)",
    "Unadjusted": "Ongecorrigeerd", "Propensity-weighted": "Gewogen naar propensityscore",
    "Regression adjustment": "Regressiecorrectie", "Doubly robust (AIPW)": "Dubbel robuust (AIPW)",
    "wild cluster bootstrap-t of the linearised estimate (models fixed)":
        "wilde clusterbootstrap-t van de gelineariseerde schatting (modellen vast)",
    "Differences FIP minus control in the share of benefits ended within follow-up (overall "
    "and by end reason), fraud signals and activation steps per client-year, and months on "
    "benefit. Intervals and p-values come from the design (see 'How uncertainty is "
    "computed'). The column 'p if clients were independent' treats clients as independent "
    "draws: it is wrong under this design and is shown only to show how much it would "
    "overstate.":
        "Verschillen FIP min controle in het aandeel uitkeringen dat binnen de volgtijd "
        "eindigde (in totaal en per reden), fraudesignalen en activeringsstappen per klantjaar, "
        "en maanden in de uitkering. Intervallen en p-waarden komen uit de opzet (zie 'Hoe de "
        "onzekerheid is berekend'). De kolom 'p als klanten onafhankelijk waren' behandelt "
        "klanten als onafhankelijke trekkingen: dat is onder deze opzet onjuist en staat er "
        "alleen om te laten zien hoeveel die zou overdrijven.",
    "difference FIP - control (risk difference; events per client-year for counts), "
    "regression-adjusted for nothing":
        "verschil FIP - controle (verschil in aandelen; gebeurtenissen per klantjaar bij "
        "aantallen), niet gecorrigeerd voor andere kenmerken",
    "interval and p_value": "interval en p-waarde",
    "by the design's rule per comparison (column `inference`): randomization inference "
    "re-assigning FIP across {cl} within municipality with few FIP or control caseworkers, the "
    "wild cluster bootstrap with many":
        "volgens de regel van de opzet per vergelijking (kolom 'Methode'): "
        "randomisatie-inferentie die FIP binnen de gemeente opnieuw over {cl}s verdeelt bij "
        "weinig FIP- of controle-klantmanagers, de wilde clusterbootstrap bij veel",
    "also shown": "ook getoond",
    "p_naive (clients treated as independent: wrong under this design, shown for contrast "
    "only), and Holm / BH adjustment over outcomes within each subset":
        "'p als klanten onafhankelijk waren' (onjuist onder deze opzet: onjuist onder deze opzet, alleen ter "
        "vergelijking), en Holm-/BH-correctie over de uitkomsten binnen elke deelgroep",
    "Effects of FIP with the design's inference": "Effecten van FIP met de onzekerheid uit de opzet",
    "Only {k} FIP caseworkers per comparison: cluster-robust SEs are unreliable; the intervals "
    "and p-values shown come from the design (column `inference`), p_naive is shown for "
    "contrast only.":
        "Maar {k} FIP-klantmanagers per vergelijking: clusterrobuuste standaardfouten zijn "
        "onbetrouwbaar; de getoonde intervallen en p-waarden komen uit de opzet (kolom "
        "'Methode'), 'p als klanten onafhankelijk waren' staat er alleen ter vergelijking.",
    "Only {k} FIP caseworker per comparison: cluster-robust SEs are unreliable; the intervals "
    "and p-values shown come from the design (column `inference`), p_naive is shown for "
    "contrast only.":
        "Maar {k} FIP-klantmanager per vergelijking: clusterrobuuste standaardfouten zijn "
        "onbetrouwbaar; de getoonde intervallen en p-waarden komen uit de opzet (kolom "
        "'Methode'), 'p als klanten onafhankelijk waren' staat er alleen ter vergelijking.",
    "{n} of {m} results are 'significant' when clients are treated as independent but not "
    "once clustering is accounted for: {list}.":
        "{n} van de {m} resultaten zijn 'significant' als klanten als onafhankelijk worden "
        "behandeld, maar niet meer zodra met de clustering rekening wordt gehouden: {list}.",
    "{m} has only control clients: it enters the pooled comparison only.":
        "{m} heeft alleen controleklanten: de gemeente telt alleen mee in de gezamenlijke "
        "vergelijking.",
    "random effects, REML tau^2": "random effects, REML tau^2",
    "random effects, DerSimonian-Laird tau^2": "random effects, DerSimonian-Laird tau^2",
    "fixed effect (inverse variance)": "vast effect (inverse variantie)",
    "measure": "maat", "risk difference (ended)": "verschil in aandeel beëindigd",
    "studies": "gemeenten", "tau^2": "tau^2", "heterogeneity": "heterogeniteit",
    "Q = {q} on {df} df, p = {p}, I^2 = {i2}": "Q = {q} bij {df} vrijheidsgraden, p = {p}, I^2 = {i2}",
    "Meta-analysis over municipalities": "Meta-analyse over de gemeenten",
    "Only {k} municipalities: tau^2 is estimated very imprecisely and the random-effects "
    "interval may be too narrow.":
        "Maar {k} gemeenten: tau^2 is zeer onnauwkeurig geschat en het random-effects-interval "
        "kan te smal zijn.",
    "pooled (REML)": "samen (REML)", "pooled (DL)": "samen (DL)", "pooled (FE)": "samen (FE)",
    "Between-municipality SD (tau)": "SD tussen gemeenten (tau)",
}

SURVIVAL = {
    "Time on benefit and end reasons": "Duur van de uitkering en redenen van beëindiging",
    "How long benefits last after the start, and how they end. Kaplan-Meier curves per group, "
    "a Cox model stratified by municipality, the restricted mean months on benefit, and the "
    "cumulative incidence of each end reason (Aalen-Johansen), which treats the other reasons "
    "as competing. The first table gives the design-based intervals; the model tables after "
    "it show estimates only, and the bands in the figures are descriptive (they treat clients "
    "as independent).":
        "Hoe lang uitkeringen na de start duren en hoe ze eindigen. Kaplan-Meiercurves per "
        "groep, een Cox-model gestratificeerd naar gemeente, het beperkte gemiddelde aantal "
        "maanden in de uitkering en de cumulatieve incidentie van elke reden van beëindiging "
        "(Aalen-Johansen), die de andere redenen als concurrerend behandelt. De eerste tabel "
        "geeft de opzetgebaseerde intervallen; de modeltabellen erna tonen alleen schattingen, "
        "en de banden in de figuren zijn beschrijvend (ze behandelen klanten als "
        "onafhankelijk).",
    "randomization-t: FIP re-assigned to other caseworkers within each municipality; p-value "
    "= share of assignments with |t| at least the observed; interval = estimate -/+ the "
    "{pct} percentile of |t| x standard error":
        "randomisatie-t: FIP opnieuw toegewezen aan andere klantmanagers binnen elke gemeente; "
        "p-waarde = aandeel toewijzingen met |t| minstens de waargenomen; interval = schatting "
        "-/+ het {pct} percentiel van |t| x standaardfout",
    "randomization-t: FIP re-assigned to other caseworkers within each municipality; p-value "
    "= share of assignments with |t| at least the observed; interval = estimate -/+ the "
    "{pct} percentile of |t| x standard error (rows without assignments: see column "
    "`inference`)":
        "randomisatie-t: FIP opnieuw toegewezen aan andere klantmanagers binnen elke gemeente; "
        "p-waarde = aandeel toewijzingen met |t| minstens de waargenomen; interval = schatting "
        "-/+ het {pct} percentiel van |t| x standaardfout (rijen zonder toewijzingen: zie "
        "kolom 'Methode')",
    "{p}th": "{p}e",
    "all {n} assignments (exact)": "alle {n} toewijzingen (exact)",
    "{n} random assignments and the observed one, seed {s}":
        "{n} willekeurige toewijzingen en de waargenomen, startgetal {s}",
    "Time on benefit: design-based inference": "Duur van de uitkering: onzekerheid uit de opzet",
    "The Kaplan-Meier, RMST, Cox and cumulative-incidence tables below show estimates only: "
    "their own intervals treat clients (or few caseworkers) as independent and are not used.":
        "De tabellen hieronder (Kaplan-Meier, RMST, Cox en cumulatieve incidentie) tonen alleen "
        "schattingen: hun eigen intervallen behandelen klanten (of weinig klantmanagers) als "
        "onafhankelijk en worden niet gebruikt.",
    "Cox log hazard ratio FIP": "Cox: log hazard ratio FIP",
    "RMST difference FIP - control (months, first {t})":
        "RMST-verschil FIP - controle (maanden, eerste {t})",
    "log-rank (root of chi-square)": "log-rank (wortel uit chi-kwadraat)",
    "randomization-t over caseworker assignments": "randomisatie-t over toewijzingen aan klantmanagers",
    "duration": "duur", "exit": "uitstroom", "event": "gebeurtenis", "group": "groep",
    "delayed entry": "late instap", "weights": "gewichten",
    "confidence interval": "betrouwbaarheidsinterval", "{pct}, log scale": "{pct}, logschaal",
    "{pct}, log(-log) scale": "{pct}, log(-log)-schaal", "variance": "variantie",
    "Greenwood": "Greenwood", "robust (infinitesimal jackknife)": "robuust (infinitesimale jackknife)",
    "Kaplan-Meier estimate of the time on benefit": "Kaplan-Meierschatting van de duur van de uitkering",
    "Estimates only: this model's own intervals and p-values treat clients (or a few "
    "caseworkers) as independent and are withdrawn; the design-based table of this section "
    "gives the uncertainty.":
        "Alleen schattingen: de eigen intervallen en p-waarden van dit model behandelen klanten "
        "(of een paar klantmanagers) als onafhankelijk en zijn weggelaten; de opzetgebaseerde "
        "tabel van dit hoofdstuk geeft de onzekerheid.",
    "Log-rank test": "Log-ranktoets", "log-rank": "log-rank",
    "Observed and expected events: control {o0} vs {e0}; FIP {o1} vs {e1}":
        "Waargenomen en verwachte beëindigingen: controle {o0} tegen {e0}; FIP {o1} tegen {e1}",
    "restricted to (tau)": "beperkt tot (tau)", "Restricted to (months)": "Beperkt tot (maanden)",
    "Restricted mean time on benefit (RMST)": "Beperkte gemiddelde duur in de uitkering (RMST)",
    "The difference is in months on benefit within the first {tau} months; negative means "
    "fewer months on benefit for {g} clients.":
        "Het verschil is in maanden in de uitkering binnen de eerste {tau} maanden; negatief "
        "betekent minder maanden in de uitkering voor {g}-klanten.",
    "Median months on benefit: {g}": "Mediaan aantal maanden in de uitkering: {g}",
    "Mean months on benefit (RMST): {g}": "Gemiddeld aantal maanden in de uitkering (RMST): {g}",
    "Ended, {r}: {g}": "Beëindigd, {r}: {g}",
    "entry": "instap", "ties": "gelijke tijden", "efron": "Efron", "breslow": "Breslow",
    "log-likelihood": "log-likelihood", "iterations": "iteraties", "concordance": "concordantie",
    "{c} ({a} concordant, {b} discordant, {t} tied on the score)":
        "{c} ({a} concordant, {b} discordant, {t} gelijk op de score)",
    "likelihood ratio test": "likelihood-ratiotoets", "Wald test": "Waldtoets",
    "score (log-rank) test": "scoretoets (log-rank)",
    "{chi2} on {df} df, p = {p}": "{chi2} bij {df} vrijheidsgraden, p = {p}",
    "Cox proportional hazards model": "Cox-model met proportionele hazards",
    "Hazard ratio": "Hazard ratio", "Hazard ratio: interval from": "Hazard ratio: interval van",
    "Hazard ratio: interval to": "Hazard ratio: interval tot",
    "Standard error if clients were independent": "Standaardfout als klanten onafhankelijk waren",
    "estimate is the log hazard ratio; hazard_ratio = exp(estimate). A hazard ratio above 1 "
    "means benefits end sooner.":
        "De schatting is de log hazard ratio; hazard ratio = exp(schatting). Een hazard ratio "
        "boven 1 betekent dat uitkeringen eerder eindigen.",
    "end reason": "reden van beëindiging", "cause": "reden",
    "Gray (1988), as cmprsk::cuminc": "Gray (1988), zoals cmprsk::cuminc",
    "Cumulative incidence of ending benefit, by end reason (Aalen-Johansen)":
        "Cumulatieve incidentie van beëindiging, per reden (Aalen-Johansen)",
    "at risk": "at risk", "still on benefit": "nog in de uitkering",
    "Still on benefit (Kaplan-Meier)": "Nog in de uitkering (Kaplan-Meier)",
    "Share of clients still on benefit by months since the study start, per group, with "
    "{pct} bands that treat clients as independent (descriptive; the design-based intervals "
    "are in the table) (Kaplan-Meier); numbers at risk below.":
        "Aandeel klanten nog in de uitkering naar maanden sinds de start, per groep, met "
        "{pct}-banden die klanten als onafhankelijk behandelen (beschrijvend; de "
        "opzetgebaseerde intervallen staan in de tabel) (Kaplan-Meier); aantallen at risk "
        "eronder.",
    "cumulative incidence of ending": "cumulatieve incidentie van beëindiging",
    "Ended by reason: {g}": "Beëindigd per reden: {g}",
    "Cumulative incidence of ending benefit by end reason (Aalen-Johansen) with {pct} "
    "pointwise intervals (Gray's variance), per group.":
        "Cumulatieve incidentie van beëindiging per reden (Aalen-Johansen) met {pct} "
        "puntsgewijze intervallen (variantie van Gray), per groep.",
    "restriction time (months)": "beperkingstijd (maanden)",
    "difference in months on benefit": "verschil in maanden in de uitkering",
    "Difference in months on benefit": "Verschil in maanden in de uitkering",
    "RMST difference over the follow-up": "RMST-verschil over de volgtijd",
    "Difference in mean months on benefit (FIP minus control) within the first tau months, "
    "with a {pct} band that treats clients as independent (descriptive); below zero = months "
    "avoided.":
        "Verschil in het gemiddelde aantal maanden in de uitkering (FIP min controle) binnen "
        "de eerste tau maanden, met een {pct}-band die klanten als onafhankelijk behandelt "
        "(beschrijvend); onder nul = vermeden maanden.",
    "Difference (FIP minus control)": "Verschil (FIP min controle)",
}

DID = {
    "Difference-in-differences: caseworkers before and after":
        "Verschil-in-verschillen: klantmanagers voor en na",
    "The study plan's comparison: monthly outcomes of the FIP caseworkers' caseloads and of "
    "the other caseworkers, before and after the start. The event study shows whether the two "
    "moved in parallel before FIP. The first table gives the design-based intervals; the "
    "model tables after it show estimates only.":
        "De vergelijking uit het onderzoeksplan: maandelijkse uitkomsten van de caseloads van "
        "de FIP-klantmanagers en van de andere klantmanagers, voor en na de start. De "
        "eventstudy laat zien of de twee vóór FIP gelijk opliepen. De eerste tabel geeft de "
        "opzetgebaseerde intervallen; de modeltabellen erna tonen alleen schattingen.",
    "Difference-in-differences: design-based inference":
        "Verschil-in-verschillen: onzekerheid uit de opzet",
    "The model tables below show estimates only: their own intervals (CR1, wild bootstrap, "
    "influence function) are not used.":
        "De modeltabellen hieronder tonen alleen schattingen: hun eigen intervallen (CR1, "
        "wilde bootstrap, invloedsfunctie) worden niet gebruikt.",
    "Two-way fixed effects: {o}": "Tweeweg vaste effecten: {o}",
    "Callaway-Sant'Anna: {o}": "Callaway-Sant'Anna: {o}",
    "termination rate": "beëindigingsratio", "fraud-signal rate": "fraudesignaalratio",
    "activation rate": "activeringsratio",
    "The register holds one caseworker per spell (the current one), so the pre-period "
    "caseloads of the FIP caseworkers are rebuilt from the clients assigned to them at the "
    "start; where caseloads were reshuffled then, the pre-period exit rate is biased and no "
    "interval can be trusted. The client-level effect on ended benefits (effects section) is "
    "the one to read.":
        "Het register kent één klantmanager per uitkering (de huidige), dus de caseloads van "
        "de FIP-klantmanagers vóór de start zijn herbouwd uit de klanten die hun bij de start "
        "waren toegewezen; waar caseloads toen zijn herverdeeld, is de uitstroom in de "
        "voorperiode vertekend en is geen interval te vertrouwen. Het effect op klantniveau op "
        "beëindigde uitkeringen (hoofdstuk effecten) is het te lezen cijfer.",
    "two-way fixed effects (unit and period absorbed)":
        "tweeweg vaste effecten (eenheid en periode geabsorbeerd)",
    "treated units": "behandelde eenheden", "periods": "perioden", "clusters": "clusters",
    "{n} (caseworker)": "{n} (klantmanager)", "small-sample factor": "kleine-steekproeffactor",
    "K = {k} (fixest)": "K = {k} (fixest)", "caseload": "caseload",
    "Difference-in-differences": "Verschil-in-verschillen",
    "event study, unit and period effects absorbed":
        "eventstudy, effecten van eenheid en periode geabsorbeerd",
    "reference period": "referentieperiode", "end points": "eindpunten", "binned": "samengevoegd",
    "pre-trend test": "toets op trend vooraf",
    "Event study (two-way fixed effects)": "Eventstudy (tweeweg vaste effecten)",
    "Months since FIP started": "Maanden sinds de start van FIP",
    "Band from": "Band van", "Band to": "Band tot",
    "Simultaneous {pct} band: estimate +- {c} x SE (sup-t, seed {s}).":
        "Simultane {pct}-band: schatting +- {c} x standaardfout (sup-t, startgetal {s}).",
    "termination rate per month": "beëindigingsratio per maand",
    "Monthly termination rate": "Beëindigingsratio per maand",
    "other caseworkers": "andere klantmanagers", "FIP caseworkers": "FIP-klantmanagers",
    "Monthly termination rate (terminations per eligible client on the caseload at the start "
    "of the month), FIP caseworkers and the other caseworkers, caseload-weighted; dotted: "
    "start(s).":
        "Beëindigingsratio per maand (beëindigingen per meegenomen klant op de caseload aan het "
        "begin van de maand), FIP-klantmanagers en de andere klantmanagers, gewogen naar "
        "caseload; gestippeld: start(s).",
    "periods since the start of FIP (event time)": "perioden sinds de start van FIP (eventtijd)",
    "periods since start (event time)": "perioden sinds de start (eventtijd)",
    "Termination rate around the start of FIP": "Beëindigingsratio rond de start van FIP",
    "{pct} simultaneous band": "{pct} simultane band",
    "{pct} pointwise interval": "{pct} puntsgewijs interval",
    "Event study of the monthly termination rate: effect by month since the start relative to "
    "the month before, with {pct} pointwise intervals (bars) and simultaneous band (shaded); "
    "cluster-robust by caseworker with {n} FIP caseworker(s), so the intervals are indicative "
    "only.":
        "Eventstudy van de beëindigingsratio per maand: effect per maand sinds de start ten "
        "opzichte van de maand ervoor, met {pct} puntsgewijze intervallen (staven) en "
        "simultane band (gearceerd); clusterrobuust per klantmanager met {n} "
        "FIP-klantmanager(s), dus de intervallen zijn alleen indicatief.",
    "Month {k} since the start": "Maand {k} sinds de start",
    "Effect of the {g} start in {t}": "Effect van de start in {g}, in {t}",
    "Average effect after the start": "Gemiddeld effect na de start",
    "Two-way fixed effects (for comparison)": "Tweeweg vaste effecten (ter vergelijking)",
    "Group-time effects by month since each municipality's start (Callaway-Sant'Anna, "
    "never-treated caseworkers as comparison).":
        "Groep-tijdeffecten per maand sinds de start van elke gemeente (Callaway-Sant'Anna, "
        "nooit behandelde klantmanagers als vergelijking).",
    "group-time ATT, unconditional parallel trends, varying base period":
        "groep-tijd-ATT, onvoorwaardelijke parallelle trends, wisselende basisperiode",
    "cohorts": "cohorten", "comparison": "vergelijking", "never treated": "nooit behandeld",
    "not yet treated": "nog niet behandeld",
    "Staggered difference-in-differences (Callaway & Sant'Anna)":
        "Gespreid verschil-in-verschillen (Callaway & Sant'Anna)",
    "att is the simple aggregate: the cohort-size weighted mean of ATT(g,t) over post periods.":
        "Het gemiddelde effect na de start is het eenvoudige aggregaat: het naar cohortgrootte "
        "gewogen gemiddelde van ATT(g,t) over de perioden na de start.",
    "twfe is the static two-way fixed-effects estimate on the same panel, shown for "
    "comparison; it is biased when effects differ by cohort or grow with time.":
        "Tweeweg vaste effecten is de statische schatting op hetzelfde panel, ter "
        "vergelijking; die is vertekend als effecten per cohort verschillen of in de tijd "
        "groeien.",
    "Only {n} treated unit(s): the cluster-robust pre-trend test is unreliable.":
        "Maar {n} behandelde eenheid/eenheden: de clusterrobuuste toets op trend vooraf is "
        "onbetrouwbaar.",
}

COSTING = {
    "Costs and savings": "Kosten en besparingen",
    "The pilot's kind of extrapolation (extra terminations x whole caseload x a year of "
    "benefit) beside a refined version (months of benefit actually avoided, benefit by "
    "household type, return to benefit after exit, discounting), the cost of the FIP talks, "
    "and the net result. Intervals carry the effects' design-based uncertainty (the same "
    "effects and intervals as the effects section) and the inputs' ranges. Every input is "
    "listed with its source.":
        "De extrapolatie zoals de pilot die maakte (extra beëindigingen x hele caseload x een "
        "jaar uitkering) naast een verfijnde versie (werkelijk vermeden maanden uitkering, "
        "uitkering naar huishoudtype, terugkeer in de uitkering na uitstroom, disconteren), de "
        "kosten van de FIP-gesprekken en het netto resultaat. De intervallen nemen de "
        "opzetgebaseerde onzekerheid van de effecten over (dezelfde effecten en intervallen "
        "als in het hoofdstuk effecten) en de bandbreedtes van de invoer. Elke invoer staat er "
        "met de bron bij.",
    "Costing inputs and their sources": "Invoer van de kostenberekening en de bronnen",
    "Benefit cost per year": "Kosten van een uitkering per jaar",
    "Administration cost per benefit per year": "Uitvoeringskosten per uitkering per jaar",
    "Share of the norm paid": "Uitbetaald deel van de norm",
    "Return-to-benefit multiplier": "Factor op de terugkeer in de uitkering",
    "Discount rate": "Discontovoet", "Caseworker cost per hour": "Kosten klantmanager per uur",
    "Productive hours per FTE": "Productieve uren per fte",
    "Training cost per caseworker": "Opleidingskosten per klantmanager",
    "Training written off over": "Opleiding afgeschreven over",
    "EUR per benefit per year": "euro per uitkering per jaar",
    "share of the norm paid": "uitbetaald deel van de norm",
    "multiplier on the recidivism curves": "factor op de terugvalcurves",
    "per year": "per jaar", "EUR per caseworker hour": "euro per uur klantmanager",
    "productive hours per FTE per year": "productieve uren per fte per jaar",
    "EUR per caseworker (one-off)": "euro per klantmanager (eenmalig)", "years": "jaar",
    "DOMAIN.md: an average bijstand benefit costs about EUR {x} a year (range: assumption "
    "+-{p})":
        "DOMAIN.md: een gemiddelde bijstandsuitkering kost ongeveer € {x} per jaar "
        "(bandbreedte: aanname +-{p})",
    "Berenschot via DOMAIN.md: administration about EUR {x} a year per benefit (range: "
    "assumption +-{p})":
        "Berenschot via DOMAIN.md: uitvoering ongeveer € {x} per jaar per uitkering "
        "(bandbreedte: aanname +-{p})",
    "assumption: the full net norm is paid (no other income, no gross-up for taxes); below 1 "
    "for partial benefits":
        "aanname: de volledige netto norm wordt uitbetaald (geen ander inkomen, geen "
        "bruteringsopslag); onder 1 bij gedeeltelijke uitkeringen",
    "assumption: Divosa curves as published (range: the Divosa ranges, roughly +-10%, widened)":
        "aanname: Divosa-curves zoals gepubliceerd (bandbreedte: de Divosa-marges, ongeveer "
        "+-10%, verruimd)",
    "Werkgroep discontovoet 2020 (standard rate for Dutch social cost-benefit analysis); not "
    "in DOMAIN.md: check locally":
        "Werkgroep discontovoet 2020 (standaardvoet voor maatschappelijke kosten-batenanalyse); "
        "niet in DOMAIN.md: lokaal nagaan",
    "assumption without a published source: order of magnitude of an integral hourly rate of "
    "a municipal caseworker; replace with the local rate":
        "aanname zonder gepubliceerde bron: orde van grootte van een integraal uurtarief van "
        "een gemeentelijke klantmanager; vervang door het lokale tarief",
    "assumption without a published source: productive hours of a full-time caseworker":
        "aanname zonder gepubliceerde bron: productieve uren van een voltijdse klantmanager",
    "assumption without a published source: FIP method training; replace with the offer's "
    "price":
        "aanname zonder gepubliceerde bron: training in de FIP-methode; vervang door de prijs "
        "uit de offerte",
    "assumption: training written off over three years":
        "aanname: opleiding in drie jaar afgeschreven",
    "Norms by household type: the dated norm table (replaceable); recidivism: Divosa curves by "
    "exit reason (replaceable).":
        "Normen per huishoudtype: de gedateerde normentabel (vervangbaar); terugval: "
        "Divosa-curves per reden van uitstroom (vervangbaar).",
    "Monte Carlo draws": "Monte-Carlotrekkingen", "inputs varied": "gevarieerde invoer",
    "cost method": "kostenmethode", "protocol": "protocol",
    "Savings per year: crude beside refined": "Besparing per jaar: ruw naast verfijnd",
    "Caseload": "Caseload", "Follow-up (months)": "Volgtijd (maanden)",
    "Difference in share ended": "Verschil in aandeel beëindigd",
    "difference in share ended": "verschil in aandeel beëindigd",
    "Crude savings per year": "Ruwe besparing per jaar",
    "Crude savings: interval": "Ruwe besparing: interval",
    "Difference in share ended needed to break even":
        "Verschil in aandeel beëindigd nodig om quitte te spelen",
    "difference in share ended needed to break even":
        "verschil in aandeel beëindigd nodig om quitte te spelen",
    "Refined savings per year": "Verfijnde besparing per jaar",
    "Refined savings: interval": "Verfijnde besparing: interval",
    "Cost of FIP per year": "Kosten van FIP per jaar", "cost of FIP per year": "kosten van FIP per jaar",
    "Net result per year": "Netto resultaat per jaar",
    "Difference in months needed to break even": "Verschil in maanden nodig om quitte te spelen",
    "difference in months needed to break even": "verschil in maanden nodig om quitte te spelen",
    "Crude savings: simulated interval": "Ruwe besparing: gesimuleerd interval",
    "Refined savings: simulated interval": "Verfijnde besparing: gesimuleerd interval",
    "EUR {a} to EUR {b}": "€ {a} tot € {b}",
    "Crude: extra terminations per client x caseload x EUR per benefit per year (the pilot's "
    "method: a full year saved per termination, nobody returns, FIP costs nothing).":
        "Ruw: extra beëindigingen per klant x caseload x euro per uitkering per jaar (de "
        "methode van de pilot: een vol jaar bespaard per beëindiging, niemand keert terug, FIP "
        "kost niets).",
    "Refined: months avoided (RMST difference over the follow-up) x cost by household type "
    "from the norm table (norms in force at the middle of the follow-up) + administration, "
    "net of returns to benefit (Divosa), discounted; per year = over the horizon x 12 / "
    "horizon.":
        "Verfijnd: vermeden maanden (RMST-verschil over de volgtijd) x kosten per huishoudtype "
        "uit de normentabel (normen zoals geldend halverwege de volgtijd) + uitvoering, minus "
        "terugkeer in de uitkering (Divosa), gedisconteerd; per jaar = over de horizon x 12 / "
        "horizon.",
    "Intervals: the effect's design-based interval (FIP re-assigned to caseworkers) scaled "
    "(exact: the savings are linear in the effect); pooled rows: Monte Carlo percentile "
    "intervals over the municipalities' effects (drawn to match their design-based intervals) "
    "and the inputs' ranges.":
        "Intervallen: het opzetgebaseerde interval van het effect (FIP opnieuw toegewezen aan "
        "klantmanagers), geschaald (exact: de besparing is lineair in het effect); rijen "
        "samen: Monte-Carlo-percentielintervallen over de effecten van de gemeenten (getrokken "
        "passend bij hun opzetgebaseerde intervallen) en de bandbreedtes van de invoer.",
    "crude extrapolation (the pilot's method)": "ruwe extrapolatie (de methode van de pilot)",
    "effect": "effect",
    "{t} = {v} ({level} interval {lo} to {hi})": "{t} = {v} ({level}-interval {lo} tot {hi})",
    "normal, alpha = {a}; linear in the effect": "normaal, alfa = {a}; lineair in het effect",
    "the effect's design-based interval and p-value, scaled (linear in the effect)":
        "het opzetgebaseerde interval en de p-waarde van het effect, geschaald (lineair in het "
        "effect)",
    "Savings, crude extrapolation": "Besparing, ruwe extrapolatie",
    "Crude extrapolation ({label}): {rd} extra terminations per client in the FIP group ({t}) "
    "x {caseload} clients in the whole caseload = {n} benefits ended extra x EUR {cost} a year "
    "per benefit ({source}) = EUR {sav} a year ({level} CI EUR {lo} to EUR {hi}) Assumes: every "
    "extra termination saves a full year of benefit; nobody returns to benefit; the effect in "
    "the FIP group holds for every client of the caseload; FIP itself costs nothing.":
        "Ruwe extrapolatie ({label}): {rd} extra beëindigingen per klant in de FIP-groep ({t}) "
        "x {caseload} klanten in de hele caseload = {n} extra beëindigde uitkeringen x € {cost} "
        "per jaar per uitkering ({source}) = € {sav} per jaar ({level}-interval € {lo} tot "
        "€ {hi}). Aannamen: elke extra beëindiging bespaart een vol jaar uitkering; niemand "
        "keert terug in de uitkering; het effect in de FIP-groep geldt voor elke klant van de "
        "caseload; FIP zelf kost niets.",
    "Crude extrapolation ({label}): {rd} extra terminations per client in the FIP group ({t}) "
    "x {caseload} clients in the whole caseload = {n} benefits ended extra x EUR {cost} a year "
    "per benefit ({source}) + EUR {admin} a year administration per benefit ({asource}) = EUR "
    "{sav} a year ({level} CI EUR {lo} to EUR {hi}) Assumes: every extra termination saves a "
    "full year of benefit; nobody returns to benefit; the effect in the FIP group holds for "
    "every client of the caseload; FIP itself costs nothing.":
        "Ruwe extrapolatie ({label}): {rd} extra beëindigingen per klant in de FIP-groep ({t}) "
        "x {caseload} klanten in de hele caseload = {n} extra beëindigde uitkeringen x € {cost} "
        "per jaar per uitkering ({source}) + € {admin} per jaar uitvoering per uitkering "
        "({asource}) = € {sav} per jaar ({level}-interval € {lo} tot € {hi}). Aannamen: elke "
        "extra beëindiging bespaart een vol jaar uitkering; niemand keert terug in de "
        "uitkering; het effect in de FIP-groep geldt voor elke klant van de caseload; FIP zelf "
        "kost niets.",
    "refined: RMST months avoided x cost by household type, net of returns, discounted":
        "verfijnd: met RMST vermeden maanden x kosten per huishoudtype, minus terugkeer, "
        "gedisconteerd",
    "horizon_months": "horizon (maanden)", "price_date": "prijspeildatum",
    "Savings, refined": "Besparing, verfijnd",
    "Refined savings ({label}), horizon {h} months: {m} months of benefit avoided per client "
    "(minus the {t}, FIP minus control, over the horizon) x (1 - {g}) for returns to benefit "
    "(exit reasons: {reasons}; recidivism x {r}; Divosa curves) x {caseload} clients in the "
    "caseload x EUR {cost} a month per benefit: mean norm EUR {norm} on {date} ({mix}) x {nf} "
    "+ EUR {admin}/12 administration x {d} discounting at {rate} a year = EUR {total} over the "
    "horizon = EUR {sav} a year ({level} CI EUR {lo} to EUR {hi}) Assumes: the effect in the "
    "FIP group holds for every client of the caseload; extra exits spread evenly over the "
    "horizon; returners stay on benefit until the horizon.":
        "Verfijnde besparing ({label}), horizon {h} maanden: {m} maanden uitkering vermeden "
        "per klant (min het {t}, FIP min controle, over de horizon) x (1 - {g}) voor terugkeer "
        "in de uitkering (redenen van uitstroom: {reasons}; terugval x {r}; Divosa-curves) x "
        "{caseload} klanten in de caseload x € {cost} per maand per uitkering: gemiddelde norm "
        "€ {norm} op {date} ({mix}) x {nf} + € {admin}/12 uitvoering x {d} disconteren tegen "
        "{rate} per jaar = € {total} over de horizon = € {sav} per jaar ({level}-interval € "
        "{lo} tot € {hi}). Aannamen: het effect in de FIP-groep geldt voor elke klant van de "
        "caseload; extra uitstroom is gelijk verdeeld over de horizon; wie terugkeert, blijft "
        "tot de horizon in de uitkering.",
    "{r:reason} {pct}": "{r} {pct}",
    "single {a}, single_parent {b}, couple {c}": "alleenstaand {a}, alleenstaande ouder {b}, paar {c}",
    "P(net savings > 0)": "P(netto besparing > 0)",
    "Net result of FIP": "Netto resultaat van FIP",
    "Undecided: the {t} needed to break even ({be}) lies inside the {level} interval of the "
    "effect ({lo} to {hi}).":
        "Onbeslist: het {t} dat nodig is om quitte te spelen ({be}) ligt binnen het "
        "{level}-interval van het effect ({lo} tot {hi}).",
    "FIP pays for itself: the {level} interval of the effect ({lo} to {hi}) lies wholly beyond "
    "the {t} needed to break even ({be}).":
        "FIP verdient zichzelf terug: het {level}-interval van het effect ({lo} tot {hi}) ligt "
        "helemaal voorbij het {t} dat nodig is om quitte te spelen ({be}).",
    "FIP does not pay for itself: the {level} interval of the effect ({lo} to {hi}) lies "
    "wholly short of the {t} needed to break even ({be}).":
        "FIP verdient zichzelf niet terug: het {level}-interval van het effect ({lo} tot {hi}) "
        "blijft helemaal onder het {t} dat nodig is om quitte te spelen ({be}).",
    "Statistic and p-value of net savings and return per euro test net savings = 0 (savings "
    "= cost).":
        "Toetsgrootheid en p-waarde van de netto besparing en het rendement per euro toetsen "
        "netto besparing = 0 (besparing = kosten).",
    "Monte Carlo: effect draws matching its design-based interval":
        "Monte Carlo: trekkingen van het effect passend bij het opzetgebaseerde interval",
    "Monte Carlo: effect draws matching its design-based interval; triangular draws of {list}":
        "Monte Carlo: trekkingen van het effect passend bij het opzetgebaseerde interval; "
        "driehoekige trekkingen van {list}",
    "Savings, Monte Carlo ({kind}, pooled over {units})":
        "Besparing, Monte Carlo ({kind}, samen over {units})",
    "crude": "ruw", "refined": "verfijnd",
    "crude: {unit}": "ruw: {unit}", "refined: {unit}": "verfijnd: {unit}",
    "effect (CI bounds)": "effect (grenzen van het interval)",
    "Standard error (formula)": "Standaardfout (formule)",
    "Formula interval from": "Formule-interval van", "Formula interval to": "Formule-interval tot",
    "p_value: twice the smaller share of draws on either side of zero. Analytic columns: exact "
    "for the effect (linear), first-order delta method for the inputs.":
        "p-waarde: tweemaal het kleinste aandeel trekkingen aan een van beide kanten van nul. "
        "Formulekolommen: exact voor het effect (lineair), eersteorde-deltamethode voor de "
        "invoer.",
    "savings per year (EUR)": "besparing per jaar (euro)",
    "Savings per year with intervals": "Besparing per jaar met intervallen",
    "Savings per year with intervals, pooled over {n} municipalities (each municipality in the "
    "table)": "Besparing per jaar met intervallen, samen over {n} gemeenten (elke gemeente in "
               "de tabel)",
    "cost of FIP": "kosten van FIP", "net savings per year (EUR)": "netto besparing per jaar (euro)",
    "Net savings per year (refined, pooled): sensitivity":
        "Netto besparing per jaar (verfijnd, samen): gevoeligheid",
    "at low value": "bij lage waarde", "at high value": "bij hoge waarde",
    "no interval": "geen interval",
    "Benefits ended extra per year": "Extra beëindigde uitkeringen per jaar",
    "Cost per benefit per year": "Kosten per uitkering per jaar", "Savings per year": "Besparing per jaar",
    "Months avoided per client": "Vermeden maanden per klant",
    "Cost per benefit per month": "Kosten per uitkering per maand",
    "Share lost to returns to benefit": "Aandeel verloren door terugkeer in de uitkering",
    "Discount factor": "Disconteringsfactor", "Savings over the horizon": "Besparing over de horizon",
    "Net savings per year": "Netto besparing per jaar", "Return per euro": "Rendement per euro",
    "terminations per client": "beëindigingen per klant", "benefits": "uitkeringen",
    "EUR per year": "euro per jaar", "months on benefit per client": "maanden in de uitkering per klant",
    "EUR per month": "euro per maand", "share of avoided months": "aandeel van de vermeden maanden",
    "factor": "factor", "EUR (present value)": "euro (contante waarde)",
    "EUR saved per EUR spent": "euro bespaard per uitgegeven euro",
}

NOTES = {
    "Method notes and caveats": "Methode en kanttekeningen",
    "Clients are grouped by caseworker and FIP was given by caseworker, so outcomes of clients "
    "of one caseworker are correlated. With only a few FIP caseworkers, a difference can look "
    "significant in a test that treats clients as independent and still be within what "
    "differences between caseworkers produce by chance. Every interval and p-value in this "
    "report therefore comes from the design (see 'How uncertainty is computed'); none treats "
    "clients as independent.":
        "Klanten zijn gegroepeerd per klantmanager en FIP is per klantmanager gegeven, dus de "
        "uitkomsten van klanten van één klantmanager hangen samen. Met maar een paar "
        "FIP-klantmanagers kan een verschil significant lijken in een toets die klanten als "
        "onafhankelijk behandelt, en toch binnen blijven wat verschillen tussen klantmanagers "
        "bij toeval opleveren. Elk interval en elke p-waarde in dit rapport komt daarom uit de "
        "opzet (zie 'Hoe de onzekerheid is berekend'); geen enkele behandelt klanten als "
        "onafhankelijk.",
    "The cohort was already on benefit at the start (at least {m} months): duration models "
    "use delayed entry.":
        "Het cohort had bij de start al een uitkering (minstens {m} maanden): duurmodellen "
        "gebruiken late instap.",
    "Disclosure control: counts under {n} people shown as '<{m}', with the figures derived "
    "from them, in the report and in estimates.json; complementary suppression against "
    "published totals. No client identifiers appear in this report.":
        "Statistische geheimhouding: aantallen onder {n} personen staan als '<{m}', met de "
        "cijfers die ervan zijn afgeleid, in het rapport en in estimates.json; aanvullende "
        "afscherming tegen gepubliceerde totalen. Er staan geen klantnummers in dit rapport.",
    "NOT FOR PUBLICATION: this report was made with --no-suppression and shows counts of every "
    "size. No client identifiers appear in it.":
        "NIET VOOR PUBLICATIE: dit rapport is gemaakt met --no-suppression en toont aantallen "
        "van elke grootte. Er staan geen klantnummers in.",
    "fipeval {v}; seed {s}; extract date {d}.": "fipeval {v}; startgetal {s}; peildatum {d}.",
}

# benefit types (issue 21): the benefit named in the title and the costing
BENEFITS = {
    "FIP evaluation, {b}: {name}": "FIP-evaluatie, {b}: {name}",
    "social assistance (bijstand)": "bijstand (Participatiewet)",
    "unemployment benefit (WW)": "werkloosheidsuitkering (WW)",
    "disability insurance (AOV)": "arbeidsongeschiktheidsverzekering (AOV)",
    "Benefit: {b}. Who saves: {payer}.": "Uitkering: {b}. Wie bespaart: {payer}.",
    "the municipality: bijstand (Participatiewet) is paid from the municipality's budget for "
    "benefits (BUIG, from the national government)":
        "de gemeente: bijstand (Participatiewet) wordt betaald uit het gemeentelijke budget "
        "voor uitkeringen (BUIG, van het Rijk)",
    "UWV, from the unemployment insurance funds (financed by employers' premiums): the "
    "municipality saves nothing unless the client would have moved on to bijstand":
        "UWV, uit de werkloosheidsfondsen (gefinancierd met premies van werkgevers): de "
        "gemeente bespaart niets, tenzij de klant anders in de bijstand was gekomen",
    "the insurer that holds the self-employed person's policy (financed by the "
    "policyholders' premiums): neither UWV nor the municipality pays an AOV benefit":
        "de verzekeraar bij wie de zelfstandige verzekerd is (gefinancierd met de premies van "
        "de verzekerden): UWV noch de gemeente betaalt een AOV-uitkering",
    "A month of benefit is priced at the monthly {c} benefit: {source}.":
        "Een maand uitkering is geprijsd tegen de maandelijkse {c}-uitkering: {source}.",
    "Monthly benefit amount": "Uitkeringsbedrag per maand",
    "Monthly benefit": "Maandelijkse uitkering", "monthly benefit": "maandelijkse uitkering",
    "monthly benefit amount": "uitkeringsbedrag per maand",
    "multiplier on the monthly benefit": "factor op de maandelijkse uitkering",
    "EUR per benefit per month": "euro per uitkering per maand",
    "The benefit is {b}. The pilot's kind of extrapolation (extra terminations x whole "
    "caseload x a year of benefit) beside a refined version (months of benefit actually "
    "avoided, priced at the monthly {c} benefit, return to benefit after exit, discounting), "
    "the cost of the FIP talks, and the net result. Intervals carry the effects' design-based "
    "uncertainty (the same effects and intervals as the effects section) and the inputs' "
    "ranges. Every input is listed with its source.":
        "De uitkering is {b}. De extrapolatie zoals de pilot die maakte (extra beëindigingen x "
        "de hele caseload x een jaar uitkering) naast een verfijnde versie (werkelijk vermeden "
        "maanden uitkering, geprijsd tegen de maandelijkse {c}-uitkering, terugkeer in de "
        "uitkering na uitstroom, disconteren), de kosten van de FIP-gesprekken en het netto "
        "resultaat. De intervallen dragen de opzetgebaseerde onzekerheid van de effecten (dezelfde "
        "effecten en intervallen als in het hoofdstuk over de effecten) en de bandbreedtes van de "
        "invoer. Elke invoer staat erbij met zijn bron.",
    "Refined: months avoided (RMST difference over the follow-up) x the monthly {c} benefit + "
    "administration, net of returns to benefit, discounted; per year = over the horizon x 12 "
    "/ horizon.":
        "Verfijnd: vermeden maanden (RMST-verschil over de volgperiode) x de maandelijkse "
        "{c}-uitkering + uitvoering, minus terugkeer in de uitkering, gedisconteerd; per jaar = "
        "over de horizon x 12 / horizon.",
}

# the refined arithmetic of a WW or AOV costing: the bijstand one with the monthly benefit
# in place of the norm
BENEFITS.update({english.replace("mean norm EUR {norm} on {date} ({mix}) x {nf}",
                                  "monthly {c} benefit EUR {norm} x {nf}"):
                 dutch.replace("gemiddelde norm € {norm} op {date} ({mix}) x {nf}",
                               "maandelijkse {c}-uitkering € {norm} x {nf}")
                 for english, dutch in COSTING.items()
                 if "mean norm EUR {norm} on {date} ({mix}) x {nf}" in english})

# the six FIP life domains (leefgebieden): labels, the effects chapter's paragraph and table
DOMAINS = {
    "Moved up on a life domain": "Vooruit op een leefgebied",
    "moved up on a life domain": "vooruit op een leefgebied",
    "Moved up: relationship": "Vooruit: relatie", "moved up: relationship": "vooruit: relatie",
    "Moved up: finances": "Vooruit: financiën", "moved up: finances": "vooruit: financiën",
    "Moved up: health": "Vooruit: gezondheid", "moved up: health": "vooruit: gezondheid",
    "Moved up: housing": "Vooruit: wonen", "moved up: housing": "vooruit: wonen",
    "Moved up: family": "Vooruit: gezin", "moved up: family": "vooruit: gezin",
    "Moved up: work and education": "Vooruit: werk en opleiding",
    "moved up: work and education": "vooruit: werk en opleiding",
    "FIP: share": "FIP: aandeel", "Control: share": "Controle: aandeel",
    "Life domains: FIP's intake maps six life domains (relationship, finances, health, "
    "housing, family, work and education) and its talks aim at movement on any of them. A "
    "client moved up on a domain when the closing assessment (the last in the last three "
    "months of follow-up) scores it higher than the opening one (the first in the first three "
    "months). FIP clients are assessed every three months and controls less often, so only "
    "these two assessments are compared, in both groups: counting every rise would reward "
    "looking more often. Clients who left the benefit before the closing assessment have no "
    "score; the shares below are among the clients with both assessments, and the "
    "differences with their intervals are in the table above.":
        "Leefgebieden: het intakegesprek van FIP brengt zes leefgebieden in beeld (relatie, "
        "financiën, gezondheid, wonen, gezin, werk en opleiding) en de gesprekken daarna "
        "richten zich op beweging op elk ervan. Een klant ging op een leefgebied vooruit als "
        "de afsluitende meting (de laatste in de laatste drie maanden van de volgtijd) het "
        "hoger scoort dan de eerste meting (de eerste in de eerste drie maanden). FIP-klanten "
        "worden elke drie maanden gemeten en controleklanten minder vaak, dus alleen deze twee "
        "metingen worden vergeleken, in beide groepen: elke stijging tellen zou vaker kijken "
        "belonen. Klanten die vóór de afsluitende meting uit de uitkering gingen, hebben geen "
        "score; de aandelen hieronder gaan over de klanten met beide metingen, en de "
        "verschillen met hun intervallen staan in de tabel hierboven.",
    "Movement on the life domains: shares moving up":
        "Beweging op de leefgebieden: aandelen die vooruitgingen",
    "Shares among the clients with an opening and a closing assessment; a share resting on "
    "fewer clients than the disclosure threshold is not shown.":
        "Aandelen onder de klanten met een eerste en een afsluitende meting; een aandeel dat op "
        "minder klanten rust dan de geheimhoudingsgrens wordt niet getoond.",
    "Movement on the life domains compares each client's opening and closing assessment (the "
    "first in the first three months of follow-up, the last in the last three), among the "
    "clients who have both; the domains are a family of their own for the Holm / BH "
    "adjustment.":
        "Beweging op de leefgebieden vergelijkt de eerste en de afsluitende meting van elke "
        "klant (de eerste in de eerste drie maanden van de volgtijd, de laatste in de laatste "
        "drie), onder de klanten die beide hebben; voor de Holm-/BH-correctie vormen de "
        "leefgebieden een eigen groep uitkomsten.",
}

# per-protocol sensitivity paragraph of the effects section (issue 21)
PER_PROTOCOL = {
    "Sensitivity analysis, not randomised: {f} of the FIP clients and {c} of the control "
    "clients stayed with their caseworker of the start through follow-up. Among those who "
    "stayed, the share of benefits ended differs by {pp} (FIP minus control; all clients as "
    "assigned: {itt}). Who is moved to another caseworker is not decided by lot, so this "
    "per-protocol difference can be biased; the effects above (intention to treat: every "
    "client in the group of their caseworker at the start) are the ones to read.":
        "Gevoeligheidsanalyse, niet gerandomiseerd: {f} van de FIP-klanten en {c} van de "
        "controleklanten bleven de hele follow-up bij hun klantmanager van de start. Bij wie "
        "bleef, verschilt het aandeel beëindigde uitkeringen {pp} (FIP min controle; alle "
        "klanten zoals toegewezen: {itt}). Wie naar een andere klantmanager gaat, wordt niet "
        "door loting bepaald, dus dit verschil volgens protocol kan vertekend zijn; de "
        "effecten hierboven (intention to treat: elke klant in de groep van de klantmanager "
        "bij de start) zijn de effecten om te lezen.",
}

CATALOG = {**COMMON, **DATA, **GROUPS, **INFERENCE, **FIDELITY, **BALANCE, **TERMINATIONS,
           **EFFECTS, **SURVIVAL, **DID, **COSTING, **NOTES, **BENEFITS, **DOMAINS,
           **PER_PROTOCOL}
