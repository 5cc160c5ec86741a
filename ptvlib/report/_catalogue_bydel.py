"""Catalogue entries of page 6 (bydeler): paragraphs, headings, columns, labels.

Part of the one text catalogue (:mod:`ptvlib.report.texts`); kept in its own
module because page 6 and its bydel designs are maintained together.
Paragraphs (``BYDEL_PAGE_TEXTS``) are static Markdown; labels and sentences
(``BYDEL_LABELS``) may have ``{fields}`` that the page fills with escaped
values.
"""

from __future__ import annotations

from ptvlib.assessment.verdicts import COMBINED_LABELS
from ptvlib.basics.config import OWN_INDICATOR_LABELS

__all__ = ["BYDEL_LABELS", "BYDEL_PAGE_TEXTS"]

_L = dict[str, dict[str, str]]

BYDEL_PAGE_TEXTS: _L = {
    "06.intro": {
        "nb": "Pengene gikk til noen få bydeler (Søndre Nordstrand/Holmlia fra 2018, «Oslo indre øst» fra "
        "2019 …). Spørsmålet kan bare besvares der tiltaket er: **bydeler mot bydeler**. For hele Oslo "
        "kommune blir en effekt i noen få bydeler for utvannet til å ses. Denne siden viser det offentlige "
        "bydelsbildet (Oslo kommunes statistikkbank, tabell KRI002) og kjører bydelsdesignene på politiets "
        "egne data.",
        "en": "The money went to a few bydeler (Søndre Nordstrand/Holmlia from 2018, 'Oslo indre øst' from "
        "2019 …). The question can only be answered where the funding is: **bydeler against bydeler**. "
        "For all of Oslo municipality an effect in a few bydeler is too diluted to be seen. This page shows "
        "the public bydel picture (the City of Oslo's statbank, table KRI002) and runs the bydel designs on the "
        "police's own data.",
    },
    "06.no_bydel_table": {
        "nb": "Denne installasjonen har ikke bydelstabellen (`bydel_offences`).",
        "en": "This installation does not have the bydel table (`bydel_offences`).",
    },
    "06.cross_section": {
        "nb": "**Dette er ett år**: det viser hvor lovbrudd anmeldes, ikke om noe endret seg, og ingen "
        "effekt kan anslås fra det. Et panel (flere år per bydel) krever den levende tabellen "
        "(`ptv data update bydel_offences`, Oslo kommunes statistikkbank) eller politiets egne data "
        "(`-p own_data FIL`).",
        "en": "**This is one year**: it shows where offences are reported, not whether anything changed, "
        "and no effect can be estimated from it. A panel (several years per bydel) needs the live table "
        "(`ptv data update bydel_offences`, the City of Oslo's statbank) or the police's own data "
        "(`-p own_data FILE`).",
    },
    "06.no_public_panel": {
        "nb": "Den offentlige bydelstabellen har bare ett år her, så bydelsdesignene kan ikke kjøres på den.",
        "en": "The public bydel table has a single year here, so the bydel designs cannot run on it.",
    },
    "06.public_panel": {
        "nb": "Bydelstabellen har flere år: bydelsdesignene kjøres også på de offentlige tallene "
        "(anmeldte lovbrudd etter gjerningsbydel).",
        "en": "The bydel table has several years: the bydel designs also run on the public figures "
        "(reported offences by bydel of the scene).",
    },
    "06.schedule": {
        "nb": "Behandlingsplanen (hvilke områder fikk midlene, fra hvilket år) kommer fra "
        "`treatment_schedule` (`-p treatment_schedule 030115:2018,030101:2019`), ellers `treated_areas` "
        "med `start_year`, ellers finansieringstabellen: bare politibevilgninger der kilden navngir et "
        "sted i **én** bydel. Kilder som nevner et område over flere bydeler, eller ikke noe område, står "
        "under: oppgi planen selv for dem. `buffer_areas` er naboområder der en effekt kan smitte over; "
        "de holdes utenfor sammenligningen og analyseres for seg.",
        "en": "The treatment schedule (which areas got the money, from which year) comes from "
        "`treatment_schedule` (`-p treatment_schedule 030115:2018,030101:2019`), else `treated_areas` "
        "with `start_year`, else the funding table: only police allocations whose source names a place "
        "in **one** bydel. Sources naming an area across several bydeler, or no area, are listed below: "
        "give the schedule yourself for them. `buffer_areas` are neighbouring areas an effect could "
        "spill over to; they are kept out of the comparison and analysed on their own.",
    },
    "06.no_own_data": {
        "nb": "Ingen egne data oppgitt. Sett `own_data` til politiets eksport per bydel (CSV, Excel eller "
        "parquet; region, år eller måned, indikator, lovbruddsgruppe, antall) og `treatment_schedule` "
        "til områdene som fikk midlene. `ptvlib.demo_own_data(sti)` lager en syntetisk eksempelfil.",
        "en": "No own data given. Set `own_data` to the police's export by bydel (CSV, Excel or parquet; "
        "region, year or month, indicator, offence group, value) and `treatment_schedule` to the areas "
        "that got the money. `ptvlib.demo_own_data(path)` writes a synthetic example file.",
    },
}

