#!/usr/bin/env python3
"""Run the matching engine over a corpus and write predictions for score_matches.py.

Usage: python bench/predict_corpus.py CORPUS.json --out PREDICTIONS.json
Standalone (no Django): puts the repository root on sys.path itself.
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
    args = parser.parse_args(argv)
    with open(args.corpus, encoding="utf-8") as fh:
        corpus = json.load(fh)
    predictions = predict_corpus(corpus)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(predictions, fh, indent=1, ensure_ascii=False)
    print(f"wrote {len(predictions)} predictions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
