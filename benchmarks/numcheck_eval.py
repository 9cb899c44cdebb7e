"""Measure the number check: precision and recall on the labelled set, and coincidence on random numbers.

    .venv/bin/python benchmarks/numcheck_eval.py                   # all three sample bundles
    .venv/bin/python benchmarks/numcheck_eval.py --bundles HK_3896 --per-kind 200 --show-misses
    .venv/bin/python benchmarks/numcheck_eval.py --labelled fixtures/numcheck/holdout --per-kind 0

1. Labelled set (`fixtures/numcheck/<BUNDLE>.jsonl`, written from the bundle data by hand): each line is a
   sentence with `truth` "true" (every number in it is right) or "false" (the substrings in `false` are
   wrong: invented, off by a digit, wrong period, wrong subject, right number for the wrong metric, or
   disguised in an evasion form; any other number in the sentence is right). Every number the check reports
   is scored by where it sits: inside a false substring it is a false claim, elsewhere a true one.
     precision of "verified"  = verified true claims / all verified claims
     recall of invented        = false substrings with no verified check on them and at least one finding
                                 (an unverified/unparsed check) / all false substrings
     true sentences verify     = true sentences whose numbers all verify / true sentences
2. Coincidence: random numbers of five kinds (whole percent, 2-decimal percent, money with scale, bare
   integer, year), `--per-kind` each (1,000 by default) with a fixed seed per bundle and kind, written into
   sentences a model might produce (some name a real subject of the bundle, some a wrong period, some
   nothing). The rate is the share of those numbers that come out "verified".

The index is the one a report uses: the bundle, its metrics (computed without sentiment labels) and its
source texts. Nothing here tunes the check; it only measures it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.checks import FactIndex, build_fact_index  # noqa: E402
from pipeline.checks.answer_checks import located_checks  # noqa: E402
from pipeline.inputs.load import load_bundle  # noqa: E402
from pipeline.metrics import compute_metrics  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO / "fixtures" / "numcheck"
BUNDLES = REPO / "fixtures" / "bundles"
DEFAULT_BUNDLES = ("HK_3896", "AAPL", "GOOGL")
KINDS = ("whole_pct", "pct_2dp", "money_scaled", "bare_int", "year")
SEED = 20260128


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    written: str
    status: str
    source: str | None
    why: str | None


def findings(sentence: str, index: FactIndex) -> list[Finding]:
    return [
        Finding(
            lc.start,
            lc.end,
            lc.check.written,
            lc.check.status,
            lc.check.source,
            lc.check.match or lc.check.note,
        )
        for lc in located_checks(sentence, index, section="eval")
    ]


@dataclass
class LabelledScore:
    verified_true: int = 0
    verified_false: int = 0
    false_spans: int = 0
    false_caught: int = 0
    true_sentences: int = 0
    true_sentences_verified: int = 0
    true_numbers: int = 0
    true_numbers_verified: int = 0
    misses: list[str] = field(default_factory=list)
    by_tag: Counter[str] = field(default_factory=Counter)
    by_tag_caught: Counter[str] = field(default_factory=Counter)

    def add(self, other: LabelledScore) -> None:
        for name in (
            "verified_true",
            "verified_false",
            "false_spans",
            "false_caught",
            "true_sentences",
            "true_sentences_verified",
            "true_numbers",
            "true_numbers_verified",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.by_tag.update(other.by_tag)
        self.by_tag_caught.update(other.by_tag_caught)

    @property
    def precision(self) -> float:
        total = self.verified_true + self.verified_false
        return self.verified_true / total if total else 1.0

    @property
    def invented_recall(self) -> float:
        return self.false_caught / self.false_spans if self.false_spans else 1.0

    @property
    def true_sentence_rate(self) -> float:
        return self.true_sentences_verified / self.true_sentences if self.true_sentences else 1.0


def _spans(sentence: str, parts: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for part in parts:
        at = sentence.find(part)
        if at < 0:
            raise ValueError(f"false substring {part!r} not in {sentence!r}")
        out.append((at, at + len(part)))
    return out


def score_labelled(rows: list[dict[str, object]], index: FactIndex) -> LabelledScore:
    s = LabelledScore()
    for row in rows:
        sentence = str(row["sentence"])
        found = findings(sentence, index)
        false_spans = _spans(sentence, row.get("false", []))  # type: ignore[arg-type]

        def in_false(f: Finding, spans: list[tuple[int, int]] = false_spans) -> bool:
            return any(f.start < e and s0 < f.end for s0, e in spans)

        for f in found:
            if f.status == "verified":
                if in_false(f):
                    s.verified_false += 1
                    s.misses.append(
                        f"VERIFIED FALSE {row['id']}: {f.written!r} -> {f.source} ({f.why}) | {sentence}"
                    )
                else:
                    s.verified_true += 1
        for s0, e in false_spans:
            on = [f for f in found if f.start < e and s0 < f.end]
            caught = bool(on) and not any(f.status == "verified" for f in on)
            s.false_spans += 1
            s.by_tag[str(row["tag"])] += 1
            if caught:
                s.false_caught += 1
                s.by_tag_caught[str(row["tag"])] += 1
            elif not on:
                s.misses.append(f"NOT SEEN {row['id']}: {sentence[s0:e]!r} | {sentence}")
        if row["truth"] == "true":
            s.true_sentences += 1
            numbers = [f for f in found if not in_false(f)]
            s.true_numbers += len(numbers)
            s.true_numbers_verified += sum(f.status == "verified" for f in numbers)
            if numbers and all(f.status == "verified" for f in numbers):
                s.true_sentences_verified += 1
            else:
                bad = [(f.written, f.status, f.why) for f in numbers if f.status != "verified"]
                s.misses.append(f"TRUE NOT VERIFIED {row['id']}: {bad or 'no number found'} | {sentence}")
    return s


# --- coincidence ---------------------------------------------------------------------------------------

TEMPLATES: dict[str, tuple[str, ...]] = {
    "pct": (
        "Revenue grew {x} last year.",
        "The gross margin was {x}.",
        "The stock returned {x} over the period.",
        "Management expects {x} growth next year.",
        "About {x} of sales come from overseas customers.",
        "Return on equity reached {x}.",
        "The figure stood at {x}.",
        "Net margin was {x} in the latest period.",
        "In FY2019 the operating margin was {x}.",
        "The dividend yield is {x}.",
    ),
    "money": (
        "Revenue was {x}.",
        "Free cash flow reached {x}.",
        "The company holds {x} in cash.",
        "Net income came to {x}.",
        "Total debt stands at {x}.",
        "The acquisition is worth {x}.",
        "The figure stood at {x}.",
        "Operating cash flow was {x} last year.",
        "Gross profit was {x} in FY2019.",
        "Its market capitalisation is {x}.",
    ),
    "int": (
        "The company has {x} employees.",
        "The bundle lists {x} corporate events.",
        "The report names {x} risk factors.",
        "The overall score is {x}.",
        "It operates {x} data centres.",
        "The stock trades at {x}.",
        "The figure stood at {x}.",
        "The RSI is {x}.",
        "Analysts count {x} peers.",
        "In the past {x} months the stock moved sideways.",
    ),
    "year": (
        "The company was founded in {x}.",
        "Revenue peaked in {x}.",
        "Results for {x} were strong.",
        "A financial collapse hit in {x}.",
        "The plan runs until {x}.",
        "The stock listed in {x}.",
        "Management targets profitability by {x}.",
        "The last earnings call was held in {x}.",
    ),
}


def _money_marker(index: FactIndex) -> str:
    currencies = Counter(f.currency for f in index.facts if f.kind == "money" and f.currency)
    top = currencies.most_common(1)[0][0] if currencies else "USD"
    return {"CNY": "RMB ", "HKD": "HK$", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(top, f"{top} ")


def random_sentences(kind: str, n: int, seed: int, money_marker: str) -> list[tuple[str, str]]:
    """(sentence, written number) pairs: `n` random numbers of `kind` in rotating templates."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(n):
        if kind == "whole_pct":
            x, family = f"{rng.randint(-50, 150)}%", "pct"
        elif kind == "pct_2dp":
            x, family = f"{rng.uniform(-50, 150):.2f}%", "pct"
        elif kind == "money_scaled":
            decimals = rng.choice((1, 2))
            scale = rng.choice(("million", "billion", "bn", "B", "m"))
            space = " " if scale in ("million", "billion") else ""
            x, family = f"{money_marker}{rng.uniform(1, 999):.{decimals}f}{space}{scale}", "money"
        elif kind == "bare_int":
            x, family = str(rng.randint(1, 500)), "int"
        elif kind == "year":
            x, family = str(rng.randint(1990, 2030)), "year"
        else:
            raise ValueError(kind)
        templates = TEMPLATES[family]
        out.append((templates[i % len(templates)].format(x=x), x))
    return out