BYDEL_LABELS: _L = {
    "page.06_bydel": {"nb": "6 Bydeler", "en": "6 City districts (bydeler)"},
    "06.h.picture": {"nb": "Det offentlige bydelsbildet", "en": "The public bydel picture"},
    "06.h.schedule": {"nb": "Behandlingsplan", "en": "Treatment schedule"},
    "06.h.own": {"nb": "Bydelsdesign på egne data", "en": "Bydel designs on own data"},
    "06.h.public": {"nb": "Offentlig bydelspanel", "en": "Public bydel panel"},
    "06.h.not_analysed": {"nb": "Ikke analysert", "en": "Not analysed"},
    "06.series": {"nb": "{series}", "en": "{series}"},
    "06.picture_caption": {
        "nb": "Anmeldte lovbrudd etter gjerningsbydel, {year}, og per 1\u00a0000 innbyggere",
        "en": "Reported offences by bydel of the scene, {year}, and per 1,000 residents",
    },
    "06.oslo_rate": {
        "nb": "De 15 bydelene: {n15} lovbrudd, {rate} per 1\u00a0000 innbyggere; med Sentrum og ukjent "
        "bydel: {n_all} lovbrudd.",
        "en": "The 15 bydeler: {n15} offences, {rate} per 1,000 residents; with Sentrum and the "
        "unknown bydel: {n_all} offences.",
    },
    "06.schedule_origin": {
        "nb": "Planen kommer fra {origin}.",
        "en": "The schedule comes from {origin}.",
    },
    "06.asks": {
        "nb": "Kildene under navngir ikke én bydel; oppgi planen med <code>treatment_schedule</code> "
        "om de skal med:",
        "en": "The sources below do not name a single bydel; give the schedule with "
        "<code>treatment_schedule</code> if they should count:",
    },
    "06.timing": {
        "nb": "Kilder som tidfester en innsats uten beløp (vurder et annet startår med "
        "<code>treatment_schedule</code>):",
        "en": "Sources that date an effort without an amount (consider another start year with "
        "<code>treatment_schedule</code>):",
    },
    "06.absent": {
        "nb": "Områder fra finansieringstabellen som ikke finnes i dataene, og ikke brukes: {areas}.",
        "en": "Areas of the funding table that are not in the data, and are not used: {areas}.",
    },
    "06.summary_caption": {
        "nb": "Én konklusjon per indikator og lovbruddsgruppe (randomiseringsinferens, Holm-justert)",
        "en": "One verdict per indicator and offence group (randomization inference, Holm-adjusted)",
    },
    "origin.parameters": {
        "nb": "Planen kommer fra {params}.",
        "en": "The schedule comes from {params}.",
    },
    "origin.funding_table": {
        "nb": "Planen kommer fra finansieringstabellen (ingen plan oppgitt).",
        "en": "The schedule comes from the funding table (no schedule given).",
    },
    "role.treated": {"nb": "behandlet", "en": "treated"},
    "role.buffer": {"nb": "buffer (naboområde)", "en": "buffer (neighbouring area)"},
    "col.bydel": {"nb": "Bydel", "en": "Bydel"},
    "col.area_code": {"nb": "Områdekode", "en": "Area code"},
    "col.offences": {"nb": "Anmeldte lovbrudd", "en": "Reported offences"},
    "col.rate_residents": {"nb": "Per 1\u00a0000 innbyggere", "en": "Per 1,000 residents"},
    "col.note": {"nb": "Merknad", "en": "Note"},
    "col.start": {"nb": "Første år", "en": "First year"},
    "col.role": {"nb": "Rolle", "en": "Role"},
    "col.series": {"nb": "Indikator – lovbruddsgruppe", "en": "Indicator – offence group"},
    "col.offence_group": {"nb": "Lovbruddsgruppe", "en": "Offence group"},
    "col.unit_own": {"nb": "Enhet", "en": "Unit"},
    "col.reason": {"nb": "Hvorfor", "en": "Why"},
    "design.own_ri": {
        "nb": "Randomiseringsinferens (DiD, områder)",
        "en": "Randomization inference (DiD, areas)",
    },
    "design.own_sc": {"nb": "Syntetisk kontroll (områder)", "en": "Synthetic control (areas)"},
    "design.own_staggered": {
        "nb": "Forskjøvet start (Callaway & Sant'Anna)",
        "en": "Staggered adoption (Callaway & Sant'Anna)",
    },
    "design.own_sdid": {"nb": "Syntetisk DiD per startår", "en": "Synthetic DiD by start year"},
    "design.own_did_cr1": {
        "nb": "Poisson-DiD, klyngerobuste feil",
        "en": "Poisson DiD, cluster-robust errors",
    },
    "design.own_spillover": {
        "nb": "Smitteeffekt (bufferområder)",
        "en": "Spillover (buffer areas)",
    },
    "design.not_analysed": {"nb": "ikke analysert", "en": "not analysed"},
    "measure.bydel_rate": {
        "nb": "Anmeldte lovbrudd per 1\u00a0000 innbyggere (bydelsbildet {year}, KRI002)",
        "en": "Reported offences per 1,000 residents (the bydel picture {year}, KRI002)",
    },
    "06.picture_outcome": {
        "nb": "Alle lovbruddsgrupper, 15 bydeler",
        "en": "All groups of offences, 15 bydeler",
    },
    "why_not.cross_section": {
        "nb": "ett år: beskrivende, ingen effekt anslås",
        "en": "one year: descriptive, no effect estimated",
    },
    "06.designs": {
        "nb": "Med {areas} blant {n} områder i sammenligningen er klyngerobuste standardfeil altfor "
        "små. Slutningen som holder, spør hvor uvanlig endringen i de behandlede områdene er blant "
        "alle måter samme startplan kunne vært fordelt på områdene (randomiseringsinferens); "
        "intervallet er de konstante effektene testen ikke forkaster. Alle indikatorer og "
        "lovbruddsgrupper i filen analyseres.",
        "en": "With {areas} among {n} areas in the comparison, cluster-robust standard errors are "
        "far too small. The inference that holds asks how unusual the change in the treated areas "
        "is among all the ways the same start schedule could have been handed out to the areas "
        "(randomization inference); the interval is the constant effects the test does not reject. "
        "Every indicator and offence group in the file is analysed.",
    },
    "06.areas_one": {"nb": "ett behandlet område", "en": "one treated area"},
    "06.areas_many": {"nb": "{k} behandlede områder", "en": "{k} treated areas"},
    "06.one_treated_unreachable": {
        "nb": "Med ett behandlet område av {n} kan ingen tildelingstest nå {alpha}: det finnes bare "
        "{assignments} tildelinger, så minste mulige p er 1/{n} = {p}. Ingen serie kan da få en "
        "annen konklusjon enn «uavklart»; flere behandlede områder i planen (for eksempel "
        "«Oslo indre øst» fra 2019) trengs.",
        "en": "With one treated area of {n}, no assignment test can reach {alpha}: there are only "
        "{assignments} assignments, so the smallest attainable p is 1/{n} = {p}. No series can then "
        "get any verdict but 'inconclusive'; more treated areas in the schedule (for example "
        "'Oslo indre øst' from 2019) are needed.",
    },
    "06.unreachable": {
        "nb": "Med denne planen finnes bare {assignments} tildelinger, så minste mulige p er {p}, "
        "over {alpha}: ingen serie kan få en annen konklusjon enn «uavklart».",
        "en": "With this schedule there are only {assignments} assignments, so the smallest "
        "attainable p is {p}, above {alpha}: no series can get any verdict but 'inconclusive'.",
    },
    "why_missing.own_sc_mde": {
        "nb": "syntetisk kontroll støtter bare retningen: styrken regnes for det avgjørende designet, "
        "og konklusjonens minste påviselige effekt er randomiseringsinferensens (raden over)",
        "en": "the synthetic control only supports the direction: power is computed for the deciding "
        "design, and the verdict's minimum detectable effect is that of the randomization inference "
        "(the row above)",
    },
    "fig.ri_title": {
        "nb": "Faktisk tildeling (rød) blant alle tildelinger",
        "en": "Actual assignment (red) among all assignments",
    },
    "fig.ri_ratio": {"nb": "Rateforhold (1 = ingen endring)", "en": "Rate ratio (1 = no change)"},
    "fig.ri_difference": {
        "nb": "Differanse (0 = ingen endring)",
        "en": "Difference (0 = no change)",
    },
    "fig.ri_assignments": {"nb": "Antall tildelinger", "en": "Number of assignments"},
    "unit.keyfigures": {"nb": "nøkkeltall", "en": "key figures"},
    "04.own_summary": {
        "nb": "Politiets egne tall for straffesaker, beslag og inndragninger i filen, med "
        "konklusjonen fra bydelsdesignene (bydeler mot bydeler, samme regel som på {page}; "
        "designene, figurene og forbeholdene står der):",
        "en": "The police's own figures for criminal cases, seizures and confiscations in the file, "
        "with the verdict of the bydel designs (bydeler against bydeler, the same rule as on "
        "{page}; the designs, figures and caveats are there):",
    },
    "04.own_none": {
        "nb": "Filen med egne data har ingen serier for straffesaker, påtalevedtak, beslag eller "
        "inndragninger; seriene den har, analyseres på {page}.",
        "en": "The own-data file has no series of criminal cases, prosecution decisions, seizures "
        "or confiscations; the series it has are analysed on {page}.",
    },
    "lead.own_one": {"nb": "{verdict} for {series}", "en": "{verdict} for {series}"},
    "lead.own_all": {
        "nb": "På bydelsnivå (politiets egne tall, side 6, samme regel: randomiseringsinferens, "
        "Holm-justert) er konklusjonen {found}.",
        "en": "At bydel level (the police's own figures, page 6, the same rule: randomization "
        "inference, Holm-adjusted) the verdict is {found}.",
    },
    "lead.own_some": {
        "nb": "På bydelsnivå (politiets egne tall, side 6, samme regel: randomiseringsinferens, "
        "Holm-justert) er konklusjonen {found}; de øvrige {k} seriene er uavklart.",
        "en": "At bydel level (the police's own figures, page 6, the same rule: randomization "
        "inference, Holm-adjusted) the verdict is {found}; the other {k} series are inconclusive.",
    },
    "lead.own_none": {
        "nb": "På bydelsnivå (politiets egne tall, side 6, samme regel) skiller ingen av de {n} "
        "seriene en effekt fra vanlig variasjon.",
        "en": "At bydel level (the police's own figures, page 6, the same rule) none of the {n} "
        "series tells an effect apart from ordinary variation.",
    },
    "caveat.ri_constant": {
        "nb": "Intervallene fra randomiseringsinferensen forutsetter en konstant effekt i de behandlede "
        "områdene; p-verdiene forutsetter at områdene kunne byttet plass (de er sammenlignbare før start).",
        "en": "The randomization intervals assume a constant effect in the treated areas; the p-values "
        "assume the areas could have swapped places (they are comparable before the start).",
    },
}

#: Verdict words of the combined verdicts (``samstemt nedgang``), for badges that must match the
#: verdict sentences, and the own-data indicators by name.
BYDEL_LABELS |= {
    f"combined.{code}": {"nb": COMBINED_LABELS["nb"][code], "en": COMBINED_LABELS["en"][code]}
    for code in COMBINED_LABELS["nb"]
}
BYDEL_LABELS |= {
    f"indicator.{k}": {"nb": OWN_INDICATOR_LABELS["nb"][k], "en": OWN_INDICATOR_LABELS["en"][k]}
    for k in OWN_INDICATOR_LABELS["nb"]
}
