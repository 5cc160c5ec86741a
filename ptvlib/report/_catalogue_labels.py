"""Short texts of the pages in bokmål and English (part of the text catalogue).

Headings, column headers (with their unit), design and verdict labels,
figure labels, banner and footer sentences. Fields such as ``{year}`` are
filled with escaped values by the page code.
"""

from __future__ import annotations

from ptvlib.assessment.design_labels import DESIGNS as ASSESSMENT_DESIGNS
from ptvlib.basics.config import OFFENCE_GROUP_LABELS

_L = dict[str, dict[str, str]]

REPORT: _L = {
    "report.title": {
        "nb": "Effekt av politisatsingen i utsatte områder i Oslo",
        "en": "Effect of the police effort in vulnerable areas in Oslo",
    },
    "report.subtitle": {"nb": "Vurdering for {year}", "en": "Assessment for {year}"},
    "report.question": {
        "nb": "Går målrettede midler til Oslo politidistrikt sammen med mindre kriminalitet og flere "
        "straffesaker, beslag og inndragninger, slik Politiets trusselvurdering 2021 sier? Tallene er "
        "offentlige data; konklusjonen kan være «uavklart».",
        "en": "Does targeted funding of Oslo police district go with less crime and more prosecutions, "
        "seizures and confiscations, as the police threat assessment 2021 says? The numbers are public "
        "data; the verdict can be 'inconclusive'.",
    },
    "report.answer_heading": {"nb": "Svaret i korte trekk", "en": "The answer in brief"},
    "report.conclusions": {"nb": "Konklusjon per utfall", "en": "Verdict per outcome"},
    "report.analyses": {"nb": "Sidene i rapporten", "en": "The pages of the report"},
    "report.numbers": {"nb": "Tall fra hver side", "en": "Numbers from each page"},
    "report.caveats": {"nb": "Forbehold", "en": "Caveats"},
    "report.params": {"nb": "Innstillinger for kjøringen", "en": "Settings of the run"},
    "report.pdf": {"nb": "Hele rapporten som PDF", "en": "The whole report as PDF"},
    "report.page": {"nb": "Side", "en": "Page"},
    "report.status": {"nb": "Status", "en": "Status"},
    "report.seconds": {"nb": "Kjøretid (s)", "en": "Run time (s)"},
    "report.status_ok": {"nb": "fullført", "en": "completed"},
    "report.status_failed": {
        "nb": "feilet i celle {cell}: {error}",
        "en": "failed in cell {cell}: {error}",
    },
    "report.not_run": {"nb": "ikke kjørt", "en": "not run"},
    "report.failed_banner": {
        "nb": "{n} av sidene feilet – se markeringen under. De andre sidene er komplette.",
        "en": "{n} of the pages failed – see below. The other pages are complete.",
    },
    "report.no_conclusions": {
        "nb": "Oppsummeringen (side 5) ga ingen konklusjoner i denne kjøringen.",
        "en": "The summary (page 5) gave no verdicts in this run.",
    },
    "report.generated": {
        "nb": "Laget {when} med ptv-analyse {version}.",
        "en": "Generated {when} with ptv-analyse {version}.",
    },
    "report.source": {
        "nb": "Kilde: Statistisk sentralbyrå (tabell 08487, 07459 m.fl., CC BY 4.0 / NLOD 2.0) og "
        "offentlige nettsider; hver tabell og hvert tall med kilde er beskrevet i datakatalogen "
        "(kommandoen «ptv data info»).",
        "en": "Source: Statistics Norway (tables 08487, 07459 and others, CC BY 4.0 / NLOD 2.0) and "
        "public web pages; every table and sourced figure is described in the data catalogue "
        "(the command 'ptv data info').",
    },
    "report.calibration": {"nb": "Kalibrering", "en": "Calibration"},
}

PAGES: _L = {
    "page.01_data_overview": {"nb": "1 Datagrunnlag", "en": "1 Data overview"},
    "page.02_crime_trends": {"nb": "2 Kriminalitetsutvikling", "en": "2 Crime trends"},
    "page.03_funding_effect": {"nb": "3 Effekt av satsingen", "en": "3 Effect of the funding"},
    "page.04_enforcement_outcomes": {
        "nb": "4 Straffesaker, beslag og inndragning",
        "en": "4 Criminal cases, seizures and confiscations",
    },
    "page.05_assessment_summary": {"nb": "5 Oppsummering", "en": "5 Summary"},
    "nav.back": {"nb": "← Til oversikten", "en": "← Back to the overview"},
    "page.caveats": {"nb": "Forbehold", "en": "Caveats"},
    "page.warnings": {"nb": "Varsler under beregningen", "en": "Warnings during the computation"},
    "page.warning": {"nb": "Varsel", "en": "Warning"},
    "page.technical": {
        "nb": "Tekniske meldinger fra programvaren ({n}, originaltekst)",
        "en": "Technical messages from the software ({n}, original text)",
    },
    "page.footer": {
        "nb": "Laget {when} med ptv-analyse {version} for vurderingsåret {year}.",
        "en": "Generated {when} with ptv-analyse {version} for the assessment year {year}.",
    },
    "page.table_rows": {"nb": "{caption} – {n} rader", "en": "{caption} – {n} rows"},
    "page.show_table": {"nb": "Tabell", "en": "Table"},
    "report.synthetic": {
        "nb": "SYNTETISKE DATA / SYNTHETIC DATA: de egne dataene i denne rapporten er simulert og "
        "viser bare hvordan analysen virker; bydelskonklusjonene sier ingenting om Oslo.",
        "en": "SYNTETISKE DATA / SYNTHETIC DATA: the own data in this report are simulated and only "
        "show how the analysis works; the bydel verdicts say nothing about Oslo.",
    },
    "page.synthetic": {
        "nb": "SYNTETISKE DATA / SYNTHETIC DATA: de egne dataene på denne siden er simulert og viser "
        "bare hvordan analysen virker.",
        "en": "SYNTETISKE DATA / SYNTHETIC DATA: the own data on this page are simulated and only show "
        "how the analysis works.",
    },
}