def coincidence(index: FactIndex, kind: str, n: int, seed: int) -> tuple[int, int, list[str]]:
    """(verified, total, examples of verified) for `n` random numbers of `kind`."""
    verified, examples = 0, []
    for sentence, written in random_sentences(kind, n, seed, _money_marker(index)):
        at = sentence.find(written)
        hits = [f for f in findings(sentence, index) if f.start < at + len(written) and at < f.end]
        if any(f.status == "verified" for f in hits):
            verified += 1
            if len(examples) < 5:
                f = next(f for f in hits if f.status == "verified")
                examples.append(f"{sentence} -> {f.source} ({f.why})")
    return verified, n, examples


def bundle_index(name: str) -> FactIndex:
    loaded = load_bundle(BUNDLES / name)
    return build_fact_index(loaded, compute_metrics(loaded))


def load_rows(name: str, folder: Path = LABELLED) -> list[dict[str, object]]:
    path = folder / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(
    bundles: Iterable[str] = DEFAULT_BUNDLES,
    per_kind: int = 1000,
    out: Callable[[str], None] = print,
    show_misses: bool = False,
    labelled: Path = LABELLED,
) -> dict[str, object]:
    total = LabelledScore()
    rates: dict[str, dict[str, float]] = {}
    for name in bundles:
        index = bundle_index(name)
        s = score_labelled(load_rows(name, labelled), index)
        total.add(s)
        out(
            f"{name}: precision {s.precision:.4f} ({s.verified_true}/{s.verified_true + s.verified_false}), "
            f"invented recall {s.invented_recall:.4f} ({s.false_caught}/{s.false_spans}), "
            f"true sentences verified {s.true_sentence_rate:.4f} ({s.true_sentences_verified}/{s.true_sentences}), "
            f"true numbers verified {s.true_numbers_verified}/{s.true_numbers}"
        )
        rates[name] = {}
        for k, kind in enumerate(KINDS if per_kind else ()):
            v, n, examples = coincidence(index, kind, per_kind, SEED + 1000 * k + sum(map(ord, name)))
            rates[name][kind] = v / n
            out(f"    coincidence {kind:13} {v:4d}/{n} = {v / n:6.2%}")
            if show_misses:
                for e in examples:
                    out(f"        e.g. {e}")
    out(
        f"ALL: precision {total.precision:.4f} ({total.verified_true}/{total.verified_true + total.verified_false}), "
        f"invented recall {total.invented_recall:.4f} ({total.false_caught}/{total.false_spans}), "
        f"true sentences verified {total.true_sentence_rate:.4f} "
        f"({total.true_sentences_verified}/{total.true_sentences})"
    )
    tags = ", ".join(f"{t} {total.by_tag_caught[t]}/{n}" for t, n in sorted(total.by_tag.items()))
    out(f"caught by kind of false number: {tags}")
    if show_misses:
        for m in total.misses:
            out("  " + m)
    return {
        "precision": total.precision,
        "invented_recall": total.invented_recall,
        "true_sentences": total.true_sentence_rate,
        "coincidence": rates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundles", nargs="*", default=list(DEFAULT_BUNDLES))
    parser.add_argument("--per-kind", type=int, default=1000)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--labelled",
        type=Path,
        default=LABELLED,
        help="folder of <BUNDLE>.jsonl files (fixtures/numcheck/holdout: written after tuning)",
    )
    args = parser.parse_args()
    run(args.bundles, args.per_kind, show_misses=args.show_misses, labelled=args.labelled)


if __name__ == "__main__":
    main()
