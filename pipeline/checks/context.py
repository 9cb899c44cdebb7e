"""What a sentence is about: the subjects, entities, periods and windows it names, clause by clause.

Read from the normalised sentence (normalise.py). A clause is cut at `, ; :` and at but/while/whereas/
although/however, and at "and" once the clause already holds a number ("revenue grew 24% and margins fell",
not "Xiaomi and Kingsoft ecosystem revenue"). A clause that names no subject of its own ("..., and 39% quarter
over quarter", "its growth was 19.89%") carries the subject of the clause before it.

Periods and windows are scoped by segment (a clause, further cut at from/versus/against/than/after/before):
a number takes the periods of its own segment, or else those of segments that hold no number ("At the end
of FY2023, debt-to-equity was 1.30"), so in "net margin improved to -10.8% from -25.3% in FY2024" only
-25.3% is read as FY2024.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.checks.qualifiers import period_of
from pipeline.checks.vocabulary import (
    ALSO,
    AROUND_NUMBERS,
    BASIS_WORDS,
    CONTAINERS,
    PHRASES,
    QUALIFIERS,
    STOPWORDS,
)

_CLAUSE_CUT = re.compile(r";|[,:](?!\d)|\b(?:but|while|whereas|although|though|however)\b", re.I)
_AND = re.compile(r"\band\b", re.I)
_SEGMENT_CUT = re.compile(r"\b(?:from|versus|vs\.?|against|compared (?:with|to)|than|after|before)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'&]*")
# A subject named as a loss is a negative figure: "net loss", "operating loss", "investing outflows", "cash
# used in investing", "a deficit"; or with a sign word right before it: "negative free cash flow".
NEGATIVE_NAMING = re.compile(r"\b(?:loss(?:es)?|deficits?|outflows?|used|burn\w*)\b", re.I)
_NEGATIVE_BEFORE = re.compile(r"\b(?:negative|minus)\s+$", re.I)


def negated_concepts(text: str, mentions: Sequence[Mention]) -> set[str]:
    """The subjects `text` names as a loss (see NEGATIVE_NAMING): their figures are negative."""
    return {
        m.key
        for m in mentions
        if NEGATIVE_NAMING.search(text, m.start, m.end)
        or _NEGATIVE_BEFORE.search(text[max(0, m.start - 20) : m.start])
    }


@dataclass(frozen=True)
class Period:
    """A period a sentence names: kind TTM | FY | Q | H | prior, with its year when written."""

    kind: str
    year: int | None = None
    month: int | None = None  # a TTM's last month ("TTM to Sep 2025")
    base: bool = False  # the base of a comparison ("against FY2021", "compared with TTM to Sep 2016")
    number: int | None = None  # which quarter (1-4) or half (1-2), when written ("Q3", "first half")


_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_PERIOD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b(?:ttm|ltm)(?:[\s-]+to)?[\s-]+{_MON}[\s-]+(?P<year>(?:19|20)\d{{2}})\b", re.I), "TTM"),
    (
        re.compile(
            r"\b(?:ttm|ltm|trailing[\s-]+(?:twelve|12)[\s-]+months?|(?:last|latest)[\s-]+(?:twelve|12)"
            r"[\s-]+months?|trailing(?![\s-]+(?:the|by|its|peers?|benchmark)\b))\b(?![\s-]+(?:to[\s-]+)?"
            r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[\s-]+(?:19|20)\d\d)",
            re.I,
        ),
        "TTM",
    ),
    (
        re.compile(
            r"\b(?:fy|cy)[\s'-]?(?P<year>(?:19|20)?\d{2})\b|\bfiscal(?:[\s-]+year)?[\s-]+(?P<y2>(?:19|20)\d{2})\b"
            r"|\bfull[\s-]+year[\s-]+(?P<y3>(?:19|20)\d{2})\b|\b(?P<y4>(?:19|20)\d{2})[\s-]+fiscal[\s-]+year\b",
            re.I,
        ),
        "FY",
    ),
    (
        re.compile(
            r"\b(?:fiscal[\s-]+years?|full[\s-]+years?|annual|annually|for\s+the\s+(?:full\s+)?year|fy)\b",
            re.I,
        ),
        "FY",
    ),
    (
        re.compile(
            r"\b(?:q[1-4]|[1-4]q)(?:[\s'-]*(?:fy)?(?P<year>(?:19|20)?\d{2}))?\b|\b(?:first|second|third|fourth)"
            r"[\s-]+quarter\b|\bquarter(?:ly)?\b|\bq/q\b|\bqoq\b",
            re.I,
        ),
        "Q",
    ),
    (re.compile(r"\b(?:h[12]|[12]h|first half|second half|half[\s-]year)\b", re.I), "H"),
    (
        re.compile(
            r"\b(?:a year (?:earlier|before|ago)|prior[\s-]years?|previous years?|the year before|last year|"
            r"year[\s-]ago)\b",
            re.I,
        ),
        "prior",
    ),
)
_WINDOW_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:(?:past|last|one|1)[\s-]+month|1m|month[\s-]+to[\s-]+date)\b", re.I), "1M"),
    (re.compile(r"\b(?:(?:past|last)[\s-]+)?(?:three|3)[\s-]+months?\b|\b3m\b|\bpast quarter\b", re.I), "3M"),
    (re.compile(r"\b(?:(?:past|last)[\s-]+)?(?:six|6)[\s-]+months?\b|\b6m\b", re.I), "6M"),
    (re.compile(r"\b(?:ytd|year[\s-]+to[\s-]+date|so far this year)\b", re.I), "YTD"),
    (
        re.compile(
            r"\b(?:(?:past|last|one|1)[\s-]+year|(?:12|twelve)[\s-]+months?|1y|52[\s-]+weeks?)\b", re.I
        ),
        "1Y",
    ),
)


@dataclass(frozen=True)
class Mention:
    key: str
    start: int
    end: int


class Lexicon:
    """The vocabulary plus one bundle's entities ("company", "peer:N", "benchmark"), as one phrase matcher."""

    def __init__(self, entities: Mapping[str, Sequence[str]] | None = None) -> None:
        self.entities = {k: tuple(v) for k, v in (entities or {}).items()}
        names = {
            _squash(a): f"entity:{key}"
            for key, aliases in self.entities.items()
            for a in aliases
            if a.strip()
        }
        self.table = {**_vocabulary_table(), **names}
        self.pattern = _compiled(_trie_pattern(sorted(names)))
        self.entity_words = frozenset(
            w for aliases in self.entities.values() for a in aliases for w in _stems(a)
        )

    def mentions(self, text: str) -> list[Mention]:
        out = []
        for m in self.pattern.finditer(text):
            squashed = _squash(m.group(0))
            key = self.table.get(squashed)
            if key is not None:
                out.append(Mention(key, m.start(), m.end()))
                if squashed in ALSO:
                    out.append(Mention(ALSO[squashed], m.start(), m.end()))
        for key, pattern in _AROUND.items():
            out += [Mention(key, m.start(), m.end()) for m in pattern.finditer(text)]
        return sorted(out, key=lambda m: m.start)