PDF: _L = {
    "pdf.footer": {
        "nb": "Politisatsingen i utsatte områder i Oslo · Data: {sources} · Laget {date}",
        "en": "Police effort in vulnerable areas in Oslo · Data: {sources} · Generated {date}",
    },
    "pdf.embedded": {
        "nb": "innebygd uttrekk, dataversjon {version}",
        "en": "embedded snapshot, data version {version}",
    },
    "pdf.live": {"nb": "{table} hentet fra SSB", "en": "{table} fetched from Statistics Norway"},
    "pdf.cache": {
        "nb": "{table}: eldre kopi (SSB svarte ikke)",
        "en": "{table}: earlier copy (Statistics Norway did not respond)",
    },
    "pdf.fallback": {
        "nb": "{table}: innebygd uttrekk (SSB svarte ikke)",
        "en": "{table}: embedded snapshot (Statistics Norway did not respond)",
    },
    "pdf.own": {"nb": "egne data ({file})", "en": "own data ({file})"},
    "pdf.own_synthetic": {
        "nb": "egne data ({file}, syntetiske)",
        "en": "own data ({file}, synthetic)",
    },
}

BANNER: _L = {
    "banner.title": {"nb": "Datagrunnlag", "en": "Data used"},
    "banner.embedded": {
        "nb": "Innebygd datauttrekk i ptv-analyse (dataversjon {version}){tables}",
        "en": "Embedded data snapshot in ptv-analyse (data version {version}){tables}",
    },
    "banner.live": {
        "nb": "{table}: hentet fra {source} {when}",
        "en": "{table}: fetched from {source} {when}",
    },
    "banner.fallback": {
        "nb": "{table}: kilden svarte ikke – det innebygde uttrekket er brukt i stedet ({detail})",
        "en": "{table}: the source did not respond – the embedded snapshot was used instead ({detail})",
    },
    "banner.cache": {
        "nb": "{table}: siste gode kopi fra {when} (kilden svarte ikke)",
        "en": "{table}: last good copy from {when} (the source did not respond)",
    },
    "banner.own": {"nb": "Egne data: filen {file}", "en": "Own data: the file {file}"},
    "banner.own_synthetic": {
        "nb": "Egne data: filen {file} – {label}: simulert, sier ingenting om Oslo",
        "en": "Own data: the file {file} – {label}: simulated, says nothing about Oslo",
    },
    "banner.offline": {"nb": " – uten nettilgang", "en": " – offline"},
    "banner.mode.embedded": {
        "nb": "Kildevalg: innebygd uttrekk",
        "en": "Source setting: embedded snapshot",
    },
    "banner.mode.auto": {
        "nb": "Kildevalg: SSB der nettet tillater det, ellers innebygd uttrekk",
        "en": "Source setting: Statistics Norway where the network allows, else the embedded snapshot",
    },
    "banner.mode.ssb": {"nb": "Kildevalg: SSB", "en": "Source setting: Statistics Norway"},
    "banner.ssb": {"nb": "Statistisk sentralbyrå", "en": "Statistics Norway"},
}

DESIGNS: _L = {
    "design.synth": {"nb": "Syntetisk kontroll", "en": "Synthetic control"},
    "design.did_poisson": {
        "nb": "Forskjell-i-forskjeller (Poisson)",
        "en": "Difference-in-differences (Poisson)",
    },
    "design.did_ols": {
        "nb": "Forskjell-i-forskjeller (rater, wild bootstrap)",
        "en": "Difference-in-differences (rates, wild bootstrap)",
    },
    "design.its": {
        "nb": "Avbrutt tidsserie (nivåendring ved start)",
        "en": "Interrupted time series (level change at the start)",
    },
    "design.its_comparative": {
        "nb": "Avbrutt tidsserie mot resten av landet",
        "en": "Interrupted time series against the rest of Norway",
    },
    "design.own_did": {
        "nb": "Forskjell-i-forskjeller (egne data)",
        "en": "Difference-in-differences (own data)",
    },
    "design.own_its": {
        "nb": "Avbrutt tidsserie (egne data)",
        "en": "Interrupted time series (own data)",
    },
    "design.combined": {"nb": "Samlet", "en": "Combined"},
    # The calibrated designs (and any other the assessment names) under the assessment's own
    # labels, so the pages never fall back to a design's code name.
    **{
        f"design.{key}": {"nb": ASSESSMENT_DESIGNS["nb"][key], "en": ASSESSMENT_DESIGNS["en"][key]}
        for key in ("sdid", "ascm", "did")
    },
    "p_kind.placebo": {"nb": "placebo-p", "en": "placebo p"},
    "p_kind.holm": {"nb": "Holm-justert p", "en": "Holm-adjusted p"},
    "p_kind.permutation": {"nb": "permutasjons-p", "en": "permutation p"},
    "p_kind.randomization": {"nb": "randomiserings-p", "en": "randomization p"},
    "p_kind.bootstrap": {"nb": "bootstrap-p", "en": "bootstrap p"},
    "p_kind.model": {"nb": "modell-p", "en": "model p"},
}

