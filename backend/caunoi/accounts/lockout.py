"""Login throttling that a stranger cannot turn against an account's owner.

Failed logins are counted three ways, in Redis (shared by every process), for LOGIN_FAILURE_WINDOW_HOURS:

- per account and address: after LOGIN_MAX_FAILURES failures, that address waits before trying that account
  again: LOGIN_DELAY_SECONDS, doubling with each further failure, at most LOGIN_DELAY_MAX_MINUTES;
- per account, the distinct addresses it has never logged in from that failed on it: from
  LOGIN_ACCOUNT_MAX_ADDRESSES of them (guessing spread over many addresses; one address hammering is the
  first rule's), every such address waits a growing delay for that account;
- per address, over all accounts: past LOGIN_ADDRESS_MAX_FAILURES (one address trying many accounts), it
  waits before trying any account it has never logged in to.

An address from which the account completed a login in the last LOGIN_KNOWN_ADDRESS_DAYS ("known") is
held back only by its own failures for that account: whatever others do, the owner logs in from their
usual address. Nothing ever locks an account outright.

Attack patterns (one address failing on LOGIN_ALERT_ACCOUNTS accounts, or one account failing from
LOGIN_ALERT_ADDRESSES addresses, within the window) send `login_attack_suspected` once per window; the
notifications app tells administrators (an app above this one: the signal keeps the dependency pointing up).

The check sits in the authentication backend (backends.py), the one place every login passes (page, API
token, admin). Without Redis nothing is counted and nobody waits: a Redis outage must not lock every
official out; the per-address rate limit on logins still applies.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import Signal, receiver

from caunoi.core.ratelimit import client_address
from caunoi.core.redis_client import redis_client

from .models import User

logger = logging.getLogger(__name__)

# Sent once per window and pattern, with kind ("many_accounts": one address against many accounts, or
# "many_addresses": one account from many addresses), address or username (the other is ""), and count.
login_attack_suspected = Signal()

MANY_ACCOUNTS = "many_accounts"
MANY_ADDRESSES = "many_addresses"


def _account(username: str) -> str:
    # Hashed: usernames are typed by anyone and may be long or odd; the key needs only to tell them apart.
    normal = User.normalize_username(username).casefold()
    return hashlib.sha256(normal.encode()).hexdigest()[:32]


def _key(*parts: str) -> str:
    return ":".join((settings.LOGIN_THROTTLE_PREFIX, *parts))


def address_of(request: Any) -> str:
    """Who a login request counts as: its client address, or for IPv6 the /64 network around it (one
    customer of an ISP is given a whole /64 and could take a new address for every guess); `-` when there is
    no request (a management command)."""
    if request is None or not hasattr(request, "META"):
        return "-"
    raw = client_address(request)
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "-"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _delay(excess: int) -> int:
    """Seconds to wait after the `excess`-th failure at or past a limit: doubling, capped."""
    most = settings.LOGIN_DELAY_MAX_MINUTES * 60
    return int(min(settings.LOGIN_DELAY_SECONDS * 2 ** min(excess - 1, 30), most))


def _known(pipe_or_client: Any, account: str, address: str) -> Any:
    return pipe_or_client.exists(_key("known", account, address))


def retry_after(username: str, request: Any) -> int:
    """Seconds before `username` may try to log in again from `request`'s address; 0 when it may now."""
    account, address = _account(username), address_of(request)
    try:
        client = redis_client()
        pipe = client.pipeline(transaction=False)
        _known(pipe, account, address)
        pipe.ttl(_key("wait", "pair", account, address))
        pipe.ttl(_key("wait", "account", account))
        pipe.ttl(_key("wait", "address", address))
        known, pair, whole_account, whole_address = pipe.execute()
    except Exception:
        logger.warning("login throttling not checked: Redis unavailable", exc_info=True)
        return 0
    waits = [pair] if known else [pair, whole_account, whole_address]
    return max(0, *waits)


def is_locked(username: str, request: Any = None) -> bool:
    return retry_after(username, request) > 0


