"""Rule-based prose for the offline model: deterministic, and quoting only numbers present in the facts.

Each writer takes the section's prompt context (the facts and, for the earnings call and events, the data
text, as the prompt shows them); it returns a dict matching the section's answer schema (answers.py). Numbers are
copied as the facts format them ("-10.78%", "1.30", "RMB 9.02B", "1,046.40": `pipeline.money`, the same
format as the page's tables), so the number checker can match them.

How it writes (docs/metrics.md, "Offline prose"):
- It interprets: a figure comes with what it means (a 43.31% gross margin is "high", debt-to-equity of 2.37
  "high"), and sentences are joined by what connects them ("while", "so"), not read out one by one.
- A change smaller than `MATERIAL_CHANGE_PCT` (2 percentage points either way) is "broadly flat": never a
  factor, never "growth" or "weakening".
- Missing figures get one sentence, where they would have been discussed; never a factor of their own.
- Each indicator is explained by what it is compared with: the price against each average, the MACD line
  against its signal line (or its sign, said so, when a snapshot has no signal line), RSI and STOCH against
  their overbought/oversold bands.
- Wording varies between companies (`_choose`: a fixed hash of the ticker and the slot), so the same run
  always writes the same text.
Factor rules (thresholds on the headline period) are listed in `_POSITIVE` / `_NEGATIVE`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.narrate.offline_sources import write_earnings_call, write_events
from pipeline.narrate.prompt_context import PromptContext

INSUFFICIENT = "insufficient data"
NOT_MEANINGFUL = "not meaningful"
MATERIAL_CHANGE_PCT = 2.0  # a change within +-2% is described as flat (no factor, no "growth")
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def num(text: object) -> float | None:
    """'-10.78%' -> -10.78, 'RMB 9.02B' -> 9.02 (sign kept), '1,046.40' -> 1046.4, 'insufficient data' -> None."""
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        return None
    m = _NUM.search(str(text).replace(",", ""))
    if not m:
        return None
    value = float(m.group())
    return -abs(value) if str(text).lstrip().startswith("-") else value


def material(value: float | None) -> bool:
    """A change large enough to call growth or decline (MATERIAL_CHANGE_PCT)."""
    return value is not None and abs(value) >= MATERIAL_CHANGE_PCT


def _choose(facts: dict[str, Any], slot: str, options: Sequence[str]) -> str:
    """One of `options`, the same for the same company and slot in every run (crc32, not Python's hash)."""
    key = f"{facts.get('ticker', '')}|{slot}".encode()
    return options[zlib.crc32(key) % len(options)]


def _h(facts: dict[str, Any], key: str) -> tuple[str, float | None]:
    """A figure as shown in facts and its value; 'valuation.pe_ratio' reads outside the headline period."""
    group, _, name = key.rpartition(".")
    shown = facts.get(group or "headline", {}).get(name, INSUFFICIENT)
    return shown, num(shown)


def _period(facts: dict[str, Any]) -> str:
    head = facts.get("headline", {})
    return str(head.get("period_name") or head.get("period") or "the latest period")


def _base(facts: dict[str, Any]) -> str | None:
    """The period a change is measured against, or None when there is no like-for-like one."""
    base = str(facts.get("headline", {}).get("growth_base", INSUFFICIENT))
    return None if base.startswith(INSUFFICIENT) else base


def _join(parts: Sequence[str]) -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# --- factors -------------------------------------------------------------------------------------------

Rule = tuple[str, Callable[[dict[str, Any]], str | None]]


def _rule(key: str, test: Callable[[float], bool], title: str, text: str) -> Rule:
    """A factor that fires when the figure passes `test`; {v} its value, {p} the period, {b} the base period
    a change is measured against (the rule never fires for a change without one, nor for an immaterial one)."""

    def fire(facts: dict[str, Any]) -> str | None:
        shown, value = _h(facts, key)
        base = _base(facts)
        if value is None or not test(value):
            return None
        if "{b}" in text and (base is None or not material(value)):
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
        "Free cash flow grew {v} in {p} compared with {b}. Stronger cash generation can fund investment "
        "and returns to shareholders without leaning on outside financing.",
    ),
    _rule(
        "revenue_growth_pct",
        lambda v: v > 0,
        "Revenue growth",
        "Revenue grew {v} in {p} compared with {b}, evidence that demand for the company's products held "
        "up over the year.",
    ),
    _rule(
        "net_margin_pct",
        lambda v: v > 0,
        "Profitable operations",
        "A net margin of {v} means the business keeps a real share of each sale as profit, which funds "
        "growth from its own resources.",
    ),
    _rule(
        "gross_margin_pct",
        lambda v: v >= 40,
        "High gross margin",
        "A gross margin of {v} points to pricing power and leaves ample room to absorb operating costs.",
    ),
    _rule(
        "roe_pct",
        lambda v: v >= 15,
        "Strong return on equity",
        "Return on equity of {v} shows shareholders' capital is put to productive use.",
    ),
    _rule(
        "debt_to_equity",
        lambda v: 0 <= v < 0.5,
        "Conservative balance sheet",
        "With debt-to-equity of {v}, borrowing is modest, leaving flexibility for investment and for "
        "weathering a downturn.",
    ),
    _rule(
        "current_ratio",
        lambda v: v >= 1.5,
        "Solid liquidity",
        "A current ratio of {v} means short-term obligations are comfortably covered by current assets.",
    ),
    _flag(
        "technicals_sentiment",
        "Positive",
        "Supportive technical trend",
        "Most price and momentum indicators read Positive, so the chart supports rather than fights the "
        "fundamental case.",
    ),
    _rule(
        "equity_ratio_pct",
        lambda v: v >= 25,
        "Reasonable equity base",
        "Equity funds {v} of total assets, a cushion that can absorb losses before creditors are at risk.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: 0 < v <= 15,
        "Undemanding valuation",
        "A P/E of {v} asks little of future growth, so modest results could still support the shares.",
    ),
    _rule(
        "valuation.dividend_yield_pct",
        lambda v: v >= 3,
        "Dividend income",
        "A dividend yield of {v} pays shareholders while they wait for the investment case to play out.",
    ),
    _flag(
        "earnings_call_sentiment",
        "Positive",
        "Upbeat earnings call",
        "Management's latest earnings call read Positive on balance, with reported highlights outweighing "
        "the concerns raised.",
    ),
]

