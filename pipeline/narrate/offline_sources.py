"""Rule-based earnings-call and events prose for the offline model (lexicon rules over the fenced data).

Tone: the one tone lexicon and formula (pipeline/checks/tone.py, `tone_label`: score above 0.2 Positive,
below -0.2 Negative, else Neutral; two tone words at least for a whole passage), the same lexicon the
evidence check reads the quotes with. Updates are sentences of that tone holding a figure, prepared remarks
before Q&A, one per topic; sentences that read like instructions to a model, safe-harbour boilerplate and
filler talk are never quoted.
Evidence: up to two sentences of the data that lean most towards the label (any two for Neutral), quoted
verbatim, so the label passes the evidence check (pipeline/checks/evidence.py) like a hosted model's must.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.checks.tone import tone_label, tone_lean

INSUFFICIENT = "insufficient data"


# Sentences that read like instructions to a model are never quoted, whatever the data says.
_INJECTION = re.compile(
    r"ignore\b.*\b(instruction|previous|prior|above)|disregard|system prompt|you are now|"
    r"rate this stock|&lt;",
    re.I,
)
_SENT = re.compile(r"(?<=[.!?])\s+")


def _without_injection(line: str) -> str:
    """The line minus its instruction-like sentences. Dropping only those sentences (not the whole line)
    means a genuine highlight with an injection appended still counts, so the injection moves no label."""
    if not _INJECTION.search(line):
        return line
    return " ".join(x for x in _SENT.split(line) if x.strip() and not _INJECTION.search(x))


# Safe-harbour boilerplate and filler talk are never updates.
_BOILERPLATE = re.compile(
    r"forward-looking|safe harbor|risk factors|uncertainties|form 10-[kq]|sec filings|non-gaap|"
    r"reconciliation|"
    r"^(i mean|so|yeah|okay|well|thank|thanks|good morning|hi)\b",
    re.I,
)
_FIGURE = re.compile(
    r"\d(?:[\d,.]*\d)?\s*(?:%|percent|basis points|bps|billion|million|x\b)|[$€£¥]\s?\d|RMB\s?\d", re.I
)

_TOPICS = (  # first match names an update: (pattern, topic)
    (r"\b(revenue|sales|billings)\b", "Revenue"),
    (r"\bmargin", "Margins"),
    (r"\b(eps|earnings|profit|income)\b", "Earnings"),
    (r"\b(cash flow|free cash|liquidity)\b", "Cash flow"),
    (r"\b(dividend|buyback|repurchase|capital return)", "Capital returns"),
    (r"\b(demand|customers?|orders|bookings)\b", "Demand"),
    (r"\b(cost|expense|capex|spending)", "Costs and investment"),
    (r"\b(guidance|outlook|expect)", "Outlook"),
)


def _evidence(sentences: list[str], tone: str, n: int = 2) -> list[str]:
    """Up to `n` sentences (20-300 characters) that lean most towards `tone`, in their order in the data."""
    usable = list(dict.fromkeys(x for x in sentences if 20 <= len(x) <= 300 and not _INJECTION.search(x)))
    if tone == "Positive":
        picked = sorted((x for x in usable if tone_lean(x) > 0), key=tone_lean, reverse=True)[:n]
    elif tone == "Negative":
        picked = sorted((x for x in usable if tone_lean(x) < 0), key=tone_lean)[:n]
    else:
        picked = usable[:n]
    return [x for x in usable if x in picked][:n]


def _sentences(lines: list[str]) -> list[str]:
    return [x.strip() for ln in lines for x in _SENT.split(ln) if x.strip()]


def _title(sentence: str, positive: bool) -> str:
    topic = next((t for pat, t in _TOPICS if re.search(pat, sentence, re.I)), "Business")
    return f"{topic} {'strength' if positive else 'pressure'}"


def _call_sentences(transcript: str) -> tuple[list[str], list[str]]:
    """Usable sentences of the prepared remarks and of the Q&A, speaker labels and questions removed."""
    prepared, _, qa = transcript.partition("## Questions and answers")
    parts = []
    for text in (prepared, qa):
        out = []
        for para in re.split(r"\n\s*\n|\n", text):
            para = re.sub(r"^[^:\n]{1,60}:\s+", "", para.strip()).replace(" [...]", "")
            out += [x.strip() for x in _SENT.split(para)]
        parts.append(
            [
                x
                for x in out
                if 30 <= len(x) <= 300
                and not x.endswith("?")
                and not _INJECTION.search(x)
                and not _BOILERPLATE.search(x)
                and not x.startswith("#")
            ]
        )
    return parts[0], parts[1]


def _unique(sentences: list[str], n: int) -> list[str]:
    seen: set[str] = set()
    out = []
    for x in sentences:
        topic = _title(x, True)
        if topic not in seen:
            seen.add(topic)
            out.append(x)
    return out[:n]


def _topic(sentence: str) -> str:
    return next((t for pat, t in _TOPICS if re.search(pat, sentence, re.I)), "the business").lower()


def _call_summary(what: str, tone: str, plus: list[str], minus: list[str]) -> str:
    """The call's tone, then its strongest highlight and its main concern, each quoted as one sentence and
    introduced by what it is about (the quotes stay verbatim, so the evidence and number checks can match)."""
    lead = {"Positive": "Positive on balance", "Negative": "Negative on balance"}.get(
        tone, "Neutral, with no clear lean either way"
    )
    summary = f"{what} read {lead}."
    if plus:
        summary += f" The strongest point was on {_topic(plus[0])}: {_SENT.split(plus[0])[0]}"
    if minus:
        joiner = " Against that, the main concern was" if plus else " The main concern was"
        summary += f"{joiner} {_topic(minus[0])}: {_SENT.split(minus[0])[0]}"
    return summary


def _from_call_notes(facts: dict[str, Any], notes: str) -> dict[str, Any]:
    """No transcript, but the bundle's reported highlights: tone over them, quoting the first of each side.

    The updates stay empty: the report shows the bundle's own highlights, so repeating them adds nothing."""
    lines = [ln for ln in map(_without_injection, notes.splitlines()) if ln.strip()]
    plus = [re.sub(r"^\+ [^:]{1,80}:\s*", "", ln) for ln in lines if ln.startswith("+ ")]
    minus = [re.sub(r"^- [^:]{1,80}:\s*", "", ln) for ln in lines if ln.startswith("- ")]
    guidance = [ln.removeprefix("guidance:").strip() for ln in lines if ln.startswith("guidance:")]
    tone = tone_label(" ".join(plus + minus))
    call = facts.get("call", {})
    quarter = call.get("quarter", INSUFFICIENT) if isinstance(call, dict) else INSUFFICIENT
    summary = _call_summary(f"The {quarter} call's reported highlights", tone, plus, minus)
    return {
        "summary": summary,
        "sentiment": tone,
        "evidence": _evidence(_sentences(plus + minus), tone),
        "positive_updates": [],
        "negative_updates": [],
        "guidance": _SENT.split(guidance[0])[0]
        if guidance
        else "Insufficient data: no guidance in the call notes.",
    }