VERDICTS: _L = {
    "verdict.decrease": {"nb": "nedgang", "en": "decrease"},
    "verdict.increase": {"nb": "økning", "en": "increase"},
    "verdict.inconclusive": {"nb": "uavklart", "en": "inconclusive"},
    "verdict.weak_decrease": {"nb": "svak indikasjon på nedgang", "en": "weak sign of a decrease"},
    "verdict.weak_increase": {"nb": "svak indikasjon på økning", "en": "weak sign of an increase"},
    "verdict.conflicting": {"nb": "motstridende", "en": "conflicting"},
    "counts.yes": {"nb": "teller med", "en": "counts"},
    "counts.no": {"nb": "teller ikke", "en": "does not count"},
    "why_not.pretrend": {
        "nb": "trendene før start var ikke parallelle ({p}), så forskjellen etter start kan ikke leses "
        "som en effekt",
        "en": "trends were not parallel before the start ({p}), so the post-start contrast cannot be "
        "read as an effect",
    },
    "family.harm": {"nb": "skadeutfall", "en": "harm outcome"},
    "family.activity": {"nb": "aktivitetsutfall", "en": "activity outcome"},
    "family.other": {"nb": "samlet mål", "en": "overall measure"},
    "yes": {"nb": "ja", "en": "yes"},
    "no": {"nb": "nei", "en": "no"},
    "approx": {"nb": "ca.", "en": "approx."},
}

#: Offence-group names (SSB's own names in each language).
GROUPS: _L = {
    f"group.{g}": {"nb": OFFENCE_GROUP_LABELS["nb"][g], "en": OFFENCE_GROUP_LABELS["en"][g]}
    for g in OFFENCE_GROUP_LABELS["nb"]
}