_NEGATIVE: list[Rule] = [
    _rule(
        "net_margin_pct",
        lambda v: v < 0,
        "Persistent negative profitability",
        "A net margin of {v} in {p} means the company still loses money on its revenue, which limits "
        "internal funding and raises the need for outside capital.",
    ),
    _rule(
        "debt_to_equity",
        lambda v: v > 1,
        "High leverage",
        "Debt-to-equity of {v} is elevated: interest and refinancing costs weigh on results, and there is "
        "less room to manoeuvre if cash flows disappoint.",
    ),
    _rule(
        "gross_margin_pct",
        lambda v: 0 <= v < 20,
        "Low gross margin",
        "A gross margin of {v} suggests heavy costs of service and limited pricing power, which makes it "
        "harder for revenue growth to reach the bottom line.",
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
        "Free cash flow changed by {v} in {p} compared with {b}, leaving less cash for investment and "
        "shareholder returns.",
    ),
    _rule(
        "current_ratio",
        lambda v: 0 <= v < 1,
        "Tight liquidity",
        "A current ratio of {v} means current liabilities exceed current assets, so the company relies on "
        "incoming cash or credit to meet near-term bills.",
    ),
    _flag(
        "technicals_sentiment",
        "Negative",
        "Weak technical trend",
        "Most price and momentum indicators read Negative, a headwind for the shares until the trend turns.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: v < 0,
        "No earnings support for valuation",
        "A P/E of {v} reflects negative earnings, so the valuation rests on a recovery rather than on profits.",
    ),
    _rule(
        "valuation.pe_ratio",
        lambda v: v > 40,
        "Rich valuation",
        "A P/E of {v} prices in strong future growth and leaves little room for disappointment.",
    ),
    _flag(
        "earnings_call_sentiment",
        "Negative",
        "Cautious earnings call",
        "The latest earnings call read Negative on balance: the concerns management raised outweighed the "
        "highlights.",
    ),
]


