"""What the understanding app stores: the embeddings of cases and published items (the source of truth every
process's vector index is rebuilt from) and the routing models trained from past routing decisions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectType(models.TextChoices):
    CASE = "case", _("case")
    ITEM = "item", _("published item")


class Embedding(models.Model):
    """One text's vector. `seq` comes from a sequence and is renewed on every write, so a process holding an
    index up to `seq = N` catches up by reading `seq > N` (index.py); ids are never reused."""

    object_type = models.CharField(max_length=8, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    model = models.CharField(max_length=40)  # embedder.MODEL_NAME: vectors of two models never mix
    vector = models.BinaryField()  # float16, L2-normalised, embedder.DIM values
    # The text folded (no diacritics, lower case), cut like the embedded one: the words half of the index,
    # whose weights (TF-IDF) each process learns from all of them (index.py). Rewritten with the text, so an
    # anonymised case's words go when its text does.
    terms = models.TextField(default="")
    seq = models.BigIntegerField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="understanding_one_embedding"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} ({self.model})"


class RoutingModel(models.Model):
    """A routing model trained from past routing decisions, with its accuracy on cases it did not see."""

    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    examples = models.PositiveIntegerField(_("training examples"))
    held_out = models.PositiveIntegerField(_("held-out examples"))
    top1_accuracy = models.FloatField(_("top-1 accuracy (held out)"), null=True)
    top3_accuracy = models.FloatField(_("top-3 accuracy (held out)"), null=True)
    rules_accuracy = models.FloatField(_("routing rules' accuracy on the same cases"), null=True)
    agencies = models.JSONField(_("agencies it knows"), default=list)
    # The fitted scikit-learn pipeline (joblib), written only by routing_model_train: never from outside.
    blob = models.BinaryField()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")

    def __str__(self) -> str:
        return f"v{self.pk} ({self.trained_at:%Y-%m-%d %H:%M})"