_AROUND = {key: re.compile(pattern, re.I) for key, pattern in AROUND_NUMBERS.items()}


@functools.lru_cache(maxsize=1)
def _vocabulary_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, phrases in PHRASES.items():
        for p in phrases:
            table.setdefault(_squash(p), key)
    return table


@functools.lru_cache(maxsize=256)
def _compiled(entity_pattern: str) -> re.Pattern[str]:
    """Names first (a peer's "Cloud Music"), then the vocabulary, built once."""
    vocabulary = _trie_pattern_cached(tuple(sorted(_vocabulary_table())))
    names = f"(?:{entity_pattern})|" if entity_pattern else ""
    return re.compile(rf"(?<![A-Za-z0-9])(?:{names}(?:{vocabulary}))(?![A-Za-z0-9])", re.I)


@functools.lru_cache(maxsize=8)
def _trie_pattern_cached(phrases: tuple[str, ...]) -> str:
    return _trie_pattern(phrases)


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regex for many phrases, factored as a trie (a plain alternation of ~700 phrases is tried one by one
    at every position). Longer phrases win: every optional tail is greedy. A space matches spaces or hyphens."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [
            (r"[\s-]+" if ch == " " else re.escape(ch)) + build(child) for ch, child in node.items() if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _squash(text: str) -> str:
    """The table key of a phrase: lower case, one space for any run of spaces and hyphens
    ("Debt-to-Equity" -> "debt to equity")."""
    return re.sub(r"[\s-]+", " ", text.lower()).strip()


