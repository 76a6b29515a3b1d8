"""Channels: the Redis channel layer carries websocket messages across ASGI processes.

The live dialogue room does not use it for its broadcasts: each process subscribes once per dialogue to a
Redis pub/sub channel and writes to its own viewers (caunoi/dialogues/hub.py), because a channel-layer
channel and group message per viewer cannot keep up with thousands of viewers (ARCHITECTURE.md, live dialogues).
"""

from .base import REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}
