"""What publication tells the floors above it (syndication, dialogues, reports). Sent inside the service's
transaction; receivers that reach outside (webhooks) write to an outbox, never call out directly."""

from django.dispatch import Signal

# Each is sent with item (PublishedItem) and by (User or None for automatic publication).
item_published = Signal()
item_corrected = Signal()  # also: revision (the new revision, None for a privacy correction), private (bool)
item_unpublished = Signal()  # also: reason (str)
# Sent by services.surface.public_view_changed, the one function every service calls when what the public sees
# of an item changes: with item and change ("published", "corrected", "corrected_privately", "unpublished",
# "imported"). Inside the transaction; receivers that purge caches do it after commit.
item_public_changed = Signal()
# Sent with item (PublishedItem, already rewritten) and known (cases.services.anonymise.Known) when the person
# behind an item is removed from it: receivers hide them in what they keep about the item (webhook bodies,
# social posts).
item_anonymised = Signal()

# Sent by the portal's item page, search page and search API on the path that answers 200, with request (to
# tell people from bots and to know the site; receivers must not keep anything about the person). Receivers
# run inside the request: they must not write to the database or wait on anything slow.
item_viewed = Signal()  # also: item_id (int)
search_performed = Signal()  # also: query (str, as typed), result_count (int), page (int)