_SUFFIXES = (
    ("izations", "iz"),
    ("isations", "is"),
    ("ization", "iz"),
    ("isation", "is"),
    ("ations", "at"),
    ("ation", "at"),
    ("ments", ""),
    ("ment", ""),
    ("nesses", ""),
    ("ness", ""),
    ("ities", "it"),
    ("ity", "it"),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
    ("ly", ""),
)


@functools.lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    """A light suffix stripper: "authorized", "authorization" -> "authoriz"; "repurchases" -> "repurchas"."""
    w = word.lower().strip("'&")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, repl in _SUFFIXES:
        if (
            w.endswith(suffix)
            and len(w) - len(suffix) >= 3
            and not (suffix == "s" and w.endswith(("ss", "us", "is")))
        ):
            w = w[: -len(suffix)] + repl
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def word_stem(word: str) -> str:
    """The stem this module compares words by (see `_stem`): "vaccines" -> "vaccin"."""
    return _stem(word)


def _stems(text: str) -> list[str]:
    return [_stem(m.group(0)) for m in _WORD.finditer(text)]


_STOP_STEMS = frozenset(_stem(w) for w in STOPWORDS) | frozenset(
    _stem(p) for p in PHRASES["growth"] if " " not in p
)
_BASIS_STEMS = frozenset(_stem(w) for w in BASIS_WORDS)
_PART_STEMS = frozenset(
    _stem(w) for w in ("segment", "segments", "division", "divisions", "business", "unit")
)


def content_tokens(text: str, lexicon: Lexicon, skip: Iterable[tuple[int, int]] = ()) -> frozenset[str]:
    """Distinctive words of `text` outside the `skip` spans: stems, minus stop words, direction words,
    measurement words ("adjusted", "constant currency") and the company's own name (every sentence of a
    report is about the company)."""
    for s, e in skip:  # blank the skipped spans (same length): the words left are the ones to read
        text = text[:s] + " " * (e - s) + text[e:]
    out = set()
    for m in _WORD.finditer(text):
        stem = _stem(m.group(0))
        if (
            len(stem) > 1
            and stem not in _STOP_STEMS
            and stem not in _BASIS_STEMS
            and stem not in lexicon.entity_words
        ):
            out.add(stem)
    return frozenset(out)


_LINKS = frozenset({"from", "of", "in", "at", "for"})
_VERB_CUES = frozenset(
    {
        "to",
        "will",
        "we",
        "i",
        "they",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "must",
        "not",
        "you",
        "it",
        "did",
        "do",
        "does",
    }
)


@dataclass(frozen=True)
class Modifiers:
    words: frozenset[str] = frozenset()
    proper: frozenset[str] = frozenset()  # those written as names ("AI", "Xiaomi"): surely scope, not verbs


