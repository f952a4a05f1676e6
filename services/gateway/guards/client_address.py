"""The caller's real address: the TCP peer, unless the peer is a configured proxy.

`X-Forwarded-For` and friends are anybody's to write, so they count only when the connection comes
from a proxy the operator named (`XARXA_GATEWAY_TRUSTED_PROXIES`, none by default). Rate limits, the
audit trail and the services behind see the address decided here, never a header as sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers that claim something about the connection; dropped from every request the gateway
# forwards and replaced by its own X-Forwarded-For / X-Forwarded-Proto.
FORWARDING_HEADERS = frozenset(
    {"forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip"}
)


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def real_client(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The right-most address of the chain that is not a trusted proxy (RFC 7239 section 5.2)."""
    current = _address(peer)
    if current is None or not any(current in net for net in trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(current)  # a malformed hop: stop at the last address we can vouch for
        current = address
        if not any(address in net for net in trusted):
            return str(address)
    return str(current)


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted_proxies: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = trusted_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            host, port = scope["client"]
            forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            scope["client"] = (real_client(host, forwarded, self.trusted), port)
        await self.app(scope, receive, send)