def _pick(rules: list[Rule], facts: dict[str, Any]) -> list[dict[str, str]]:
    """Every rule that fires, at most five; none fires -> no factor (the page says which figures are
    missing, once, beside the factors; a card about missing data would be no factor)."""
    picked = []
    for title, fire in rules:
        text = fire(facts)
        if text:
            picked.append({"title": title, "text": text})
    return picked[:5]


def write_factors(facts: dict[str, Any]) -> dict[str, Any]:
    return {"positive": _pick(_POSITIVE, facts), "negative": _pick(_NEGATIVE, facts)}


# --- financial statements -------------------------------------------------------------------------------

_NAMES = {
    "revenue_growth_pct": "revenue growth",
    "gross_margin_pct": "the gross margin",
    "ebit_margin_pct": "the EBIT margin",
    "net_margin_pct": "the net margin",
    "roe_pct": "return on equity",
    "debt_to_equity": "debt-to-equity",
    "equity_ratio_pct": "the equity ratio",
    "current_ratio": "the current ratio",
    "free_cash_flow": "free cash flow",
    "fcf_growth_pct": "free cash flow growth",
    "ocf_to_net_income": "operating cash flow to net income",
    "fcf_to_net_income": "free cash flow to net income",
}


def _missing(facts: dict[str, Any], keys: Sequence[str]) -> str:
    """One sentence naming the figures of `keys` that are missing, each with why (grouped by reason)."""
    head = facts.get("headline", {})
    why: dict[str, list[str]] = {}
    for k in keys:
        shown = head.get(k, INSUFFICIENT)
        if shown == NOT_MEANINGFUL:
            why.setdefault("not meaningful while net income is not positive", []).append(k)
        elif shown == INSUFFICIENT:
            reason = (
                "no like-for-like period a year earlier"
                if k.endswith("growth_pct")
                else "cannot be computed from the bundle"
            )
            why.setdefault(reason, []).append(k)
    if not why:
        return ""
    groups = [f"{_join([_NAMES.get(k, k) for k in ks])} ({reason})" for reason, ks in why.items()]
    n = sum(len(ks) for ks in why.values())
    return f"{_cap(_join(groups))} {'is' if n == 1 else 'are'} not available."


def _margin_word(value: float) -> str:
    return "thin" if value < 10 else ("healthy" if value < 20 else "high")


def _no_statements(facts: dict[str, Any]) -> bool:
    return bool(facts.get("headline", {}).get("period", INSUFFICIENT) == INSUFFICIENT)


def _income(facts: dict[str, Any]) -> str:
    if _no_statements(facts):
        return "There is no income statement in the bundle."
    p, base = _period(facts), _base(facts)
    growth, g = _h(facts, "revenue_growth_pct")
    gross, gm = _h(facts, "gross_margin_pct")
    ebit, em = _h(facts, "ebit_margin_pct")
    net, nm = _h(facts, "net_margin_pct")
    out = []
    if g is not None and base is not None:
        if not material(g):
            out.append(f"Revenue was broadly flat in {p}, {growth} against {base}.")
        elif g > 0:
            pace = "a brisk pace" if g >= 15 else ("a solid pace" if g >= 5 else "a modest pace")
            out.append(f"Revenue grew {growth} in {p} compared with {base}, {pace}.")
        else:
            out.append(f"Revenue fell {growth} in {p} compared with {base}, which puts pressure on margins.")
    if nm is not None:
        chain = [
            f"a gross margin of {gross}" if gm is not None else "",
            f"an EBIT margin of {ebit}" if em is not None else "",
        ]
        lead = _join(chain)
        if nm > 0:
            quality = _margin_word(nm)
            verb = "carry" if " and " in lead else "carries"
            text = f"Profitability is {quality}: " + (
                f"{lead} {verb} through to a net margin of {net}." if lead else f"the net margin was {net}."
            )
        else:
            text = (
                f"The business is not yet profitable: {lead + ' still ends in ' if lead else 'it posted '}"
                f"a net margin of {net}, so revenue growth alone does not close the gap."
            )
        out.append(text)
    elif gm is not None:
        out.append(f"The gross margin was {gross}.")
    out.append(
        _missing(facts, ("revenue_growth_pct", "gross_margin_pct", "ebit_margin_pct", "net_margin_pct"))
    )
    return " ".join(x for x in out if x) or "The income statement figures are not available in the bundle."


