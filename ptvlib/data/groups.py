"""Offence groups: SSB's lovbruddsgrupper as sources and exports name them → the project's ids.

KRI002 (Oslo kommune) and police exports use SSB's Norwegian group names; the
project's tables use short English ids (``config.OFFENCE_GROUPS`` plus the
four groups that 08487 folds into ``other``).
"""

from __future__ import annotations

from ptvlib.basics.text import text_key

__all__ = ["GROUP_TEXTS", "group_id"]

#: SSB's lovbruddsgrupper (and common variants) → the project's offence groups.
GROUP_TEXTS: dict[str, str] = {
    "Alle lovbruddsgrupper": "total",
    "Lovbrudd i alt": "total",
    "I alt": "total",
    "Totalt": "total",
    "Eiendomstyveri": "property_theft",
    "Annet vinningslovbrudd": "other_profit",
    "Vold og mishandling": "violence",
    "Rusmiddellovbrudd": "drugs",
    "Ordens- og integritetskrenkelse": "public_order",
    "Trafikkovertredelse": "traffic",
    "Eiendomsskade": "criminal_damage",
    "Skadeverk": "criminal_damage",
    "Seksuallovbrudd": "sexual",
    "Annet lovbrudd": "other_offences",
}
_KEYS = {text_key(k): v for k, v in GROUP_TEXTS.items()}
_IDS = set(GROUP_TEXTS.values()) | {"other"}


def group_id(text: str) -> str | None:
    """The project's id of an offence-group name or id (None when not a known group).

    Examples
    --------
    >>> group_id("Vold og mishandling"), group_id("ORDENS- OG INTEGRITETSKRENKELSE"), group_id("drugs")
    ('violence', 'public_order', 'drugs')
    >>> group_id("Narkotikabeslag") is None
    True
    """
    if text in _IDS:
        return text
    return _KEYS.get(text_key(text))
