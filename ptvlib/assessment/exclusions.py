"""Municipalities left out of the comparison pools by default, and why units drop out of a pool.

Kept apart from :mod:`ptvlib.assessment.pools` so that the parameters
(:class:`~ptvlib.assessment.params.Params`, field ``excluded_regions``) can
take their default from here without an import circle.
"""

from __future__ import annotations

__all__ = ["DEFAULT_EXCLUDED", "DROP_REASONS"]

#: Municipalities left out of every pool by default (2024 codes), with the kind of site.
#:
#: An international airport or a border crossing puts offences detected there
#: (customs seizures, offences by travellers, traffic) into the municipality's
#: count, so its series follows the site, not the residents. The list is a
#: rule fixed before looking at any result — the municipalities that host (or,
#: for Eidsvoll, border) a major international airport serving a population
#: far larger than their own (Gardermoen, Værnes, Sola), and those of the two
#: main road border crossings (Svinesund, Storskog) — not a choice of the units
#: whose rates happen to stand out. The rates (mean per 1 000 over the periods
#: 2007-2008 … 2023-2024, as a multiple of the median of the 110
#: municipalities with at least 10 000 inhabitants in 2017; rank among them in
#: brackets) show which of them the sites dominate:
#:
#: * Ullensaker (3209), Oslo Airport Gardermoen: all offences 3.4× (1st),
#:   property theft 4.4× (1st), drugs 5.1× (1st), public order 3.7× (1st).
#: * Eidsvoll (3240), Gardermoen's neighbour on the E6 and rail corridor: all
#:   offences 1.3× (28th), traffic 2.4× (5th); its rate fell to 0.40 of the
#:   2007-2008 level by 2016-2017, the steepest fall of 91 municipalities.
#: * Stjørdal (5035), Trondheim Airport Værnes: all offences 1.2× (41st),
#:   drugs 1.3×, traffic 1.6×.
#: * Sola (1124), Stavanger Airport Sola: all offences 0.9× (68th), drugs 1.1×.
#: * Halden (3101), Svinesund, the main road crossing to Sweden: all offences
#:   2.1× (3rd), drugs 2.6× (2nd), public order 2.8× (4th), other 2.9× (1st).
#: * Sør-Varanger (5605), Storskog, the crossing to Russia: public order 2.9×
#:   (3rd), other 1.6× (4th), all offences 1.3× (20th).
#:
#: The sites dominate Ullensaker in every group and Halden in all but property
#: theft; Sør-Varanger in public order and "other" offences; Eidsvoll's series
#: breaks as no other municipality's does. Stjørdal's and Sola's rates do not
#: stand out: they are on the list because the rule is about the kind of site,
#: not the outcome (with the old pool Stjørdal was a donor of Oslo's drug
#: synthetic control, and leaving it out alone flipped that estimate's sign).
#: Nannestad (3238) holds part of the airport area but not the terminal; its
#: rates are below the median (all offences 0.74×, 91st of 110), so it stays in
#: the pool. Change the list with the ``excluded_regions`` parameter.
DEFAULT_EXCLUDED: dict[str, str] = {
    "3209": "airport",
    "3240": "airport",
    "5035": "airport",
    "1124": "airport",
    "3101": "border",
    "5605": "border",
}

#: Why a unit is not in a pool, by language (``{detail}`` is filled in).
DROP_REASONS: dict[str, dict[str, str]] = {
    "nb": {
        "police_district": "samme politidistrikt som den behandlede enheten",
        "airport": "internasjonal lufthavn i eller ved kommunen (anmeldelser fra lufthavnen)",
        "border": "grenseovergang i kommunen (anmeldelser fra grensen)",
        "excluded": "utelatt med parameteren excluded_regions",
        "missing": "mangler verdi for {detail}",
        "zero": "null anmeldelser i {detail}",
    },
    "en": {
        "police_district": "same police district as the treated unit",
        "airport": "international airport in or next to the municipality (offences recorded there)",
        "border": "border crossing in the municipality (offences recorded there)",
        "excluded": "left out with the excluded_regions parameter",
        "missing": "no value for {detail}",
        "zero": "no offences in {detail}",
    },
}
