"""What publication tells the floors above it (syndication, dialogues, reports). Sent inside the service's
transaction; receivers that reach outside (webhooks) write to an outbox, never call out directly."""

from django.dispatch import Signal

# Each is sent with item (PublishedItem) and by (User or None for automatic publication).
item_published = Signal()
item_corrected = Signal()  # also: revision (the new revision)
item_unpublished = Signal()  # also: reason (str)