SENTENCES: _L = {
    "outcome.line": {
        "nb": "{outcome}: {verdict} etter {start}.",
        "en": "{outcome}: {verdict} after {start}.",
    },
    "outcome.counted": {
        "nb": "{k} av {n} design teller med.",
        "en": "{k} of {n} designs count.",
    },
    "fig.why_not": {"nb": "Teller ikke: {why}.", "en": "Does not count: {why}."},
    "outcome.none_signed": {
        "nb": "Ingen av dem skiller en endring fra vanlig variasjon.",
        "en": "None of them tells a change apart from ordinary variation.",
    },
    "outcome.signed": {
        "nb": "{designs} peker mot {direction}; de andre er uavklart.",
        "en": "{designs} points to a {direction}; the others are inconclusive.",
    },
    "outcome.signed_many": {
        "nb": "{designs} peker mot {direction}; de andre er uavklart.",
        "en": "{designs} point to a {direction}; the others are inconclusive.",
    },
    "outcome.signed_all": {
        "nb": "Alle peker mot {direction}.",
        "en": "All point to a {direction}.",
    },
    "outcome.excluded": {
        "nb": "{design} teller ikke: {why}.",
        "en": "{design} does not count: {why}.",
    },
    "outcome.excluded_many": {
        "nb": "{design} teller ikke: {why}.",
        "en": "{design} do not count: {why}.",
    },
    "outcome.mde": {
        "nb": "Minste effekt designene kunne oppdaget: {mde}.",
        "en": "Smallest effect the designs could have detected: {mde}.",
    },
    "activity.decrease": {
        "nb": "{outcomes} måler også politiets aktivitet: færre anmeldelser kan bety mindre kontroll, "
        "ikke mindre kriminalitet.",
        "en": "{outcomes} also measure police activity: fewer reports can mean less enforcement, not "
        "less crime.",
    },
    "activity.increase": {
        "nb": "{outcomes} måler også politiets aktivitet: flere anmeldelser kan bety mer kontroll, "
        "ikke mer kriminalitet.",
        "en": "{outcomes} also measure police activity: more reports can mean more enforcement, not "
        "more crime.",
    },
    "activity.inconclusive": {
        "nb": "{outcomes} måler også politiets aktivitet: endringer i anmeldelsene kan speile endret "
        "kontroll like mye som endret kriminalitet.",
        "en": "{outcomes} also measure police activity: changes in reports can reflect changed "
        "enforcement as much as changed crime.",
    },
    "caveat.municipal": {
        "nb": "Offentlige data er på kommunenivå: en effekt i de utsatte områdene kan være utvannet i "
        "tallet for hele Oslo.",
        "en": "Public data are municipal: an effect in the vulnerable areas may be diluted in the figure "
        "for all of Oslo.",
    },
    "caveat.two_year": {
        "nb": "SSB 08487 gir toårige gjennomsnitt: periodene overlapper, og prikkede celler er "
        "manglende, ikke null.",
        "en": "Statistics Norway's table 08487 gives two-year averages: periods overlap, and suppressed "
        "cells are missing, not zero.",
    },
    "caveat.descriptive": {
        "nb": "Beskrivende tall – ingen årsakspåstand.",
        "en": "Descriptive figures – no causal claim.",
    },
    "caveat.other_measures": {
        "nb": "Andre tiltak (gjengpakker 2019, 2021, 2024–25) er nasjonale og faller sammen i tid med "
        "satsingen.",
        "en": "Other measures (gang packages 2019, 2021, 2024–25) are national and coincide in time "
        "with the effort.",
    },
    "caveat.inconclusive_meaning": {
        "nb": "«Uavklart» betyr at dataene ikke kan skille en effekt fra vanlig variasjon – ikke at "
        "satsingen ikke virket.",
        "en": "'Inconclusive' means the data cannot tell an effect apart from ordinary variation – "
        "not that the effort did not work.",
    },
    "caveat.keyfigures": {
        "nb": "Håndhevingstall i offentlige kilder er spredte punkter; ingen effekt anslås fra dem.",
        "en": "Public enforcement figures are scattered points; no effect is estimated from them.",
    },
    "caveat.synthetic": {
        "nb": "De egne dataene er syntetiske (simulert): tallene sier ingenting om Oslo.",
        "en": "The own data are synthetic (simulated): the numbers say nothing about Oslo.",
    },
    "lead.all_inconclusive": {
        "nb": "Offentlige data til og med {period} viser ingen klar endring i anmeldt kriminalitet i "
        "{region} etter at satsingen startet i {start}: resultatet er uavklart for alle {n} "
        "kriminalitetsmålene.",
        "en": "Public data up to {period} show no clear change in reported crime in {region} after the "
        "effort started in {start}: the result is inconclusive for all {n} crime measures.",
    },
    "lead.some_inconclusive": {
        "nb": "Offentlige data til og med {period} viser ingen klar endring i anmeldt kriminalitet i "
        "{region} etter at satsingen startet i {start}: for {k} av {n} kriminalitetsmål er "
        "resultatet uavklart.",
        "en": "Public data up to {period} show no clear change in reported crime in {region} after the "
        "effort started in {start}: for {k} of {n} crime measures the result is inconclusive.",
    },
    "lead.none_inconclusive": {
        "nb": "Offentlige data til og med {period} viser endringer i anmeldt kriminalitet i {region} "
        "etter at satsingen startet i {start} for alle {n} kriminalitetsmålene.",
        "en": "Public data up to {period} show changes in reported crime in {region} after the effort "
        "started in {start} for all {n} crime measures.",
    },
    "lead.signed": {
        "nb": "{outcome} viser {verdict}",
        "en": "for {outcome_lower} there is a {verdict}",
    },
    "lead.signed_activity": {
        "nb": "{outcome} viser {verdict}, men er et mål på politiets aktivitet: {why}",
        "en": "for {outcome_lower} there is a {verdict}, but this outcome measures police "
        "activity: {why}",
    },
    "lead.why.decrease": {
        "nb": "færre anmeldelser kan også bety mindre kontroll",
        "en": "fewer reports can also mean less enforcement",
    },
    "lead.why.increase": {
        "nb": "flere anmeldelser kan også bety mer kontroll",
        "en": "more reports can also mean more enforcement",
    },
    "lead.why.conflicting": {
        "nb": "designene peker i ulike retninger",
        "en": "the designs point in different directions",
    },
    "lead.no_signal": {
        "nb": "Ingen av designene på kommunenivå skiller en effekt fra vanlig variasjon.",
        "en": "None of the municipal-level designs tells an effect apart from ordinary variation.",
    },
    "lead.power_fallback": {
        "nb": "Tallene gjelder hele {region}, og pengene er en liten del av politidistriktets budsjett, "
        "så en effekt som bare gjelder de utsatte områdene kan være for liten til å synes; politiets "
        "egne tall per bydel trengs for å svare sikkert.",
        "en": "The figures cover all of {region}, and the money is a small part of the police "
        "district's budget, so an effect limited to the vulnerable areas may be too small to show; "
        "the police's own figures by city district are needed for a firm answer.",
    },
    "lead.failed": {
        "nb": "Konklusjonen mangler fordi oppsummeringen (side 5) feilet i denne kjøringen.",
        "en": "The verdict is missing because the summary (page 5) failed in this run.",
    },
    "list.and": {"nb": " og ", "en": " and "},
    "01.level": {
        "nb": "{region} hadde {count} anmeldte lovbrudd per år i {period} ({change} fra {pre}). "
        "{n} kommuner har en total for {period}.",
        "en": "{region} had {count} reported offences per year in {period} ({change} since {pre}). "
        "{n} municipalities have a total for {period}.",
    },
    "02.summary": {
        "nb": "{region} mot de store byene i {period}",
        "en": "{region} against the large cities in {period}",
    },
    "03.weights": {
        "nb": "Vektene i den syntetiske kontrollen",
        "en": "Weights of the synthetic control",
    },
    "03.fit": {
        "nb": "tilpasning før start: RMSPE {rmspe} ({share} av nivået)",
        "en": "pre-start fit: RMSPE {rmspe} ({share} of the level)",
    },
    "03.fit_log": {
        "nb": "tilpasning før start (nivåjustert, på log-rater): RMSPE {rmspe}, det vil si om lag "
        "{share} av raten; {k} kommuner med vekt over 1 % og {n} perioder før start",
        "en": "pre-start fit (level-adjusted, on log rates): RMSPE {rmspe}, about {share} of the "
        "rate; {k} municipalities with a weight above 1% and {n} periods before the start",
    },
    "03.fit_interpolates": {
        "nb": "Så mange vektede kommuner som perioder før start gir nesten perfekt tilpasning "
        "(interpolasjon): tilpasningen er ikke et bevis i seg selv, p-verdien kommer fra placebo-testen.",
        "en": "As many weighted municipalities as pre-start periods give a near-perfect fit "
        "(interpolation): the fit is no evidence in itself; the p-value comes from the placebo test.",
    },
    "03.permutation": {
        "nb": "Permutasjonstest av forskjell-i-forskjeller ({k} sammenligningsbyer som «behandlet» etter "
        "tur): {p}. Lineær test av parallelle trender før start: {pt}.",
        "en": "Permutation test of the difference-in-differences ({k} comparison cities as 'treated' in "
        "turn): {p}. Linear test of parallel pre-start trends: {pt}.",
    },
    "03.design_bullet": {"nb": "{design}: {effect}", "en": "{design}: {effect}"},
    "03.errors": {
        "nb": "{outcome}: {design} kunne ikke kjøres – {error}",
        "en": "{outcome}: {design} could not run – {error}",
    },
    "effect.ratio": {
        "nb": "{pct} (rateforhold {est})",
        "en": "{pct} (rate ratio {est})",
    },
    "effect.difference": {"nb": "{est} {unit}", "en": "{est} {unit}"},
    "effect.interval": {"nb": "95 %-intervall {lo} til {hi}", "en": "95% interval {lo} to {hi}"},
    "effect.direction.decrease": {"nb": "peker mot nedgang", "en": "points to a decrease"},
    "effect.direction.increase": {"nb": "peker mot økning", "en": "points to an increase"},
    "effect.direction.inconclusive": {"nb": "uavklart", "en": "inconclusive"},
}