def _count(client: Any, key: str) -> int:
    pipe = client.pipeline()
    pipe.set(key, 0, ex=settings.LOGIN_FAILURE_WINDOW_HOURS * 3600, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def _distinct(client: Any, key: str, member: str) -> int:
    """Adds `member` to the set `key` (kept for the window after its latest member: EXPIRE ... NX would need
    Redis 7, and make run's embedded Redis is 6.2) and returns its size."""
    pipe = client.pipeline()
    pipe.sadd(key, member)
    pipe.expire(key, settings.LOGIN_FAILURE_WINDOW_HOURS * 3600)
    pipe.scard(key)
    return int(pipe.execute()[2])


def _wait_if_over(client: Any, scope: str, subject: tuple[str, ...], count: int, limit: int) -> None:
    if count >= limit:
        client.set(_key("wait", scope, *subject), 1, ex=_delay(count - limit + 1))


def record_failure(username: str, request: Any) -> None:
    """Counts one failed login for `username` from `request`'s address, sets the waits it has earned, and
    signals an attack pattern the first time one is seen in the window."""
    account, address = _account(username), address_of(request)
    window = settings.LOGIN_FAILURE_WINDOW_HOURS * 3600
    try:
        client = redis_client()
        known = bool(client.exists(_key("known", account, address)))
        pair = _count(client, _key("failures", "pair", account, address))
        _wait_if_over(client, "pair", (account, address), pair, settings.LOGIN_MAX_FAILURES)
        if not known:
            strangers = _distinct(client, _key("strangers-of", account), address)
            _wait_if_over(client, "account", (account,), strangers, settings.LOGIN_ACCOUNT_MAX_ADDRESSES)
        from_address = _count(client, _key("failures", "address", address))
        _wait_if_over(client, "address", (address,), from_address, settings.LOGIN_ADDRESS_MAX_FAILURES)
        # Who tried what, for the alerts: distinct accounts per address and addresses per account.
        pipe = client.pipeline()
        pipe.sadd(_key("accounts-of", address), account)
        pipe.expire(_key("accounts-of", address), window)
        pipe.scard(_key("accounts-of", address))
        pipe.sadd(_key("addresses-of", account), address)
        pipe.expire(_key("addresses-of", account), window)
        pipe.scard(_key("addresses-of", account))
        results = pipe.execute()
        accounts_tried, addresses_seen = int(results[2]), int(results[5])
        alerts = []
        if accounts_tried >= settings.LOGIN_ALERT_ACCOUNTS and client.set(
            _key("alerted", "address", address), 1, ex=window, nx=True
        ):
            alerts.append({"kind": MANY_ACCOUNTS, "address": address, "username": "", "count": accounts_tried})
        if addresses_seen >= settings.LOGIN_ALERT_ADDRESSES and client.set(
            _key("alerted", "account", account), 1, ex=window, nx=True
        ):
            name = User.normalize_username(username)
            alerts.append({"kind": MANY_ADDRESSES, "address": "", "username": name, "count": addresses_seen})
    except Exception:
        logger.warning("failed login not counted: Redis unavailable", exc_info=True)
        return
    for alert in alerts:
        login_attack_suspected.send(sender=User, **alert)


def record_success(username: str, request: Any) -> None:
    """A completed login (password and, if on, the second factor): the address becomes known for the
    account, and its own failures for it are forgotten."""
    account, address = _account(username), address_of(request)
    try:
        pipe = redis_client().pipeline()
        pipe.set(_key("known", account, address), 1, ex=settings.LOGIN_KNOWN_ADDRESS_DAYS * 86400)
        pipe.delete(_key("failures", "pair", account, address), _key("wait", "pair", account, address))
        pipe.execute()
    except Exception:
        logger.warning("login success not recorded: Redis unavailable", exc_info=True)


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


@receiver(user_login_failed)
def _count_failure(sender: object, credentials: dict[str, str], request: Any = None, **kwargs: object) -> None:
    username = credentials.get("username")
    if username:
        record_failure(username, request)


@receiver(user_logged_in)
def _remember_address(sender: object, request: Any, user: User, **kwargs: object) -> None:
    record_success(user.get_username(), request)
