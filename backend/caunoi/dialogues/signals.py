"""What dialogues tell the floors above them (social). Sent inside the service's transaction; receivers that
reach outside write to an outbox, never call out directly."""

from django.dispatch import Signal

# Sent by dialogue_schedule with dialogue (Dialogue, hosts and moderators set) and by (User).
dialogue_announced = Signal()
