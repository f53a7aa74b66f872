"""Precision, recall and F1 of the key-point matcher on the labelled answers.

    .venv/bin/python bench/bench_matcher.py [--misses N]

Held out, and never shown by --misses: the answers under fresh/ (written after the
phrases and the matcher were tuned) and a fixed quarter of the others (never read while
tuning). Their line is the honest figure.

Reads tests/data/matcher/*.yaml (written answers labelled by hand: which key points each
makes, which misconceptions it states) and the built-in question bank. Prints the
figures overall, by topic and by answer style, then misconception flagging, and with
--misses the first N disagreements of each kind. Target: key-point F1 >= 0.85.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bank import QuestionBank, builtin_content_dir  # noqa: E402
from bot.matcher_eval import Score, evaluate, load_cases  # noqa: E402

CASES = ROOT / "tests" / "data" / "matcher"


def line(name: str, s: Score) -> str:
    return (
        f"{name:<18} {s.cases:>6} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
        f"   tp {s.tp:>4} fp {s.fp:>4} fn {s.fn:>4} tn {s.tn:>4}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", type=int, default=0, help="show N false +/- of each kind")
    args = parser.parse_args()
    bank = QuestionBank.load([builtin_content_dir()])
    cases = load_cases(CASES)
    started = time.perf_counter()
    ev = evaluate(bank, cases)
    took = time.perf_counter() - started
    print(f"{len(cases)} labelled answers, {ev.key_points.cases} (answer, key point) cases,")
    print(f"{sum(len(c.covered) for c in cases)} labelled covered; matched in {took:.2f} s\n")
    print(f"{'':<18} {'cases':>6} {'precision':>9} {'recall':>7} {'F1':>6}")
    print(line("key points", ev.key_points))
    print(line("  tuning part", ev.tuned))
    print(line("  held-out part", ev.held_out))
    print(line("    of it fresh", ev.fresh))
    print()
    for topic, s in sorted(ev.by_topic.items()):
        print(line(topic, s))
    print()
    for style, s in sorted(ev.by_style.items()):
        print(line(style, s))
    print()
    print(line("misconceptions", ev.misconceptions))
    for label, misses in (
        ("false positive", ev.false_positives),
        ("false negative", ev.false_negatives),
    ):
        for qid, point, answer in misses[: args.misses]:
            print(f"\n{label}: {qid}\n  point: {point}")
            print(textwrap.indent(textwrap.fill(answer, 96), "  | "))
    unseen = ev.held_out.f1
    print(f"\nTarget: key-point F1 >= 0.85 on unseen answers ({unseen:.3f}) -> ", end="")
    print("met" if unseen >= 0.85 else "NOT met")


if __name__ == "__main__":
    main()