def _balance(facts: dict[str, Any]) -> str:
    if _no_statements(facts):
        return "There is no balance sheet in the bundle."
    de, d = _h(facts, "debt_to_equity")
    roe, r = _h(facts, "roe_pct")
    eq, e = _h(facts, "equity_ratio_pct")
    cr, c = _h(facts, "current_ratio")
    out = []
    if d is not None:
        level = "low" if d < 0.5 else ("moderate" if d <= 1 else "high")
        tail = {
            "low": "so the company carries little financial risk",
            "moderate": "a manageable level of borrowing",
            "high": "which raises financial risk and interest costs",
        }[level]
        out.append(f"Debt-to-equity of {de} is {level}, {tail}.")
    if e is not None:
        if e < 20:
            out.append(f"Equity funds only {eq} of total assets, a thin cushion.")
        else:
            out.append(f"Equity funds {eq} of total assets.")
    if r is not None:
        if e is not None and e < 20 and r >= 15:
            out.append(f"That thin equity base flatters return on equity, which reached {roe}.")
        elif r >= 15:
            out.append(f"Return on equity of {roe} is strong.")
        elif r < 0:
            out.append(f"Return on equity of {roe} shows losses eating into that capital.")
        else:
            out.append(f"Return on equity was {roe}.")
    if c is not None:
        out.append(
            f"The current ratio of {cr} "
            + (
                "means current liabilities exceed current assets."
                if c < 1
                else "covers near-term obligations."
            )
        )
    out.append(_missing(facts, ("debt_to_equity", "equity_ratio_pct", "roe_pct", "current_ratio")))
    return " ".join(x for x in out if x) or "The balance sheet figures are not available in the bundle."


def _cash(facts: dict[str, Any]) -> str:
    if _no_statements(facts):
        return "There is no cash flow statement in the bundle."
    base = _base(facts)
    fcf, f = _h(facts, "free_cash_flow")
    growth, g = _h(facts, "fcf_growth_pct")
    ocf, o = _h(facts, "ocf_to_net_income")
    fcfni, _ = _h(facts, "fcf_to_net_income")
    out = []
    if f is not None:
        consumed = "" if f >= 0 else ", so the business consumed cash"
        if g is not None and base is not None and material(g):
            moved = "grew" if g > 0 else "fell"
            out.append(f"Free cash flow was {fcf}{consumed} and {moved} {growth} compared with {base}.")
        elif g is not None and base is not None:
            out.append(
                f"Free cash flow was {fcf}{consumed}, broadly flat: it changed by {growth} compared with {base}."
            )
        else:
            out.append(f"Free cash flow was {fcf}{consumed}.")
    if o is not None:
        backed = "comfortably backed by cash" if o >= 1 else "only partly backed by cash"
        out.append(f"Operating cash flow was {ocf} times net income, so earnings are {backed}.")
        if fcfni != INSUFFICIENT and fcfni != NOT_MEANINGFUL:
            out.append(f"After investment, free cash flow was {fcfni} times net income.")
    out.append(_missing(facts, ("free_cash_flow", "fcf_growth_pct", "ocf_to_net_income")))
    return " ".join(x for x in out if x) or "The cash flow figures are not available in the bundle."


