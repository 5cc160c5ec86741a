"""The pages' paragraphs in bokmål and English (part of the text catalogue).

Static Markdown: no values are filled in here, so no data reaches Markdown.
Sentences with values live in :mod:`ptvlib.report._catalogue_labels` and are
filled with escaped values (:func:`ptvlib.report.escape.html_format`).
"""

from __future__ import annotations

PAGE_TEXTS: dict[str, dict[str, str]] = {
    "01.intro": {
        "nb": "Hvilke offentlige data finnes, hva dekker de, og hva mangler – og hvorfor? Alle tall er "
        "ekte offentlige data (SSB tabell 08487 m.fl.). Kommunenivå er det fineste offentlige "
        "nivået: kriminalitet per bydel eller utsatt område finnes ikke i offentlige kilder.",
        "en": "Which public data exist, what do they cover, what is missing and why? Every number is real "
        "public data (Statistics Norway table 08487 and others). The municipality is the finest "
        "public level: crime by city district or vulnerable area is not published.",
    },
    "01.coverage": {
        "nb": "Antall kommuner (2024-grenser) med verdi per lovbruddsgruppe og periode. SSB 08487 publiserer "
        "**toårige gjennomsnitt** («2019-2020»): periodene overlapper. Celler med 4 eller færre lovbrudd er "
        "prikket og er *manglende*, ikke null. 2019-2020 finnes i de innebygde uttrekkene bare for 74 "
        "kommuner (kildens forfatter fjernet rader med manglende verdier).",
        "en": "Municipalities (2024 borders) with a value, by offence group and period. Statistics Norway's "
        "table 08487 publishes **two-year averages** ('2019-2020'): periods overlap. Cells with 4 or "
        "fewer offences are suppressed and *missing*, not zero. 2019-2020 is in the embedded extracts "
        "for only 74 municipalities (the extract's author dropped rows with a missing value).",
    },
    "01.agreement": {
        "nb": "Fire uttrekk av samme SSB-tabell er skjøtet. Der de overlapper, skal forskjellen ligge innenfor "
        "avrundingen av rater til én desimal (antall utledet som rate × folketall). Tabellen viser "
        "absolutt relativ forskjell i prosent.",
        "en": "Four extracts of the same Statistics Norway table are joined. Where they overlap, the "
        "difference should stay within the rounding of rates to one decimal (counts derived as rate × "
        "population). The table shows the absolute relative difference in percent.",
    },
    "01.limits": {
        "nb": "* Offentlige data er på **kommunenivå**: Oslo kommune er den behandlede enheten; de utsatte "
        "områdene inne i Oslo kan ikke skilles ut uten politiets egne data (side 6).\n"
        "* Toårige gjennomsnitt gir seriekorrelasjon; en periode som går over startåret droppes som standard.\n"
        "* Narkotika- og ordenslovbrudd styres av politiets aktivitet: mer ressurser kan gi *flere* anmeldelser.",
        "en": "* Public data are **municipal**: Oslo municipality is the treated unit; the vulnerable areas "
        "inside Oslo cannot be separated without the police's own data (page 6).\n"
        "* Two-year averages are serially correlated; a period that straddles the start year is dropped "
        "by default.\n"
        "* Drug and public-order offences follow police activity: more resources can mean *more* reports.",
    },
    "02.intro": {
        "nb": "Oslo mot sammenligningsgrupper per lovbruddsgruppe: rater per 1\u00a0000 innbyggere, indeks mot "
        "periodene før start, og empirisk Bayes-krympede rater for små kommuner. Skadeutfall (vinning, "
        "vold) holdes adskilt fra aktivitetsutfall (narkotika, orden). Beskrivende tall – ingen "
        "årsakspåstand.",
        "en": "Oslo against comparison groups per offence group: rates per 1,000 inhabitants, an index "
        "against the periods before the start, and empirical-Bayes shrunk rates for small "
        "municipalities. Harm outcomes (theft, violence) are kept apart from activity outcomes (drugs, "
        "public order). Descriptive only – no causal claim.",
    },
    "02.rates": {
        "nb": "Venstre: anmeldte lovbrudd per 1\u00a0000 innbyggere. Høyre: indeks, snittet av periodene som "
        "slutter 2015–2017 = 100. Store byer = de største kommunene med hel serie; aggregater er sum av "
        "lovbrudd delt på sum av innbyggere.",
        "en": "Left: reported offences per 1,000 inhabitants. Right: index, mean of the periods ending "
        "2015–2017 = 100. Large cities = the largest municipalities with a complete series; aggregates "
        "are total offences divided by total inhabitants.",
    },
    "02.shrinkage": {
        "nb": "Små kommuner har ustabile rater. Empirisk Bayes (Poisson–gamma) trekker dem mot "
        "gjennomsnittet; store kommuner som Oslo flyttes nesten ikke. Tabellene viser de ti høyeste "
        "krympede ratene i vurderingsårets periode.",
        "en": "Small municipalities have unstable rates. Empirical Bayes (Poisson–gamma) pulls them toward "
        "the mean; large municipalities such as Oslo barely move. The tables show the ten highest "
        "shrunk rates in the assessment year's period.",
    },
    "03.intro": {
        "nb": "Ga de målrettede midlene til Oslo politidistrikt (Oslo sør fra 2018) mindre kriminalitet? "
        "Fem design teller med, per lovbruddsgruppe; hvert av dem får sin p-verdi ved at det samme "
        "designet kjøres på hver kommune i sammenligningsutvalget som om den var behandlet:\n\n"
        "* **Syntetisk forskjell-i-forskjeller** og **utvidet syntetisk kontroll** – laget for en "
        "enhet som Oslo, som ligger over alle sammenligningskommunene før start.\n"
        "* **Syntetisk kontroll** – Oslo mot en vektet kombinasjon av kommuner, nivåjustert og på "
        "log-rater; rangert etter avviket etter start.\n"
        "* **Forskjell-i-forskjeller** på log-rater – permutasjon over utvalget; teksten gir "
        "HonestDiD-bruddpunktet (hvor store trendforskjeller som skal til for å snu fortegnet) i "
        "stedet for en ja/nei-test av parallelle trender.\n"
        "* **Avbrutt tidsserie** – Oslos egen serie, rangert mot hver kommunes egen serie.\n\n"
        "Hvert utfall har ett hoveddesign, valgt etter styrke på kommuner uten midlene (aldri etter "
        "Oslos resultat), og p-verdien justeres for flere utfall i samme familie (Holm). Poisson "
        "forskjell-i-forskjeller med klyngerobuste feil og tidsserien mot resten av landet vises til "
        "sammenligning, men teller ikke: deres modellbaserte p-verdier er for små med én behandlet "
        "enhet. Konklusjonen per utfall kan være «uavklart».",
        "en": "Did the targeted money for Oslo police district (Oslo sør from 2018) go with less crime? "
        "Five designs count, per offence group; each gets its p-value by running the same design on "
        "every municipality of the comparison pool as if it were treated:\n\n"
        "* **Synthetic difference-in-differences** and the **augmented synthetic control** – built "
        "for a unit like Oslo, whose rate lies above every comparison municipality before the start.\n"
        "* **Synthetic control** – Oslo against a weighted combination of municipalities, "
        "level-adjusted and on log rates; ranked on the gap after the start.\n"
        "* **Difference-in-differences** on log rates – permutation over the pool; the text gives the "
        "HonestDiD breakdown value (how large trend differences would have to be to flip the sign) "
        "instead of a pass/fail test of parallel trends.\n"
        "* **Interrupted time series** – Oslo's own series, ranked against every municipality's own "
        "series.\n\n"
        "Each outcome has one primary design, chosen from its power on municipalities without the "
        "money (never from Oslo's result), and its p-value is adjusted for the outcomes of the same "
        "family (Holm). Poisson difference-in-differences with cluster-robust errors and the time "
        "series against the rest of Norway are shown for comparison but do not count: their "
        "model-based p-values are too small with one treated unit. The verdict per outcome can be "
        "'inconclusive'.",
    },
    "03.own_funding": {
        "nb": "Figuren, dose–respons-analysen og midlenes andel av budsjettet bygger på analytikerens "
        "egen tildelingstabell {file} (summen av radene for kommunen og dens bydeler per år), ikke på "
        "tabellen over.",
        "en": "The figure, the dose–response analysis and the funding's share of the budget use the "
        "analyst's own funding table {file} (the sum of the rows for the municipality and its bydeler "
        "per year), not the table above.",
    },
    "03.funding": {
        "nb": "Beløpene er slik de er oppgitt i offentlige kilder (forslag, vedtak og nyhetsomtale), ikke "
        "reviderte regnskap. Figuren viser Oslo-spesifikke politimidler; år uten oppgitt beløp er "
        "antatt videreført og skravert.",
        "en": "Amounts are as stated in public sources (proposals, decisions and news reports), not audited "
        "accounts. The figure shows Oslo-specific police money; years without a stated amount are "
        "assumed continued and hatched.",
    },
    "03.per_outcome": {
        "nb": "Øverst: Oslo mot syntetisk kontroll (nivåjustert, log-rater per 1\u00a0000; donorer er "
        "kommunene i sammenligningsutvalget) og placebo-avvik (grå: hver donor behandlet som om den var "
        "Oslo; vist for donorer med tilpasning før start høyst 5 ganger dårligere enn Oslos). Nederst: "
        "hendelsesstudie (forskjell-i-forskjeller per periode mot sammenligningsgruppen, på log-rater; "
        "trendtesten i tittelen er modellbasert og avgjør ingenting) og Oslos egen tidsserie med "
        "kontrafaktisk trend; tidsseriens tall er nivåendringen ved start, mens linja etter start også "
        "viser endringen i helning, som ikke inngår i tallet. 2019-2020 er utelatt fra paneldesignene (for få kommuner i kilden).",
        "en": "Top: Oslo against its synthetic control (level-adjusted, log rates per 1,000; donors are "
        "the municipalities of the comparison pool) and placebo gaps (grey: each donor treated as if it "
        "were Oslo; shown for donors whose pre-start fit is at most 5 times worse than Oslo's). Bottom: "
        "event study (difference-in-differences per period against the comparison group, on log "
        "rates; the trend test in its title is model-based and decides nothing) and Oslo's own series "
        "with its counterfactual trend; the series' number is the level change at the start, while "
        "the line after the start also shows the change in slope, which is not in the number. "
        "2019-2020 is left out of the panel designs (too few "
        "municipalities in the source).",
    },
    "03.timing": {
        "nb": "Regelen med valgt start, ett år tidligere og ett år senere, og uten koronaperiodene "
        "(hoveddesignet per utfall)",
        "en": "The rule with the chosen start, one year earlier and one year later, and without the "
        "COVID periods (the primary design per outcome)",
    },
    "03.all_designs": {
        "nb": "Alle design for alle utfall. p-verdiene er også justert for flere tester innen hver "
        "utfallsfamilie (Holm). Figuren viser rateforhold (1 = ingen endring); grå, åpne punkter "
        "teller ikke med i konklusjonen.",
        "en": "Every design for every outcome. The p-values are also adjusted for multiple tests within "
        "each outcome family (Holm). The figure shows rate ratios (1 = no change); grey open points "
        "do not count in the verdict.",
    },
    "03.supplementary": {
        "nb": "**Dose–respons**: bevilgning per innbygger mot utfallet. Bare Oslo får midler, så stigningen er "
        "identifisert fra Oslos egen tidsutvikling – samme svakhet som forskjell-i-forskjeller. "
        "**Forflytning**: flyttet kriminaliteten seg til nabokommunene (Bærum, Asker, Lillestrøm …)?",
        "en": "**Dose–response**: money per inhabitant against the outcome. Only Oslo is funded, so the "
        "slope is identified from Oslo's own time path – the same weakness as difference-in-differences. "
        "**Displacement**: did crime move to the neighbouring municipalities (Bærum, Asker, Lillestrøm …)?",
    },
    "04.intro": {
        "nb": "Påstanden i trusselvurderingen gjelder også *flere straffesaker, beslag og inndragninger*. "
        "Offentlige kilder gir bare **spredte nøkkeltall** for dette – ingen tidsserie per distrikt eller "
        "bydel – så de vises som det de er, uten årsaksanslag. Med politiets egne data kjøres "
        "bydelsdesignene på side 6.",
        "en": "The threat assessment's claim also covers *more criminal cases, seizures and confiscations*. "
        "Public sources give only **scattered key figures** for these – no series by district or city "
        "district – so they are shown as what they are, without a causal estimate. With the police's own "
        "data the bydel designs run on page 6.",
    },
    "04.keyfigures_caveat": {
        "nb": "Tallene har ulike definisjoner og kilder (SSB, politiet, nyhetsmedier), og Oslo politidistrikt "
        "omfatter Asker og Bærum fra 1. mai 2017. **Ingen effekt kan anslås fra dem.** Kolonnen "
        "«Kildens betegnelse» gjengir kilden ordrett.",
        "en": "The figures have different definitions and sources (Statistics Norway, the police, news "
        "media), and Oslo police district includes Asker and Bærum from 1 May 2017. **No effect can be "
        "estimated from them.** The column 'Wording in the source' quotes the source verbatim.",
    },
    "04.own_data": {
        "nb": "Politiets egne tall (straffesaker, beslag, inndragning per bydel) analyseres på side 6, "
        "bydeler mot bydeler.",
        "en": "The police's own figures (cases, seizures, confiscations by bydel) are analysed on page "
        "6, bydeler against bydeler.",
    },
    "05.intro": {
        "nb": "Én side: årets konklusjon per utfall, hvilke design som teller med, og forbeholdene.",
        "en": "One page: this year's verdict per outcome, which designs count, and the caveats.",
    },
}