def modifiers(
    text: str, mentions: Sequence[Mention], lexicon: Lexicon, skip: Iterable[tuple[int, int]] = ()
) -> Modifiers:
    """Words that narrow a subject's scope: the distinctive words right before a subject ("public cloud
    revenue", "enterprise cloud revenue") and after "from/of/in/at/for" right after it ("revenue from Xiaomi").
    Measurement words ("diluted", "adjusted", "total", BASIS_WORDS) and the company's own name do not count.
    Without a part-of-speech tagger some are verbs ("management plans capex"), so `proper` keeps apart the
    ones written as names."""
    blanked = text
    for s, e in skip:  # a number ends a noun phrase: "granted 4,402,557 restricted share units"
        blanked = blanked[:s] + "#" * (e - s) + blanked[e:]
    # participles are verbs more often than scope words ("generated free cash flow", "continuing operations")
    words = [
        (
            m.start(),
            m.end(),
            "" if re.search(r"(?:ed|ing)$", m.group(0), re.I) and len(m.group(0)) > 4 else _stem(m.group(0)),
        )
        for m in _WORD.finditer(blanked)
    ]
    stems = {m.start(): _stem(m.group(0)) for m in _WORD.finditer(blanked)}
    inside = [(m.start, m.end) for m in mentions]
    out: set[str] = set()
    proper: set[str] = set()

    def usable(stem: str) -> bool:
        return len(stem) > 1 and stem not in _STOP_STEMS and stem not in _BASIS_STEMS

    def add(start: int, end: int, stem: str) -> None:
        out.add(stem)
        word = blanked[start:end]
        if any(c.isupper() for c in word[1:]) or (word[:1].isupper() and blanked[:start].strip()):
            proper.add(stem)  # "AI", "Xiaomi" mid-sentence: a name, so a scope; not "Enterprise" opening it

    for m in mentions:
        if m.key.startswith("entity:") or m.key in QUALIFIERS:
            continue
        edge = m.start
        preceding = [w for w in words if w[1] <= m.start]
        parts = 0  # "segment" does not count against the phrase's three words
        for k in range(len(preceding) - 1, -1, -1):
            start, end, stem = preceding[k]
            if len(preceding) - k > 3 + parts:
                break
            if any(a <= start < b for a, b in inside) or re.search(r"[^\sA-Za-z'&-]", blanked[end:edge]):
                break  # another subject or punctuation: the noun phrase ends here
            if k and preceding[k - 1][2] in _VERB_CUES:
                break  # "to keep capex", "we expect revenue": a verb, not a scope word
            edge = start
            if stem in _PART_STEMS:
                parts += 1
                continue  # "the Beauty segment's sales": the part's name comes before "segment"
            if parts and stems[start] not in _PART_STEMS:
                # the words before "segment" name a part, so they are a scope whatever their case or form
                # ("grooming segment", "beauty segment"), not a verb
                stem = stems[start]
                if stem in lexicon.entity_words or stem in _BASIS_STEMS:
                    continue
                if not usable(stem):
                    break
                add(start, end, stem)
                proper.add(stem)
                continue
            if stem in lexicon.entity_words or stem in _BASIS_STEMS:
                continue
            if not usable(stem):
                break
            add(start, end, stem)
        after = [w for w in words if w[0] >= m.end]
        if after and after[0][2] in _LINKS and not blanked[m.end : after[0][0]].strip():
            edge = after[0][1]
            for start, end, stem in after[1:4]:
                if any(a <= start < b for a, b in inside) or re.search(
                    r"[^\sA-Za-z'&-]", blanked[edge:start]
                ):
                    break
                edge = end
                if stem in lexicon.entity_words or stem in _BASIS_STEMS:
                    continue
                if not usable(stem):
                    break
                add(start, end, stem)
    return Modifiers(frozenset(out), frozenset(proper))


@dataclass
class Clause:
    start: int
    end: int
    concepts: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    modifiers: Modifiers = Modifiers()
    phrase_words: frozenset[str] = frozenset()  # the words of its vocabulary phrases ("capital", "spend")
    names_subject: bool = False  # the clause itself names a subject, entity or other distinctive word
    negated: set[str] = field(default_factory=set)  # subjects named as a loss ("net loss", "negative FCF")
    has_number: bool = False  # holds a figure (not only a period label or a year)


@dataclass
class Segment:
    start: int
    end: int
    periods: list[Period] = field(default_factory=list)
    windows: set[str] = field(default_factory=set)
    has_number: bool = False
    comparison: bool = False  # starts with from/versus/against/than...: a base, its period stays its own


def _cuts(
    text: str,
    number_spans: Sequence[tuple[int, int]],
    extra: re.Pattern[str] | None,
    mentions: Sequence[Mention] = (),
) -> list[int]:
    cuts = [m.start() for m in _CLAUSE_CUT.finditer(text)]
    if extra is not None:
        cuts += [m.start() for m in extra.finditer(text)]
    for m in _AND.finditer(text):
        last = max((c for c in cuts if c < m.start()), default=0)
        inside_phrase = any(x.start < m.start() < x.end for x in mentions)  # "cash and equivalents"
        if not inside_phrase and any(last <= s < m.start() for s, _ in number_spans):
            cuts.append(m.start())
    return sorted({0, *cuts, len(text)})


