"""Signals for apps on higher floors (publication, dialogues, reports) that must react to a case without
cases importing them. Sent inside the service's transaction: a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# Sent once per case that receives an approved answer (a primary, each linked duplicate, a completed split
# whole). Arguments: case (Case, status answered), answer (AnswerVersion approved), by (User approving).
case_answered = Signal()
