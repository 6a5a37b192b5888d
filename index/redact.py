"""Personal identifiers taken out of text before it is kept: what readers type into the search box
and the comments they leave are written to the search analytics only after this.

Each kind of identifier is replaced by its name in brackets ("[email]", "[phone]"), so editors
still see that someone searched for, say, a case by IRD number. The patterns are deliberately
wide (a number that may be a phone number or an IRD number is taken out either way) and leave
alone what search queries often hold: years and year ranges, dates, amounts written with commas,
and short document numbers such as "I-07"."""

from __future__ import annotations

import re
from collections.abc import Callable

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card number]"
BANK = "[bank account]"
IRD = "[IRD number]"
NHI = "[NHI number]"
ID_NUMBER = "[passport or licence number]"
NUMBER = "[number]"

# Digits may be grouped by a space, a dash or a dot ("021 123 4567", "49-091-850").
_SEP = r"[ \-.]"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Bank accounts as New Zealanders write them: bank, branch, account, suffix (12-3456-7890123-00).
_BANK = re.compile(rf"(?<![\w-])\d{{2}}{_SEP}\d{{4}}{_SEP}\d{{7}}{_SEP}\d{{2,3}}(?![\w-])")
# Card numbers: 13 to 19 digits, in any grouping; only Luhn-valid ones count (see _card).
_CARD = re.compile(rf"(?<![\w-])\d(?:{_SEP}?\d){{12,18}}(?![\w-])")
# International numbers start with "+": "+64 21 123 4567", "+1 (415) 555-0123".
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d[\d \-.()]{5,22}\d(?![\w-])")
# IRD numbers: 8 or 9 digits, as one run or in threes ("49-091-850", "049 091 850").
_IRD = re.compile(rf"(?<![\w-])(?:\d{{2,3}}{_SEP}\d{{3}}{_SEP}\d{{3}}|\d{{8,9}})(?![\w-])")
# New Zealand numbers start with 0: "021 123 4567", "(09) 123-4567", "0800 123 456".
_NZ_PHONE = re.compile(rf"(?<![\w-])(?:\(0\d{{1,3}}\)|0\d{{1,3}}){_SEP}?\d{{3,4}}{_SEP}?\d{{3,4}}(?![\w-])")
# NHI numbers: three letters (never I or O), then four digits, or (the newer form) two digits
# and two letters: "ZZZ0016", "ZAC21AB".
_NHI = re.compile(r"(?<![\w-])[A-HJ-NP-Z]{3}(?:\d{4}|\d{2}[A-HJ-NP-Z]{2})(?![\w-])", re.IGNORECASE)
# Passports and driver licences: one or two letters and six or seven digits ("LA123456").
_ID_NUMBER = re.compile(r"(?<![\w-])[A-Z]{1,2}\d{6,7}(?![\w-])", re.IGNORECASE)
# Whatever else is a long run of digits (seven or more, grouped or not) is most likely a number
# that belongs to someone: a local phone number, a client or case number.
_LONG_NUMBER = re.compile(rf"(?<![\w-])\d(?:{_SEP}?\d){{6,}}(?![\w-])")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _luhn(digits: str) -> bool:
    """Whether `digits` passes the Luhn check that every payment card number passes."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _card(match: re.Match[str]) -> str:
    return CARD if _luhn(_digits(match.group())) else match.group()


def _international(match: re.Match[str]) -> str:
    return PHONE if 7 <= len(_digits(match.group())) <= 15 else match.group()


def _long_number(match: re.Match[str]) -> str:
    """Runs of years ("2019 2024", "2019-2024") and dates ("2025-03-01") stay; the rest goes."""
    groups = re.split(_SEP, match.group())
    if all(_YEAR.fullmatch(g) for g in groups):
        return match.group()
    if [len(g) for g in groups] in ([4, 2, 2], [2, 2, 4]) and any(_YEAR.fullmatch(g) for g in groups):
        return match.group()
    return NUMBER


_STEPS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL, EMAIL),
    (_BANK, BANK),
    (_CARD, _card),
    (_INTERNATIONAL, _international),
    (_IRD, IRD),
    (_NZ_PHONE, PHONE),
    (_NHI, NHI),
    (_ID_NUMBER, ID_NUMBER),
    (_LONG_NUMBER, _long_number),
)


def redact(text: str) -> str:
    """`text` with every email address, phone number, payment card, bank account, IRD, NHI,
    passport or licence number, and any other run of seven or more digits, replaced by the name
    of what it was in brackets. Never raises."""
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    return text