#: Column headers, with the unit where the column has one.
COLUMNS: _L = {
    "col.outcome": {"nb": "Utfall", "en": "Outcome"},
    "col.design": {"nb": "Design", "en": "Design"},
    "col.measure": {"nb": "Mål", "en": "Measure"},
    "col.value": {"nb": "Verdi", "en": "Value"},
    "col.estimate": {"nb": "Anslag", "en": "Estimate"},
    "col.interval": {"nb": "95 %-intervall", "en": "95% interval"},
    "col.p": {"nb": "p-verdi", "en": "p-value"},
    "col.p_kind": {"nb": "Type p-verdi", "en": "Kind of p-value"},
    "col.p_rank": {"nb": "p (placebo/permutasjon)", "en": "p (placebo/permutation)"},
    "col.p_holm": {"nb": "p-verdi, Holm-justert", "en": "p-value, Holm-adjusted"},
    "col.direction": {"nb": "Retning", "en": "Direction"},
    "col.verdict": {"nb": "Konklusjon", "en": "Verdict"},
    "col.counts": {"nb": "Teller med", "en": "Counts"},
    "col.mde": {"nb": "Minste påviselige effekt", "en": "Minimum detectable effect"},
    "col.family": {"nb": "Type utfall", "en": "Kind of outcome"},
    "col.n": {"nb": "Observasjoner", "en": "Observations"},
    "col.dataset": {"nb": "Datasett", "en": "Dataset"},
    "col.rows": {"nb": "Rader", "en": "Rows"},
    "col.from": {"nb": "Fra år", "en": "From year"},
    "col.to": {"nb": "Til år", "en": "To year"},
    "col.ssb_table": {"nb": "SSB-tabell", "en": "Statistics Norway table"},
    "col.description": {"nb": "Innhold", "en": "Content"},
    "col.status": {"nb": "Status i kilden", "en": "Status in the source"},
    "col.cells": {"nb": "Celler", "en": "Cells"},
    "col.meaning": {"nb": "Betydning", "en": "Meaning"},
    "col.extract_a": {"nb": "Uttrekk", "en": "Extract"},
    "col.extract_b": {"nb": "Sammenlignet med", "en": "Compared with"},
    "col.overlap": {"nb": "Overlappende celler", "en": "Overlapping cells"},
    "col.diff_mean": {"nb": "Snitt (%)", "en": "Mean (%)"},
    "col.diff_median": {"nb": "Median (%)", "en": "Median (%)"},
    "col.diff_p99": {"nb": "99-persentil (%)", "en": "99th percentile (%)"},
    "col.diff_max": {"nb": "Største (%)", "en": "Largest (%)"},
    "col.rank": {"nb": "Rang", "en": "Rank"},
    "col.municipality": {"nb": "Kommune", "en": "Municipality"},
    "col.count_per_year": {"nb": "Lovbrudd per år", "en": "Offences per year"},
    "col.population": {"nb": "Innbyggere", "en": "Inhabitants"},
    "col.raw_rate": {"nb": "Rate per 1\u00a0000", "en": "Rate per 1,000"},
    "col.shrunk_rate": {"nb": "Krympet rate per 1\u00a0000", "en": "Shrunk rate per 1,000"},
    "col.weight_data": {
        "nb": "Vekt på kommunens egen rate",
        "en": "Weight on the municipality's own rate",
    },
    "col.rate_per_1000": {
        "nb": "Anmeldte lovbrudd per 1\u00a0000 innbyggere",
        "en": "Reported offences per 1,000 inhabitants",
    },
    "col.ratio_large": {"nb": "Forhold til store byer", "en": "Ratio to the large cities"},
    "col.index": {"nb": "Indeks (2015–2017 = 100)", "en": "Index (2015–2017 = 100)"},
    "col.rank_shrunk": {
        "nb": "Rang blant kommunene (krympet rate)",
        "en": "Rank among municipalities (shrunk rate)",
    },
    "col.year": {"nb": "År", "en": "Year"},
    "col.amount_mnok": {"nb": "Beløp (MNOK)", "en": "Amount (MNOK)"},
    "col.recipient": {"nb": "Mottaker (som i kilden)", "en": "Recipient (as in the source)"},
    "col.oslo_specific": {"nb": "Oslo-spesifikk", "en": "Oslo-specific"},
    "col.police": {"nb": "Til politiet", "en": "To the police"},
    "col.source": {"nb": "Kilde", "en": "Source"},
    "col.region": {"nb": "Kommune", "en": "Municipality"},
    "col.purpose": {"nb": "Formål", "en": "Purpose"},
    "col.funding_kind": {"nb": "Type", "en": "Kind"},
    "funding_kind.allocation": {"nb": "bevilgning", "en": "allocation"},
    "funding_kind.amount_not_stated": {"nb": "beløp ikke oppgitt", "en": "amount not stated"},
    "funding_kind.overspend_prognosis": {
        "nb": "prognose for overforbruk (ingen bevilgning; ikke i figuren)",
        "en": "overspend forecast (no allocation; not in the figure)",
    },
    "col.weight": {"nb": "Vekt", "en": "Weight"},
    "col.category": {"nb": "Kategori", "en": "Category"},
    "col.period": {"nb": "Periode", "en": "Period"},
    "col.area": {"nb": "Område", "en": "Area"},
    "col.wording": {"nb": "Kildens betegnelse", "en": "Wording in the source"},
    "col.approximate": {"nb": "Omtrentlig", "en": "Approximate"},
    "col.unit_text": {"nb": "Enhet (som i kilden)", "en": "Unit (as in the source)"},
    "col.indicator": {"nb": "Indikator", "en": "Indicator"},
    "col.term": {"nb": "Ledd", "en": "Term"},
    "col.parameter": {"nb": "Innstilling", "en": "Setting"},
}