def write_financials(facts: dict[str, Any]) -> dict[str, Any]:
    company = facts.get("company", "The company")
    p = _period(facts)
    _, g = _h(facts, "revenue_growth_pct")
    net, nm = _h(facts, "net_margin_pct")
    de, d = _h(facts, "debt_to_equity")
    growth = _h(facts, "revenue_growth_pct")[0]
    strengths: list[str] = []
    weaknesses: list[str] = []
    if nm is not None:
        (strengths if nm > 0 else weaknesses).append(
            f"a net margin of {net}" if nm > 0 else f"losses (a net margin of {net})"
        )
    if g is not None and _base(facts) is not None and material(g):
        (strengths if g > 0 else weaknesses).append(
            f"revenue {'growth' if g > 0 else 'decline'} of {growth} compared with {_base(facts)}"
        )
    if d is not None:
        if d > 1:
            weaknesses.append(f"high leverage (debt-to-equity of {de})")
        elif d < 0.5:
            strengths.append(f"little debt (debt-to-equity of {de})")
    if strengths and weaknesses:
        summary = _choose(
            facts,
            "fin-summary",
            (
                f"{company}'s {p} figures show {_join(strengths)}, set against {_join(weaknesses)}.",
                f"{company}'s {p} statements pair {_join(strengths)} with {_join(weaknesses)}.",
            ),
        )
    elif strengths:
        summary = f"{company}'s {p} statements are strong: {_join(strengths)}."
    elif weaknesses:
        summary = f"{company}'s {p} statements are weak: {_join(weaknesses)}."
    elif _no_statements(facts):
        summary = f"The bundle holds no financial statements for {company}, so its finances cannot be judged."
    else:
        summary = f"{company}'s {p} statements give a mixed picture, without a clear strength or weakness."
    return {
        "summary": summary,
        "income_statement": _income(facts),
        "balance_sheet": _balance(facts),
        "cash_flow": _cash(facts),
    }


# --- technicals -----------------------------------------------------------------------------------------

_AVERAGES = ("20DMA", "50DMA", "100DMA", "200DMA")


def _trend(facts: dict[str, Any], price: str, readings: dict[str, dict[str, str]]) -> str:
    known = [n for n in _AVERAGES if n in readings and readings[n]["reading"] != INSUFFICIENT]
    if not known:
        return ""
    above = [n for n in known if readings[n]["reading"] == "Positive"]
    below = [n for n in known if readings[n]["reading"] == "Negative"]

    def listed(names: list[str]) -> str:
        return _join([f"{readings[n]['value']} for the {n[:-3]}-day" for n in names])

    if len(above) == len(known):
        return _choose(
            facts,
            "trend-up",
            (
                f"The share price of {price} is above all the moving averages shown ({listed(known)}), "
                "an uptrend over every time frame.",
                f"The price of {price} sits above every moving average shown ({listed(known)}), so the "
                "trend is up over short and long horizons alike.",
            ),
        )
    if len(below) == len(known):
        return _choose(
            facts,
            "trend-down",
            (
                f"The share price of {price} is below all the moving averages shown ({listed(known)}), "
                "a downtrend over every time frame.",
                f"The price of {price} sits below every moving average shown ({listed(known)}), so the "
                "trend is down over short and long horizons alike.",
            ),
        )
    up = listed(above) or "none of the averages"
    down = listed(below) or "none"
    return (
        f"The share price of {price} is above some moving averages ({up}) and below others ({down}), "
        "a mixed trend."
    )


def _momentum(t: dict[str, Any], readings: dict[str, dict[str, str]]) -> list[str]:
    values = t.get("values", {})
    out = []
    macd = readings.get("MACD")
    if macd and macd["reading"] != INSUFFICIENT:
        signal = values.get("macd_signal")
        if signal:
            side = {"Positive": "above", "Negative": "below"}.get(macd["reading"], "level with")
            mood = {"Positive": "momentum is building", "Negative": "momentum is fading"}.get(
                macd["reading"], "momentum is flat"
            )
            out.append(f"The MACD line ({macd['value']}) is {side} its signal line ({signal}), so {mood}.")
        else:
            sign = "positive" if (num(macd["value"]) or 0) > 0 else "negative"
            out.append(
                f"The MACD is {macd['value']}; the snapshot gives no signal line, so it is read by its sign: "
                f"{sign} momentum."
            )
    # The bands (RSI 70/30, STOCH 80/20) are named in words: the glossary and the table give the numbers.
    states = []  # (indicator as named, value, state)
    for name, shown, high, low in (("RSI", "RSI", 70.0, 30.0), ("STOCH", "the stochastic", 80.0, 20.0)):
        r = readings.get(name)
        if r and r["reading"] != INSUFFICIENT:
            v = num(r["value"]) or 0.0
            states.append(
                (shown, r["value"], "overbought" if v >= high else ("oversold" if v <= low else ""))
            )
    if states and all(not st for _, _, st in states):
        if len(states) == 2:
            out.append(
                f"Neither RSI ({states[0][1]}) nor the stochastic ({states[1][1]}) is overbought or oversold."
            )
        else:
            out.append(f"{_cap(states[0][0])} at {states[0][1]} is neither overbought nor oversold.")
    elif states:
        said = []
        for shown, value, st in states:
            what = {
                "overbought": "overbought, which often precedes a pullback",
                "oversold": "oversold, which often precedes a bounce",
                "": "neither overbought nor oversold",
            }[st]
            said.append(f"{shown} at {value} is {what}")
        out.append(_cap(", while ".join(said)) + ".")
    return out