def write_earnings_call(facts: dict[str, Any], transcript: str, notes: str = "") -> dict[str, Any]:
    """Lexicon rules: tone = (positive - negative words) / all such words; updates are sentences of that tone
    with a figure, prepared remarks before Q&A, one per topic; guidance: the first outlook line with one.
    Without a transcript, the bundle's call notes (reported highlights) are used instead."""
    if not transcript.strip() and notes.strip():
        return _from_call_notes(facts, notes)
    if not transcript.strip():
        return {
            "summary": "Insufficient data: the bundle has no earnings-call transcript.",
            "sentiment": "Insufficient data",
            "evidence": [],
            "positive_updates": [],
            "negative_updates": [],
            "guidance": "Insufficient data.",
        }
    prepared, qa = _call_sentences(transcript)
    sentences = prepared + qa
    numbered = [x for x in sentences if _FIGURE.search(x)]
    pos = _unique([x for x in numbered if tone_label(x, min_hits=1) == "Positive"], 3)
    neg = _unique([x for x in numbered if tone_label(x, min_hits=1) == "Negative"], 3)
    guide = [x for x in numbered if re.search(r"\b(guidance|outlook|expect\w*)\b", x, re.I)]
    tone = tone_label(" ".join(sentences))
    call = facts.get("call", {})
    quarter = call.get("quarter", INSUFFICIENT) if isinstance(call, dict) else INSUFFICIENT
    summary = _call_summary(f"The {quarter} earnings call", tone, pos, neg)
    return {
        "summary": summary,
        "sentiment": tone,
        "evidence": _evidence(sentences, tone),
        "positive_updates": [{"title": _title(x, True), "text": x} for x in pos],
        "negative_updates": [{"title": _title(x, False), "text": x} for x in neg],
        "guidance": guide[0]
        if guide
        else "Insufficient data: no guidance statement found in the transcript.",
    }


def write_events(facts: dict[str, Any], events: str) -> dict[str, Any]:
    ev = facts.get("events", {})
    if not ev.get("count"):
        return {
            "summary": "Insufficient data: the bundle lists no corporate events.",
            "sentiment": "Insufficient data",
            "evidence": [],
        }
    lines = [ln for ln in map(_without_injection, events.splitlines()) if ln.strip()]
    tone = tone_label(" ".join(lines))
    # each line is "- DATE [CATEGORY] TITLE: SUMMARY"; quote titles and summary sentences, not the prefix
    texts = [re.sub(r"^- \S+ \[[^\]]*\] ", "", ln) for ln in lines]
    return {
        "summary": f"The bundle lists {ev['count']} corporate events, the latest on {ev['latest']}. "
        + {
            "Positive": "Taken together they read Positive: the news flow supports the shares.",
            "Negative": "Taken together they read Negative: the news flow weighs on the shares.",
        }.get(
            tone,
            "Taken together they read Neutral: routine disclosures rather than news that moves the case.",
        ),
        "sentiment": tone,
        "evidence": _evidence(_sentences(texts), tone),
    }
