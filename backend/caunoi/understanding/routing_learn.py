"""Pure routing suggestions learned from history: TF-IDF over folded words and character n-grams plus the
case's category and area as tokens, and a multinomial logistic regression over agencies (scikit-learn).

Why this model: it trains on a few thousand cases in seconds on one core, its weights say which words pushed
a case to an agency (the reasons shown to staff), and character n-grams of folded text match words typed with
or without diacritics and in inflected spellings alike. Embeddings add little for routing at this size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from caunoi.core.text import vn_fold

from .fusion import STOP_SYLLABLES, as_written


@dataclass(frozen=True)
class Example:
    text: str
    category: str  # slug
    area: str  # area code, "" when none
    agency: str  # the agency code that finally handled it


@dataclass(frozen=True)
class Guess:
    agency: str
    probability: float
    reasons: list[str]  # the words that pushed the case there most, as the text writes them


def features(text: str, category: str, area: str) -> str:
    """One string per case: the folded words, then the category and area as tokens no word can be."""
    return f"{vn_fold(text)} zzcat{category.replace('-', '')} zzarea{area.replace('-', '')}"


def build() -> Pipeline:
    words = TfidfVectorizer(
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regular expression, not a password)
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        stop_words=sorted(STOP_SYLLABLES),
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("classifier", LogisticRegression(C=20.0, max_iter=2000)),
        ]
    )


def train(examples: Sequence[Example]) -> Pipeline:
    """A fitted pipeline. Needs at least two agencies among the examples (ValueError otherwise)."""
    if len({e.agency for e in examples}) < 2:
        raise ValueError("a routing model needs examples of at least two agencies")
    pipeline = build()
    pipeline.fit([features(e.text, e.category, e.area) for e in examples], [e.agency for e in examples])
    return pipeline


def suggest(pipeline: Pipeline, *, text: str, category: str, area: str, top: int = 3) -> list[Guess]:
    """The `top` likeliest agencies, each with its probability and the words that weighed most for it."""
    row = pipeline.named_steps["features"].transform([features(text, category, area)])
    classifier: LogisticRegression = pipeline.named_steps["classifier"]
    probabilities = classifier.predict_proba(row)[0]
    order = np.argsort(-probabilities)[:top]
    word_vectorizer: TfidfVectorizer = pipeline.named_steps["features"].transformer_list[0][1]
    names = word_vectorizer.get_feature_names_out()
    n_words = len(names)
    words_part = row[:, :n_words].tocsr()
    guesses = []
    for index in order:
        weights = (
            classifier.coef_[index] if classifier.coef_.shape[0] > 1 else classifier.coef_[0] * (1 if index else -1)
        )
        contributions = [(words_part.data[j] * weights[col], names[col]) for j, col in enumerate(words_part.indices)]
        reasons = [
            name for value, name in sorted(contributions, reverse=True) if value > 0 and not name.startswith("zz")
        ]
        shown = as_written(text, _readable(reasons)[:5])  # matched folded, shown with their diacritics
        guesses.append(Guess(str(classifier.classes_[index]), float(probabilities[index]), shown))
    return guesses


def _readable(reasons: list[str]) -> list[str]:
    """Drops a single syllable already inside a two-syllable reason shown before it."""
    kept: list[str] = []
    for reason in reasons:
        if " " not in reason and any(reason in k.split() for k in kept):
            continue
        kept.append(reason)
    return kept


def accuracy(pipeline: Pipeline, examples: Sequence[Example]) -> tuple[float, float]:
    """(top-1, top-3) accuracy on `examples`."""
    if not examples:
        return 0.0, 0.0
    probabilities = pipeline.predict_proba([features(e.text, e.category, e.area) for e in examples])
    classes = list(pipeline.named_steps["classifier"].classes_)
    top1 = top3 = 0
    for row, example in zip(probabilities, examples, strict=True):
        ranked = [classes[i] for i in np.argsort(-row)[:3]]
        top1 += ranked[0] == example.agency
        top3 += example.agency in ranked
    return top1 / len(examples), top3 / len(examples)


def dumps(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Pipeline:
    # Only blobs this app wrote (RoutingModel.blob, written by routing_model_train) are ever loaded.
    return joblib.load(io.BytesIO(blob))
