"""Signals for apps on higher floors (publication, dialogues, reports) that must react to a case without
cases importing them. Sent inside the service's transaction: a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# Sent once per case that receives an approved answer (a primary, each linked duplicate, a completed split
# whole). Arguments: case (Case, status answered), answer (AnswerVersion approved), by (User approving).
case_answered = Signal()

# Sent once per case being anonymised, inside the anonymisation's transaction and before the case's contact
# details are cleared, so that higher floors hide the person in what they made from the case (published
# items). Arguments: case (Case), known (cases.services.anonymise.Known: the person's names, addresses and
# contact details, to hide wherever they appear).
case_anonymising = Signal()

# Sent when the citizen withdraws their consent to publication, inside the transaction that records it: what
# was made public from the case must leave the portal with it. Arguments: case (Case), by (User or None).
case_consent_withdrawn = Signal()

# Sent by services.notify.notify_citizen for every message written to the citizen about a case (inside the
# writer's transaction), so that those who follow the case by e-mail get a copy (caunoi.follows). Arguments:
# case (Case), template (str), context (dict: the message's context; secrets such as the access code are the
# receiver's to leave out).
citizen_notified = Signal()