UNITS: _L = {
    "unit.per_1000": {"nb": "per 1\u00a0000 innbyggere", "en": "per 1,000 inhabitants"},
    "unit.per_1000_short": {"nb": "per 1\u00a0000 innb.", "en": "per 1,000 inh."},
    "unit.offences_per_year": {"nb": "lovbrudd per år", "en": "offences per year"},
    "unit.ratio": {"nb": "rateforhold", "en": "rate ratio"},
}

MEASURES: _L = {
    "measure.level": {
        "nb": "Anmeldte lovbrudd per år i {period}",
        "en": "Reported offences per year in {period}",
    },
    "measure.change_since_pre_pct": {"nb": "Endring fra {pre}", "en": "Change since {pre}"},
    "measure.municipalities_with_total": {
        "nb": "Kommuner med total i {period}",
        "en": "Municipalities with a total in {period}",
    },
    "measure.rate_per_1000": {
        "nb": "Anmeldte lovbrudd per 1\u00a0000 innbyggere",
        "en": "Reported offences per 1,000 inhabitants",
    },
    "measure.rate_ratio_to_large_cities": {
        "nb": "Forhold til de store byene",
        "en": "Ratio to the large cities",
    },
    "measure.index_vs_2015_2017": {
        "nb": "Indeks (2015–2017 = 100)",
        "en": "Index (2015–2017 = 100)",
    },
    "measure.rank_shrunk_rate": {
        "nb": "Rang blant kommunene (krympet rate)",
        "en": "Rank among municipalities (shrunk rate)",
    },
    "measure.public_keyfigures": {
        "nb": "Offentlige nøkkeltall vist (ingen effekt anslått)",
        "en": "Public key figures shown (no effect estimated)",
    },
    "measure.keyfigures": {"nb": "Offentlige nøkkeltall", "en": "Public key figures"},
}