def clause_cuts(
    text: str, number_spans: Sequence[tuple[int, int]], mentions: Sequence[Mention] = ()
) -> list[int]:
    """Clause boundaries of a sentence (see the module docstring), as offsets with 0 and len(text)."""
    return _cuts(text, number_spans, None, mentions)


def _pieces(cuts: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


# A period right after a comparison word is the base of the comparison, not the period of the figure.
_BASE_BEFORE = re.compile(
    r"\b(?:against|compared (?:with|to)|versus|vs\.?|from|than|relative to)"
    r"(?:\s+(?:the|a|an|its|their))?\s*$",
    re.I,
)


def _periods(text: str, years: Iterable[tuple[int, int, int]]) -> list[tuple[int, Period]]:
    found: list[tuple[int, Period]] = []
    for pattern, kind in _PERIOD_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            year = next((int(g) for g in (groups.get(k) for k in ("year", "y2", "y3", "y4")) if g), None)
            if year is not None and year < 100:
                year += 2000
            month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else None
            base = bool(_BASE_BEFORE.search(text[max(0, m.start() - 40) : m.start()]))
            said = period_of(m.group(0)) if kind in ("Q", "H") else None
            number = said.number if said is not None and said.kind in ("quarter", "half") else None
            found.append((m.start(), Period(kind, year, month, base, number)))
    found += [
        (start, Period("year", y, None, bool(_BASE_BEFORE.search(text[max(0, start - 40) : start]))))
        for start, _, y in years
    ]
    return found


class SentenceContext:
    """Clauses, segments and mentions of one normalised sentence."""

    def __init__(
        self,
        text: str,
        lexicon: Lexicon,
        number_spans: Sequence[tuple[int, int]] = (),
        years: Iterable[tuple[int, int, int]] = (),
        figure_spans: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        """`number_spans`: every number; `figure_spans`: those that are figures (not period labels or years),
        which decide whether a segment's period is its own or the whole sentence's."""
        figures = number_spans if figure_spans is None else figure_spans
        self.text = text
        mentions = lexicon.mentions(text)
        self.mentions = mentions
        self.clauses: list[Clause] = []
        seen_concepts: set[str] = set()
        seen_tokens: set[str] = set()
        seen_entities: set[str] = set()
        for a, b in _pieces(_cuts(text, number_spans, None, mentions)):
            inside = [m for m in mentions if a <= m.start < b]
            skip = [(m.start - a, m.end - a) for m in inside] + [
                (s - a, e - a) for s, e in number_spans if a <= s < b
            ]
            clause = Clause(
                a,
                b,
                {m.key for m in inside if not m.key.startswith("entity:")},
                {m.key[7:] for m in inside if m.key.startswith("entity:")},
                set(content_tokens(text[a:b], lexicon, skip)),
                modifiers(
                    text[a:b],
                    [Mention(m.key, m.start - a, m.end - a) for m in inside],
                    lexicon,
                    [(s - a, e - a) for s, e in number_spans if a <= s < b],
                ),
            )
            clause.phrase_words = frozenset(w for m in inside for w in _stems(text[m.start : m.end]))
            clause.negated = negated_concepts(text, [m for m in inside if not m.key.startswith("entity:")])
            clause.has_number = any(a <= s < b for s, _ in figures)
            own = clause.concepts - QUALIFIERS - CONTAINERS
            clause.names_subject = bool(own or clause.entities or clause.tokens)
            if not own and not clause.tokens and self.clauses:
                # "..., and 39% quarter over quarter", "its growth was 19.89%": the subject said before
                clause.concepts |= seen_concepts - CONTAINERS
                clause.entities = clause.entities or set(seen_entities)
                if not clause.tokens:
                    clause.tokens |= seen_tokens
            seen_concepts |= clause.concepts
            seen_tokens |= clause.tokens
            seen_entities |= clause.entities
            self.clauses.append(clause)
        self.concepts = {m.key for m in mentions if not m.key.startswith("entity:")}
        self.entities = {m.key[7:] for m in mentions if m.key.startswith("entity:")}
        self.tokens = set(
            content_tokens(text, lexicon, [(m.start, m.end) for m in mentions] + list(number_spans))
        )
        for clause in self.clauses:  # "In 2022, Corning expects...": an opening phrase is about the sentence
            if clause.concepts - QUALIFIERS - CONTAINERS or clause.tokens or clause.entities:
                break
            clause.concepts |= self.concepts
            clause.tokens |= self.tokens
            clause.entities |= self.entities
        # Concepts of clauses without a figure: the setting of the others ("Without the model-read parts, the
        # score would be 47"; "In the second quarter, revenue grew 24%").
        self.setting = {k for c in self.clauses if not c.has_number for k in c.concepts}
        self.modifiers = modifiers(text, mentions, lexicon, number_spans)
        self.phrase_words = frozenset(w for m in mentions for w in _stems(text[m.start : m.end]))
        periods = _periods(text, years)
        windows = [(m.start(), key) for pattern, key in _WINDOW_PATTERNS for m in pattern.finditer(text)]
        self.segments: list[Segment] = []
        for a, b in _pieces(_cuts(text, number_spans, _SEGMENT_CUT, mentions)):
            self.segments.append(
                Segment(
                    a,
                    b,
                    [p for at, p in periods if a <= at < b and not p.base],
                    {w for at, w in windows if a <= at < b},
                    any(a <= s < b for s, _ in figures),
                    bool(_SEGMENT_CUT.match(text, a)),
                )
            )
        # the periods the sentence's figures are about: not the base of a comparison ("up from 43.31% in FY2021")
        self.all_periods = [
            p
            for at, p in periods
            if not p.base and not any(s.comparison and s.start <= at < s.end for s in self.segments)
        ]

    def segment_at(self, pos: int) -> Segment | None:
        return next((s for s in self.segments if s.start <= pos < s.end), None)

    def clause_at(self, pos: int) -> Clause:
        return next((c for c in self.clauses if c.start <= pos < c.end), self.clauses[-1])

    def clause_text(self, pos: int) -> str:
        c = self.clause_at(pos)
        return self.text[c.start : c.end]

    def _scoped(self, pos: int) -> tuple[list[Period], set[str]]:
        own = next((s for s in self.segments if s.start <= pos < s.end), None)
        if own is not None and (own.periods or own.windows):
            return own.periods, own.windows
        clause = self.clause_at(pos)
        if not clause.names_subject:
            # "a full year EPS was a record $4.96, up 11.7%": a clause that continues the one before it
            # continues its period too
            for before in reversed([c for c in self.clauses if c.end <= clause.start]):
                said = [s for s in self.segments if before.start <= s.start < before.end and not s.comparison]
                periods = [p for s in said for p in s.periods if p.kind != "prior"]
                if periods or any(s.windows for s in said):
                    return periods, {w for s in said for w in s.windows}
                if before.names_subject:
                    break
        free = [s for s in self.segments if not s.has_number and not s.comparison]
        # "a year earlier" spreads to no other segment ("no like-for-like period a year earlier")
        return [p for s in free for p in s.periods if p.kind != "prior"], {w for s in free for w in s.windows}

    def periods_for(self, pos: int) -> list[Period]:
        periods = self._scoped(pos)[0]
        own = next((s for s in self.segments if s.start <= pos < s.end), None)
        if (
            not periods
            and own is not None
            and "growth" in self.concepts
            and re.match(r"\s*from\s+(?:about\s+|roughly\s+)?\S{0,4}\d", self.text[own.start : own.end], re.I)
        ):
            # "rose to $14.84 billion from $14.47 billion": the base of a change is the period before
            return [Period("prior")]
        return periods

    def windows_for(self, pos: int) -> set[str]:
        return self._scoped(pos)[1]


def named_by(alternatives: Sequence[frozenset[str]], concepts: set[str]) -> frozenset[str] | None:
    """The first alternative (a set of concepts) whose concepts all appear, or None."""
    return next((alt for alt in alternatives if alt and alt <= concepts), None)
