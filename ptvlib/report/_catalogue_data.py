"""Names of the datasets, extracts, key-figure categories and cell statuses (text catalogue).

The data layer describes its tables in English for developers; a page shows
these names in the report language instead.
"""

from __future__ import annotations

_L = dict[str, dict[str, str]]

DATASETS: _L = {
    "dataset.reported_offences": {
        "nb": "Anmeldte lovbrudd per kommune (SSB 08487, 2024-grenser), toårige gjennomsnitt per "
        "lovbruddsgruppe, antall og per 1\u00a0000 innbyggere",
        "en": "Reported offences by municipality (Statistics Norway 08487, 2024 borders), two-year "
        "averages by offence group, counts and per 1,000 inhabitants",
    },
    "dataset.bydel_offences": {
        "nb": "Anmeldte lovbrudd etter gjerningssted i Oslos bydeler (Oslo kommunes statistikkbank, "
        "KRI002): innebygd tverrsnitt for 2024, alle år og grupper fra kilden",
        "en": "Reported offences by scene of crime in Oslo's city districts (Oslo municipality's "
        "statbank, KRI002): embedded 2024 cross-section, every year and group from the source",
    },
    "dataset.national_offences": {
        "nb": "Anmeldte lovbrudd for hele landet: toårige gjennomsnitt (08487) og årstall",
        "en": "Reported offences for the whole country: two-year averages (08487) and annual totals",
    },
    "dataset.population": {
        "nb": "Folketall 1. januar: land, fylker, kommuner (2024-grenser) og Oslos 15 bydeler",
        "en": "Population on 1 January: country, counties, municipalities (2024 borders) and Oslo's "
        "15 city districts",
    },
    "dataset.funding": {
        "nb": "Bevilgninger til politiinnsatsen i utsatte områder i Oslo og nasjonale gjengmidler, "
        "hver med kilde",
        "en": "Funding of the police effort in vulnerable areas in Oslo and national gang money, each "
        "with its source",
    },
    "dataset.enforcement_keyfigures": {
        "nb": "Spredte nøkkeltall om oppklaring, saker, beslag, inndragning og straffereaksjoner, "
        "hvert med kilde",
        "en": "Scattered key figures on clear-up, cases, seizures, confiscation and sanctions, each "
        "with its source",
    },
    "dataset.county_tables": {
        "nb": "SSBs fylkestabeller 2016–2018: straffede, ofre og lovbrudd etter kommunestørrelse",
        "en": "Statistics Norway county tables 2016–2018: persons sanctioned, victims and offences by "
        "municipality size",
    },
    "dataset.police_resources": {
        "nb": "Budsjettrammer for politidistriktene og politiårsverk per 1\u00a0000 innbyggere",
        "en": "Police-district budget frames and police staffing per 1,000 inhabitants",
    },
}

DATASET_NAMES: _L = {
    "dataset_name.reported_offences": {"nb": "Anmeldte lovbrudd", "en": "Reported offences"},
    "dataset_name.bydel_offences": {
        "nb": "Anmeldte lovbrudd per bydel",
        "en": "Reported offences by city district",
    },
    "dataset_name.national_offences": {
        "nb": "Anmeldte lovbrudd, hele landet",
        "en": "Reported offences, whole country",
    },
    "dataset_name.population": {"nb": "Folketall", "en": "Population"},
    "dataset_name.funding": {"nb": "Bevilgninger", "en": "Funding"},
    "dataset_name.enforcement_keyfigures": {
        "nb": "Nøkkeltall om håndheving",
        "en": "Enforcement key figures",
    },
    "dataset_name.county_tables": {"nb": "Fylkestabeller", "en": "County tables"},
    "dataset_name.police_resources": {"nb": "Politiets ressurser", "en": "Police resources"},
    "dataset_name.08487": {
        "nb": "Anmeldte lovbrudd (SSB-tabell 08487)",
        "en": "Reported offences (Statistics Norway table 08487)",
    },
}

EXTRACTS: _L = {
    "extract.ssb08487_3inar": {
        "nb": "SSB 08487, 2007–2016 (uttrekk 3inar)",
        "en": "Statistics Norway 08487, 2007–2016 (extract 3inar)",
    },
    "extract.ssb08487_chrilur": {
        "nb": "SSB 08487, 2020–2024 (uttrekk chrilur)",
        "en": "Statistics Norway 08487, 2020–2024 (extract chrilur)",
    },
    "extract.ssb08487_torbskar": {
        "nb": "SSB 08487, rater 2015–2020 (uttrekk torbskar)",
        "en": "Statistics Norway 08487, rates 2015–2020 (extract torbskar)",
    },
    "extract.ssb08487_torbskar_rdat": {
        "nb": "SSB 08487, rater 2014–2017 (uttrekk torbskar, R-data)",
        "en": "Statistics Norway 08487, rates 2014–2017 (extract torbskar, R data)",
    },
}

KEYFIGURES: _L = {
    "kf.clearance": {"nb": "Oppklaring", "en": "Clear-up"},
    "kf.dismissal": {"nb": "Henleggelse", "en": "Dismissal"},
    "kf.investigated": {"nb": "Etterforskede saker", "en": "Investigated cases"},
    "kf.charges_sanctions": {"nb": "Siktede og straffede", "en": "Charges and sanctions"},
    "kf.drug_cases": {"nb": "Narkotikasaker", "en": "Drug cases"},
    "kf.seizures": {"nb": "Beslag", "en": "Seizures"},
    "kf.confiscation": {"nb": "Inndragning", "en": "Confiscation"},
    "scope.oslo_pd": {"nb": "Oslo politidistrikt", "en": "Oslo police district"},
    "scope.oslo_kommune": {"nb": "Oslo kommune", "en": "Oslo municipality"},
    "scope.oslo_subarea": {"nb": "Del av Oslo", "en": "Part of Oslo"},
    "scope.national": {"nb": "Hele landet", "en": "Whole country"},
    "scope.other_district": {"nb": "Annet politidistrikt", "en": "Other police district"},
}

STATUSES: _L = {
    "status.(ok)": {"nb": "Verdi finnes", "en": "Value present"},
    "status.:": {"nb": "Prikket av SSB (:)", "en": "Suppressed by Statistics Norway (:)"},
    "status.dropped": {"nb": "Mangler i uttrekket", "en": "Absent from the extract"},
    "status.groups_missing": {"nb": "Total kan ikke beregnes", "en": "Total not computable"},
    "status.no_population": {"nb": "Mangler folketall", "en": "Population missing"},
    "status.partial": {"nb": "Delvis dekket", "en": "Partly covered"},
}

DATA_LABELS: _L = {**DATASETS, **DATASET_NAMES, **EXTRACTS, **KEYFIGURES, **STATUSES}
