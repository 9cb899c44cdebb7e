"""How the sign of a written number is read: the minus a reader sees, in any of the ways prose writes it.

A written number is negative when (docs/number-checks.md, Signs):
  * a minus sign stands right before it, glued or with one space: "-16.19%", "- 16.19%", "− 16.19%" (U+2212),
    "‒ 16.19%" (figure dash), "➖ 16.19%", "-RMB 9.02 billion", "RMB -9.02 billion"; an en dash only when glued
    ("–16.19%": a spaced en dash is punctuation, "margin – 16.19% – held"). A dash after a digit, "%" or a
    closing bracket is a range or a subtraction ("40%-45%", "2023 - 2024"), never a sign;
  * a sign word stands right before it: "minus 16.19%", "negative 16.19%", "a loss of RMB 973 million",
    "outflows of RMB 5.44 billion", "lost RMB 973 million", "burned RMB 1.2 billion"; or right after it:
    "a RMB 973 million loss", "a 10.78% loss", "an RMB 5.44 billion outflow";
  * accounting parentheses. Parentheses *inside* an amount ("RMB (9.02) billion", "RMB (9.02 billion)",
    "$(1.2)B") or with the unit outside them ("(16.19)%", "(9.02) billion") are always a negative. Parentheses
    around a whole figure ("(16.19%)", "(RMB 9.02 billion)", "(1.2)") are a negative where a value is expected:
    after "was/were/is/of/at/to/reached/stood/totalled/...", after ":" or "=", or opening the text; anywhere
    else (after a noun: "the equity ratio (26.28%)") they are an aside and the figure is positive as written.

A negative reading must match a fact of that sign (match.py); so must a figure its sentence names by a loss
("net loss was RMB 973 million": `context.NEGATIVE_NAMING`).
"""

from __future__ import annotations

import re

MINUS_BEFORE = re.compile(r"(?:^|(?<=[\s(\[:=/]))(?P<minus>-)[ \t]$")
_RANGE_BEFORE = re.compile(r"[\d%)\]]\s*-[ \t]$")
_APPROX = (
    r"(?:(?:about|around|roughly|nearly|almost|approximately|some|over|more\s+than|less\s+than"
    r"|just\s+over|just\s+under|close\s+to)\s+)?"
)
SIGN_WORD_BEFORE = re.compile(
    r"\b(?:(?P<word>minus|negative)(?:\s+(?:at|of))?"
    r"|(?:an?\s+)?(?:net\s+)?(?:loss(?:es)?|deficits?|outflows?|shortfalls?)\s+of"
    rf"|lost|loses|losing|burn(?:ed|t|s|ing)?)\s+{_APPROX}$",
    re.I,
)
SIGN_WORD_AFTER = re.compile(r"^\s*(?:net\s+|operating\s+|cash\s+)?(?:loss(?:es)?|deficit|outflows?)\b", re.I)
# Where a value is expected, so "(16.19%)" reads as an accounting negative, not an aside.
VALUE_BEFORE = re.compile(
    r"(?:^|[:=]|\b(?:was|were|is|are|be|been|being|of|at|to|reached|reaching|reaches|stood|stands|stand|"
    r"totall?ed|totall?ing|totals|came\s+(?:in\s+)?(?:at|to)|amounted\s+to|hit|posted|reported|recorded|"
    r"equals?|equall?ed|minus|negative|by))\s*$",
    re.I,
)


def spaced_minus(before: str) -> int | None:
    """The offset in `before` of a minus sign written with one space before the number ("was − 16.19%"), or
    None; never the dash of a range or a subtraction ("40 - 45%")."""
    m = MINUS_BEFORE.search(before)
    if m is None or _RANGE_BEFORE.search(before):
        return None
    return m.start("minus")


def sign_word_before(before: str) -> int | None:
    """Where a sign word before the number makes it negative: the offset of "minus"/"negative" in `before`
    (the written number then includes it), len(before) for the others ("a loss of"), or None."""
    tail = before[-60:]
    m = SIGN_WORD_BEFORE.search(tail)
    if m is None:
        return None
    return len(before) - len(tail) + m.start("word") if m.group("word") else len(before)


def sign_word_after(after: str) -> bool:
    return SIGN_WORD_AFTER.match(after[:40]) is not None


def value_expected(before: str) -> bool:
    """A whole figure in parentheses after this text is an accounting negative ("was (16.19%)")."""
    return VALUE_BEFORE.search(before[-40:]) is not None