def write_technicals(facts: dict[str, Any]) -> dict[str, Any]:
    t = facts.get("technicals", {})
    if t.get("origin", "none") == "none":
        return {
            "text": "There is no price history or indicator snapshot in the bundle, so there is no technical reading."
        }
    price = t.get("last_price", INSUFFICIENT)
    readings = {r["name"]: r for r in t.get("readings", [])}
    parts = []
    if t.get("stale"):
        parts.append(
            f"The prices end on {t.get('as_of')}, long before the analysis date, so everything below "
            "describes that day, not today."
        )
    parts.append(_trend(facts, price, readings))
    parts += _momentum(t, readings)
    sentiment = t.get("sentiment", INSUFFICIENT)
    if sentiment != INSUFFICIENT:
        parts.append(
            _choose(
                facts,
                "tech-close",
                (
                    f"Weighing trend and momentum together, the technical sentiment is {sentiment}.",
                    f"Taken together, the indicators read {sentiment}.",
                ),
            )
        )
    return {"text": " ".join(p for p in parts if p)}


# --- summary --------------------------------------------------------------------------------------------

_PART_NAMES = {
    "income_statement": "the income statement",
    "balance_sheet": "the balance sheet",
    "cash_flow": "cash flow",
    "technicals": "the technical picture",
    "valuation": "valuation",
    "earnings_call": "the earnings call",
    "corporate_events": "corporate events",
}


def write_summary(facts: dict[str, Any]) -> dict[str, Any]:
    score = facts.get("score", {})
    company = facts.get("company", "The company")
    scored = {k: v["score"] for k, v in facts.get("scores", {}).items() if isinstance(v.get("score"), int)}
    if score.get("provisional"):
        text = (
            f"Too few parts of {company}'s data could be scored for a rating, so the overall "
            f"{score.get('overall')} is provisional and the label is {score.get('label')}."
        )
    else:
        text = _choose(
            facts,
            "summary-open",
            (
                f"{company} scores {score.get('overall')} overall ({score.get('label')}).",
                f"The overall score for {company} is {score.get('overall')}, which reads {score.get('label')}.",
            ),
        )
    if score.get("provisional"):
        scored = {}  # a provisional score has no strengths to speak of: too little was scored
    strong = sorted((k for k, v in scored.items() if v >= 70), key=lambda k: (-scored[k], k))
    weak = sorted((k for k, v in scored.items() if v < 45), key=lambda k: (scored[k], k))

    def named(keys: list[str]) -> str:
        return _join([f"{_PART_NAMES.get(k, k)} ({scored[k]})" for k in keys[:2]])

    def verb(keys: list[str], one: str, many: str) -> str:
        return many if len(keys[:2]) > 1 else one

    if strong and weak:
        text += (
            f" {_cap(named(strong))} {verb(strong, 'carries', 'carry')} it, while {named(weak)} "
            f"{verb(weak, 'holds', 'hold')} it back."
        )
    elif strong:
        text += f" The strength is broad, led by {named(strong)}."
    elif weak:
        text += (
            f" {_cap(named(weak))} {verb(weak, 'weighs', 'weigh')} on the score, with no part reading strong."
        )
    elif scored and not score.get("provisional"):
        text += " No part stands out either way."
    pt = facts.get("price_target")
    if isinstance(pt, dict) and pt.get("upside", INSUFFICIENT) != INSUFFICIENT:
        if (num(pt["upside"]) or 0) >= 0:
            text += (
                f" The consensus target of {pt['target']} implies {pt['upside']} upside from the last price."
            )
        else:
            text += f" The consensus target of {pt['target']} sits below the last price, a change of {pt['upside']}."
    missing = list(score.get("not_scored", {}))
    if missing:
        text += f" Not scored for lack of data: {_join(missing)}."
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
