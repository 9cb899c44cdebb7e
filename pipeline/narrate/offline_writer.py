"""Rule-based prose for the offline model: deterministic, and quoting only numbers present in the facts.

Each writer takes the section's prompt context (the facts and, for the earnings call and events, the data
text, as the prompt shows them); it returns a dict matching the section's answer schema (answers.py). Numbers are
copied as the facts format them ("-10.78%", "1.30", "RMB 9.02B"), so the number checker can match them.
Factor rules (thresholds on the headline period) are listed in `_POSITIVE` / `_NEGATIVE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pipeline.metrics.names import readable
from pipeline.narrate.offline_sources import write_earnings_call, write_events
from pipeline.narrate.prompt_context import PromptContext

INSUFFICIENT = "insufficient data"
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def num(text: object) -> float | None:
    """'-10.78%' -> -10.78, 'RMB 9.02B' -> 9.02 (sign kept), 'insufficient data' -> None."""
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        return None
    m = _NUM.search(str(text).replace(",", ""))
    if not m:
        return None
    value = float(m.group())
    return -abs(value) if str(text).lstrip().startswith("-") else value


def _h(facts: dict[str, Any], key: str) -> tuple[str, float | None]:
    """A figure as shown in facts and its value; 'valuation.pe_ratio' reads outside the headline period."""
    group, _, name = key.rpartition(".")
    shown = facts.get(group or "headline", {}).get(name, INSUFFICIENT)
    return shown, num(shown)


Rule = tuple[str, Callable[[dict[str, Any]], str | None]]


def _period(facts: dict[str, Any]) -> str:
    head = facts.get("headline", {})
    return str(head.get("period_name") or head.get("period") or "the latest period")


def _rule(key: str, test: Callable[[float], bool], title: str, text: str) -> Rule:
    """A factor that fires when the figure passes `test`; {v} its value, {p} the period, {b} the base period
    a change is measured against (the rule never fires for a change without one)."""

    def fire(facts: dict[str, Any]) -> str | None:
        shown, value = _h(facts, key)
        base = facts.get("headline", {}).get("growth_base", INSUFFICIENT)
        if value is None or not test(value) or ("{b}" in text and str(base).startswith(INSUFFICIENT)):
            return None
        return text.format(v=shown, p=_period(facts), b=base)

    return title, fire


def _flag(key: str, want: str, title: str, text: str) -> Rule:
    return title, lambda f: text if f.get(key) == want else None


_POSITIVE: list[Rule] = [
    _rule(
        "fcf_growth_pct",
        lambda v: v > 0,
        "Improving free cash flow",
        "Free cash flow grew {v} in {p} compared with {b}, a sign of improving cash generation that can fund "
        "investment and reduce reliance on outside financing.",
    ),
    _rule(
        "revenue_growth_pct",
        lambda v: v > 0,
        "Revenue growth",
        "Revenue grew {v} in {p} compared with {b}, showing continued demand for the company's products.",
    ),
    _rule(
        "net_margin_pct",
        lambda v: v > 0,
        "Profitable operations",
        "A net margin of {v} shows the business turns revenue into profit.",
    ),
    _rule(
        "gross_margin_pct",
        lambda v: v >= 40,
        "High gross margin",
        "A gross margin of {v} points to pricing power and room to absorb operating costs.",
    ),
    _rule(
        "roe_pct",
        lambda v: v >= 15,
        "Strong return on equity",
        "Return on equity of {v} shows efficient use of shareholders' capital.",
    ),
    _rule(
        "debt_to_equity",
        lambda v: 0 <= v < 0.5,
        "Conservative balance sheet",
        "A debt-to-equity ratio of {v} leaves financial flexibility for investment and downturns.",
    ),
    _rule(
        "current_ratio",
        lambda v: v >= 1.5,
        "Solid liquidity",
        "A current ratio of {v} means short-term obligations are well covered.",
    ),
    _flag(
        "technicals_sentiment",
        "Positive",
        "Supportive technical trend",
        "The technical indicators read Positive overall, a supportive trend for the shares.",
    ),
    _rule(
        "equity_ratio_pct",
        lambda v: v >= 25,
        "Reasonable equity base",
        "Equity funds {v} of total assets, a reasonable cushion against losses.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: 0 < v <= 15,
        "Undemanding valuation",
        "A P/E of {v} asks little of future growth.",
    ),
    _rule(
        "valuation.dividend_yield_pct",
        lambda v: v >= 3,
        "Dividend income",
        "A dividend yield of {v} pays shareholders while they wait.",
    ),
]

_NEGATIVE: list[Rule] = [
    _rule(
        "net_margin_pct",
        lambda v: v < 0,
        "Persistent negative profitability",
        "A net margin of {v} in {p} shows the company still loses money on its revenue, which "
        "limits internal funding and raises the need for outside capital.",
    ),
    _rule(
        "debt_to_equity",
        lambda v: v > 1,
        "High leverage",
        "A debt-to-equity ratio of {v} denotes elevated leverage, raising interest and refinancing risk and "
        "reducing financial flexibility.",
    ),
    _rule(
        "gross_margin_pct",
        lambda v: 0 <= v < 20,
        "Low gross margin",
        "A {v} gross margin suggests heavy costs of service and limited pricing power, which makes it harder "
        "for revenue growth to reach the bottom line.",
    ),
    _rule(
        "revenue_growth_pct",
        lambda v: v < 0,
        "Declining revenue",
        "Revenue fell {v} in {p} compared with {b}, a sign of weaker demand or lost share.",
    ),
    _rule(
        "roe_pct",
        lambda v: v < 0,
        "Negative return on equity",
        "Return on equity of {v} shows losses are eroding shareholders' capital.",
    ),
    _rule(
        "fcf_growth_pct",
        lambda v: v < 0,
        "Weakening free cash flow",
        "Free cash flow changed by {v} in {p} compared with {b}, reducing the cash available for investment.",
    ),
    _rule(
        "current_ratio",
        lambda v: 0 <= v < 1,
        "Tight liquidity",
        "A current ratio of {v} means current liabilities exceed current assets.",
    ),
    _flag(
        "technicals_sentiment",
        "Negative",
        "Weak technical trend",
        "The technical indicators read Negative overall, a headwind for the shares.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: v < 0,
        "No earnings support for valuation",
        "A P/E of {v} reflects negative earnings, so the valuation rests on a recovery rather than profits.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: v > 40,
        "Rich valuation",
        "A P/E of {v} prices in strong future growth and leaves little room for disappointment.",
    ),
]


def _pick(rules: list[Rule], facts: dict[str, Any], side: str) -> list[dict[str, str]]:
    picked = []
    for title, fire in rules:
        text = fire(facts)
        if text:
            picked.append({"title": title, "text": text})
    picked = picked[:5]
    if len(picked) < 3:
        # the figures by the names a reader knows ("free cash flow", not "free_cash_flow"); "period" is the
        # headline period's name, not a figure
        missing = sorted(
            readable(k) for k, v in facts.get("headline", {}).items() if v == INSUFFICIENT and k != "period"
        )
        detail = f" for: {', '.join(missing)}" if missing else ""
        picked.append(
            {"title": "Insufficient data", "text": f"Insufficient data to name more {side} factors{detail}."}
        )
    return picked


def write_factors(facts: dict[str, Any]) -> dict[str, Any]:
    return {"positive": _pick(_POSITIVE, facts, "positive"), "negative": _pick(_NEGATIVE, facts, "negative")}


def _say(value: str, good: str, bad: str) -> str:
    v = num(value)
    return INSUFFICIENT if v is None else (good if v >= 0 else bad)


def _clause(name: str, value: str, verb: str = "was") -> str:
    """'the EBIT margin was -8.34%', or says plainly that the figure is missing or not meaningful."""
    if value == "not meaningful":
        return f"{name} is not meaningful"
    if value == INSUFFICIENT:
        return f"{name} has insufficient data"
    return f"{name} {verb} {value}"


def _join(clauses: list[str]) -> str:
    return ", ".join(clauses[:-1]) + " and " + clauses[-1] if len(clauses) > 1 else clauses[0]


def write_financials(facts: dict[str, Any]) -> dict[str, Any]:
    h = facts.get("headline", {})

    def g(k: str) -> Any:
        return h.get(k, INSUFFICIENT)

    p = _period(facts)
    growth, base = g("revenue_growth_pct"), h.get("growth_base", INSUFFICIENT)
    if num(growth) is not None:
        rev = f"revenue growth of {growth} against {base}"
        change = f"In {p} revenue {_say(growth, 'grew', 'fell')} {growth} compared with {base}; "
    else:
        rev = "revenue growth with insufficient data (no like-for-like period a year earlier)"
        change = f"In {p} revenue growth has insufficient data: no like-for-like period a year earlier; "
    income = (
        change
        + _join(
            [
                _clause("the gross margin", g("gross_margin_pct")),
                _clause("the EBIT margin", g("ebit_margin_pct")),
                _clause("the net margin", g("net_margin_pct")),
            ]
        )
        + "."
    )
    balance = (
        _join(
            [
                _clause("The debt-to-equity ratio", g("debt_to_equity"), "is"),
                _clause("return on equity", g("roe_pct"), "is"),
                _clause("the equity ratio", g("equity_ratio_pct"), "is"),
            ]
        )
        + "."
    )
    cash = (
        _join(
            [
                _clause("Free cash flow", g("free_cash_flow")),
                _clause(
                    f"its growth against {base}" if num(g("fcf_growth_pct")) is not None else "its growth",
                    g("fcf_growth_pct"),
                ),
                _clause("operating cash flow to net income", g("ocf_to_net_income")),
                _clause("free cash flow to net income", g("fcf_to_net_income")),
            ]
        )
        + "."
    )
    summary = (
        f"{facts.get('company', 'The company')} shows {rev}, a net margin of {g('net_margin_pct')} and "
        f"debt-to-equity of {g('debt_to_equity')} in {p}."
    )
    return {"summary": summary, "income_statement": income, "balance_sheet": balance, "cash_flow": cash}


def write_technicals(facts: dict[str, Any]) -> dict[str, Any]:
    t = facts.get("technicals", {})
    if t.get("origin", "none") == "none":
        return {"text": "Technical analysis: insufficient data (no price history or indicator snapshot)."}
    if t.get("stale"):
        parts = [
            f"The prices end on {t.get('as_of')}, long before the analysis date, so the last close of "
            f"{t.get('last_price', INSUFFICIENT)} and the readings below describe that day, not today."
        ]
    else:
        parts = [f"The last price is {t.get('last_price', INSUFFICIENT)}."]
    for r in t.get("readings", []):
        parts.append(f"{r['name']} at {r['value']} reads {r['reading']}.")
    parts.append(f"Overall the technical sentiment is {t.get('sentiment', INSUFFICIENT)}.")
    return {"text": " ".join(parts)}


def write_summary(facts: dict[str, Any]) -> dict[str, Any]:
    score = facts.get("score", {})
    scored = [(k, v) for k, v in facts.get("scores", {}).items() if isinstance(v.get("score"), int)]
    if score.get("provisional"):
        text = (
            f"Too few parts could be scored for a rating, so the label is {score.get('label')} and the "
            f"overall {score.get('overall')} is provisional."
        )
    else:
        text = f"The overall score is {score.get('overall')} ({score.get('label')})."
    missing = list(score.get("not_scored", {}))
    if missing:
        text += f" Not scored for lack of data: {', '.join(missing)}."
    if len(scored) == 1:  # no strongest and weakest of one
        only = scored[0]
        text += f" The only part scored is {only[0].replace('_', ' ')} ({only[1]['score']})."
    elif scored:
        best = max(scored, key=lambda kv: (kv[1]["score"], kv[0]))
        worst = min(scored, key=lambda kv: (kv[1]["score"], kv[0]))
        text += (
            f" The strongest part is {best[0].replace('_', ' ')} ({best[1]['score']}), the weakest "
            f"{worst[0].replace('_', ' ')} ({worst[1]['score']})."
        )
    text += f" Technical sentiment is {facts.get('technicals_sentiment', INSUFFICIENT)}."
    return {"text": text}


# The offline writer of each section, as the registry (registry.py) names them: prompt context in, the JSON
# answer a model would give out (validated by `ask` like any model's).


def offline_earnings_call(ctx: PromptContext) -> dict[str, Any]:
    return write_earnings_call(ctx.facts, ctx.text("transcript"), ctx.text("call_notes"))


def offline_events(ctx: PromptContext) -> dict[str, Any]:
    return write_events(ctx.facts, ctx.text("events"))


def offline_factors(ctx: PromptContext) -> dict[str, Any]:
    return write_factors(ctx.facts)


def offline_financials(ctx: PromptContext) -> dict[str, Any]:
    return write_financials(ctx.facts)


def offline_technicals(ctx: PromptContext) -> dict[str, Any]:
    return write_technicals(ctx.facts)


def offline_summary(ctx: PromptContext) -> dict[str, Any]:
    return write_summary(ctx.facts)
