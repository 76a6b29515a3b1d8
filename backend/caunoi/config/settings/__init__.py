"""Settings: one complete base; each integration in its own module, inert until configured."""

from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .channels import *  # noqa: F403
from .observability import *  # noqa: F403
from .security import *  # noqa: F403
from .sentry import *  # noqa: F403
from .sso import *  # noqa: F403
