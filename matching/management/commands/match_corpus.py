from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.engine.corpus import predict_corpus


class Command(BaseCommand):
    help = "Run the matching engine the app runs over a corpus and write predictions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("corpus", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            corpus = json.loads(options["corpus"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read corpus: {exc}") from exc
        predictions = predict_corpus(corpus)
        options["out"].write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"wrote {len(predictions)} predictions to {options['out']}")
