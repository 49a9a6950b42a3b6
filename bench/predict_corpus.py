#!/usr/bin/env python3
"""Run the matching engine over a corpus and write predictions for score_matches.py.

Usage: python bench/predict_corpus.py CORPUS.json --out PREDICTIONS.json [--per-essay | --as-uploaded]
Standalone (no Django): puts the repository root on sys.path itself.

Each class of the corpus is matched as one batch, as the product does. ``--per-essay``
matches every essay alone against its class roster instead: for corpora whose "classes"
are collections of unrelated single-essay cases sharing a roster (the original
service's test cases, where one student "writes" a dozen essays), which a batch rule —
a student is "high" at most once per batch — would otherwise count against.

``--as-uploaded`` applies the product's upload rule first (DESIGN: an upload whose text is
the same as an essay already in the batch, whitespace and case aside, is not stored; it is
answered ``DUPLICATE`` with ``duplicate_of``): each class is matched with its first copy
of every text only, and a later copy is attributed as the essay it duplicates. Without it,
a corpus with identical texts measures the engine alone, which is "high" on one copy at
most.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from essays.fingerprint import text_fingerprint
from matching.engine.corpus import predict_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", required=True)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--per-essay", action="store_true", help="match each essay alone against its class roster"
    )
    mode.add_argument(
        "--as-uploaded", action="store_true", help="drop duplicate uploads first, as the product does"
    )
    args = parser.parse_args(argv)
    with open(args.corpus, encoding="utf-8") as fh:
        corpus = json.load(fh)
    if args.per_essay:
        corpus = {
            "classes": [
                {**cls, "class_id": f"{cls.get('class_id')}/{essay.get('essay_id')}", "essays": [essay]}
                for cls in corpus.get("classes", [])
                for essay in cls.get("essays", [])
            ]
        }
    if args.as_uploaded:
        corpus, duplicate_of = as_uploaded(corpus)
        predictions = predict_corpus(corpus)
        predictions.update({copy: predictions[original] for copy, original in duplicate_of.items()})
    else:
        predictions = predict_corpus(corpus)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(predictions, fh, indent=1, ensure_ascii=False)
    print(f"wrote {len(predictions)} predictions to {args.out}")
    return 0


def as_uploaded(corpus: dict) -> tuple[dict, dict[str, str]]:
    """The corpus with each class's later copies of a text left out, and which essay each
    left-out copy duplicates (the upload rule of ``essays.services``)."""
    duplicate_of: dict[str, str] = {}
    classes = []
    for cls in corpus.get("classes", []):
        first: dict[str, str] = {}
        kept = []
        for essay in cls.get("essays", []):
            fingerprint = text_fingerprint(essay.get("text") or "")
            if fingerprint and fingerprint in first:
                duplicate_of[essay["essay_id"]] = first[fingerprint]
                continue
            if fingerprint:
                first[fingerprint] = essay["essay_id"]
            kept.append(essay)
        classes.append({**cls, "essays": kept})
    return {**corpus, "classes": classes}, duplicate_of


if __name__ == "__main__":
    raise SystemExit(main())