HEADINGS: _L = {
    "01.h.sources": {"nb": "Kilder", "en": "Sources"},
    "01.h.coverage": {"nb": "Dekning", "en": "Coverage"},
    "01.h.agreement": {"nb": "Samsvar mellom uttrekkene", "en": "Agreement between the extracts"},
    "01.h.trends": {"nb": "Utvikling i Oslo og landet", "en": "Trends in Oslo and the country"},
    "01.h.limits": {"nb": "Begrensninger", "en": "Limits"},
    "02.h.rates": {"nb": "Rater og indeks", "en": "Rates and index"},
    "02.h.shrinkage": {
        "nb": "Krympede rater for små kommuner",
        "en": "Shrunk rates for small municipalities",
    },
    "02.h.summary": {"nb": "Hovedtall", "en": "Headline numbers"},
    "03.h.funding": {"nb": "Bevilgninger", "en": "Funding"},
    "03.h.per_outcome": {"nb": "Per utfall", "en": "Per outcome"},
    "03.h.all_designs": {"nb": "Alle design samlet", "en": "All designs together"},
    "03.h.supplementary": {"nb": "Tilleggsanalyser", "en": "Supplementary analyses"},
    "03.h.dose": {"nb": "Dose–respons: {outcome}", "en": "Dose–response: {outcome}"},
    "03.h.displacement": {"nb": "Forflytning: {outcome}", "en": "Displacement: {outcome}"},
    "04.h.keyfigures": {"nb": "Offentlige nøkkeltall", "en": "Public key figures"},
    "04.h.own": {"nb": "Egne data", "en": "Own data"},
    "05.h.verdicts": {"nb": "Konklusjon per utfall", "en": "Verdict per outcome"},
    "05.h.estimates": {
        "nb": "Anslagene bak konklusjonen",
        "en": "The estimates behind the verdict",
    },
}

#: Warnings of the product, by category, in the report language (the original text is kept
#: under the page's technical messages).
WARNINGS: _L = {
    "warning.SsbFallbackWarning": {
        "nb": "Statistisk sentralbyrå svarte ikke; siden bruker en eldre kopi av tabellen (se "
        "datagrunnlaget øverst).",
        "en": "Statistics Norway did not respond; the page uses an older copy of the table (see the "
        "data sources at the top).",
    },
    "warning.StaleDataWarning": {
        "nb": "En SSB-tabell kommer fra en tidligere hentet kopi, ikke direkte fra kilden (se "
        "datagrunnlaget øverst).",
        "en": "A Statistics Norway table comes from an earlier copy, not directly from the source "
        "(see the data sources at the top).",
    },
    "warning.CacheRebuiltWarning": {
        "nb": "En lagret kopi av en tabell kunne ikke brukes (skadet, endret eller uten gyldig "
        "signatur) og ble bygget på nytt fra rådataene.",
        "en": "A stored copy of a table could not be used (damaged, changed or without a valid "
        "signature) and was rebuilt from the raw data.",
    },
    "warning.SingleTreatedUnitWarning": {
        "nb": "Bare én enhet får midler: dose–respons-stigningen er identifisert bare fra denne "
        "enhetens utvikling over tid.",
        "en": "Only one unit is funded: the dose–response slope is identified from that unit's "
        "development over time only.",
    },
    "warning.FewTreatedWarning": {
        "nb": "Svært få behandlede enheter: klyngerobuste standardfeil er upålitelige; placebo- og "
        "permutasjonstestene er tryggere.",
        "en": "Very few treated units: cluster-robust standard errors are unreliable; the placebo "
        "and permutation tests are safer.",
    },
    "warning.InferenceWarning": {
        "nb": "For få klynger til at klyngerobuste standardfeil er pålitelige.",
        "en": "Too few clusters for cluster-robust standard errors to be reliable.",
    },
    "warning.OutsideDonorRangeWarning": {
        "nb": "Den behandlede enheten ligger utenfor donorenes spenn før start; en variant med "
        "nivåjustering (demeaned) er brukt.",
        "en": "The treated unit lies outside the donors' range before the start; a level-adjusted "
        "(demeaned) variant is used.",
    },
    "warning.original": {
        "nb": "Varsel fra programvaren (originaltekst)",
        "en": "Warning from the software (original text)",
    },
}

