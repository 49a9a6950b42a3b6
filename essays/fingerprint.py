"""What duplicate uploads share: the same text, whatever its whitespace and case.

Free of Django, so the corpus tools (``bench/predict_corpus.py --as-uploaded``) apply the
upload rule exactly as ``essays.services`` does."""

from __future__ import annotations

import hashlib
import unicodedata


def text_fingerprint(text: str) -> str:
    """The same essay, whatever its whitespace and case: what duplicate uploads share."""
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest() if folded else ""
