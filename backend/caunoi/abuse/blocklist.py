"""Whether a request matches the block list. Read from a per-process copy of the active rules, kept right
across processes by a version in Redis (core.versioned_cache): a rule added in the admin applies everywhere
within a second, and checking costs no query."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from caunoi.core.versioned_cache import VersionedCache

from .models import BlockRule


@dataclass(frozen=True)
class ActiveRules:
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    domains: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()


def _load() -> ActiveRules:
    rules = list(BlockRule.objects.filter(active=True).values_list("kind", "value"))
    return ActiveRules(
        networks=[ipaddress.ip_network(v) for k, v in rules if k == BlockRule.Kind.ADDRESS],
        domains=frozenset(v for k, v in rules if k == BlockRule.Kind.EMAIL_DOMAIN),
        phones=frozenset(v for k, v in rules if k == BlockRule.Kind.PHONE),
    )


active_rules = VersionedCache("block-rules", _load)


def rules_changed() -> None:
    """This process reloads its copy at once, every other one after the current transaction commits."""
    active_rules.invalidate()


def blocked(*, address: str, email: str = "", phone: str = "") -> bool:
    """True if the address lies in a blocked range, the (normalised) e-mail's domain or one of its parent
    domains is blocked, or the (normalised) phone number is."""
    rules = active_rules.get()
    if address and rules.networks:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            ip = None
        if ip is not None and any(ip in network for network in rules.networks if network.version == ip.version):
            return True
    if email and rules.domains:
        domain = email.rpartition("@")[2]
        parts = domain.split(".")
        if any(".".join(parts[i:]) in rules.domains for i in range(len(parts) - 1)):
            return True
    return bool(phone) and phone in rules.phones