FIGURES: _L = {
    "fig.year": {
        "nb": "År (siste år i toårsperioden)",
        "en": "Year (last year of the two-year period)",
    },
    "fig.year_single": {"nb": "År", "en": "Year"},
    "fig.period": {"nb": "Periode", "en": "Period"},
    "fig.rate_per_1000": {
        "nb": "Anmeldte lovbrudd per 1\u00a0000 innbyggere",
        "en": "Reported offences per 1,000 inhabitants",
    },
    "fig.index": {"nb": "Indeks (2015–2017 = 100)", "en": "Index (2015–2017 = 100)"},
    "fig.index_title": {"nb": "Indeks", "en": "Index"},
    "fig.coverage_title": {
        "nb": "Kommuner med verdi, per lovbruddsgruppe og periode",
        "en": "Municipalities with a value, by offence group and period",
    },
    "fig.trends_title": {
        "nb": "Anmeldte lovbrudd per 1\u00a0000 innbyggere",
        "en": "Reported offences per 1,000 inhabitants",
    },
    "fig.source_ssb": {
        "nb": "Kilde: Statistisk sentralbyrå, tabell 08487",
        "en": "Source: Statistics Norway, table 08487",
    },
    "fig.source_own_funding": {
        "nb": "Kilde: analytikerens egen tildelingstabell ({file})",
        "en": "Source: the analyst's own funding table ({file})",
    },
    "fig.source_funding": {
        "nb": "Kilde: regjeringen.no, politiet.no og nyhetsmedier (kilde per rad i tabellen)",
        "en": "Source: regjeringen.no, politiet.no and news media (source per row in the table)",
    },
    "fig.source_keyfigures": {
        "nb": "Kilde: SSB, politiet og nyhetsmedier (kilde per rad i tabellen)",
        "en": "Source: Statistics Norway, the police and news media (source per row in the table)",
    },
    "fig.funding_title": {
        "nb": "Oslo-spesifikke politimidler",
        "en": "Oslo-specific police money",
    },
    "fig.mnok": {"nb": "Millioner kroner per år", "en": "Million kroner per year"},
    "fig.assumed": {
        "nb": "antatt videreført (beløp ikke oppgitt)",
        "en": "assumed continued (amount not stated)",
    },
    "fig.keyfigures_title": {
        "nb": "Oppklaring og henleggelse – enkeltpunkter, ikke en serie",
        "en": "Clear-up and dismissal – single points, not a series",
    },
    "fig.share_pct": {"nb": "Andel av sakene (%)", "en": "Share of cases (%)"},
    "fig.observed": {"nb": "{region} (observert)", "en": "{region} (observed)"},
    "fig.synthetic": {"nb": "syntetisk kontroll", "en": "synthetic control"},
    "fig.synth_title": {
        "nb": "{region} mot syntetisk kontroll",
        "en": "{region} against the synthetic control",
    },
    "fig.placebo_title": {"nb": "Placebo i rom: {p}", "en": "Placebo in space: {p}"},
    "fig.placebo_units": {"nb": "placebo-enheter", "en": "placebo units"},
    "fig.real_gap": {"nb": "faktisk avvik", "en": "actual gap"},
    "fig.gap": {
        "nb": "Avvik fra syntetisk kontroll per 1\u00a0000",
        "en": "Gap to the synthetic control per 1,000",
    },
    "fig.log_rate": {
        "nb": "log(lovbrudd per 1\u00a0000 innb.)",
        "en": "log(offences per 1,000 inh.)",
    },
    "fig.rate_per_1000_short": {
        "nb": "Lovbrudd per 1\u00a0000 innb.",
        "en": "Offences per 1,000 inh.",
    },
    "fig.log_difference": {
        "nb": "Forskjell, log (0,1 ≈ +10 %)",
        "en": "Difference, log (0.1 ≈ +10%)",
    },
    "fig.log_gap": {"nb": "Avvik, log (0,1 ≈ +10 %)", "en": "Gap, log (0.1 ≈ +10%)"},
    "fig.event_title": {
        "nb": "Hendelsesstudie: modellbasert trendtest før start {p} (avgjør ikke)",
        "en": "Event study: model-based pre-start trend test {p} (decides nothing)",
    },
    "fig.rel_period": {"nb": "Periode relativt til start", "en": "Period relative to the start"},
    "fig.rate_ratio": {"nb": "Rateforhold (1 = ingen endring)", "en": "Rate ratio (1 = no change)"},
    "fig.its_title": {
        "nb": "Avbrutt tidsserie for {region}",
        "en": "Interrupted time series, {region}",
    },
    "fig.its_y": {"nb": "Anmeldte lovbrudd per år", "en": "Reported offences per year"},
    "fig.observed_plain": {"nb": "observert", "en": "observed"},
    "fig.fitted": {"nb": "tilpasset", "en": "fitted"},
    "fig.counterfactual": {
        "nb": "uten brudd (kontrafaktisk)",
        "en": "without a break (counterfactual)",
    },
    "fig.difference_per_1000": {
        "nb": "Differanse per 1\u00a0000 innbyggere (0 = ingen endring)",
        "en": "Difference per 1,000 inhabitants (0 = no change)",
    },
    "fig.summary_title": {
        "nb": "Anslag med 95 %-intervall, {year}",
        "en": "Estimates with 95% intervals, {year}",
    },
    "fig.not_counted": {"nb": "teller ikke", "en": "does not count"},
    "fig.counted": {"nb": "teller med", "en": "counts"},
    "fig.no_interval": {"nb": "uten intervall, {p}", "en": "no interval, {p}"},
    "fig.missing_panel": {"nb": "Designet kunne ikke kjøres", "en": "The design could not run"},
    "fig.alt": {"nb": "Figur", "en": "Figure"},
    "fig.own_log": {
        "nb": "log(antall per innbygger; antall der befolkningen mangler)",
        "en": "log(count per inhabitant; count where the population is missing)",
    },
    "fig.own_count": {"nb": "Antall per år (egne data)", "en": "Count per year (own data)"},
    "fig.own_per_1000": {
        "nb": "Antall per 1\u00a0000 innbyggere (egne data)",
        "en": "Count per 1,000 inhabitants (own data)",
    },
    "why_missing.synth_interval": {
        "nb": "Syntetisk kontroll gir ikke et intervall; usikkerheten er placebo-p-verdien.",
        "en": "Synthetic control gives no interval; its uncertainty is the placebo p-value.",
    },
}

LABELS: _L = {
    **REPORT,
    **PAGES,
    **PDF,
    **BANNER,
    **DESIGNS,
    **VERDICTS,
    **GROUPS,
    **SENTENCES,
    **COLUMNS,
    **UNITS,
    **MEASURES,
    **HEADINGS,
    **WARNINGS,
    **FIGURES,
}
