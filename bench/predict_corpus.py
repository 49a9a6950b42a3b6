#!/usr/bin/env python3
"""Run the matching engine over a corpus and write predictions for score_matches.py.

Usage: python bench/predict_corpus.py CORPUS.json --out PREDICTIONS.json [--per-essay]
Standalone (no Django): puts the repository root on sys.path itself.

Each class of the corpus is matched as one batch, as the product does. ``--per-essay``
matches every essay alone against its class roster instead: for corpora whose "classes"
are collections of unrelated single-essay cases sharing a roster (the original
service's test cases, where one student "writes" a dozen essays), which a batch rule —
a student is "high" at most once per batch — would otherwise count against.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.engine.corpus import predict_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--per-essay", action="store_true", help="match each essay alone against its class roster"
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
    predictions = predict_corpus(corpus)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(predictions, fh, indent=1, ensure_ascii=False)
    print(f"wrote {len(predictions)} predictions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
