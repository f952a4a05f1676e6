"""Outbound HTTP to URLs that users give us (webhooks): only public destinations, checked the way
the connection is made.

`check` parses the URL with httpx (the client that sends), reads the host the way libc's
`inet_aton` would (`127.1`, `0x7f.0.0.1`, `017700000001`, `2130706433` are all 127.0.0.1), resolves
a name and refuses if ANY address is not public, unless an operator allowed it by name, host:port or
network. The caller then connects to the checked address itself (`pinned_request`), with the name
in the Host header and TLS SNI, so a second resolution (DNS rebinding) can never pick the target.

`DestinationRefused.reason` is plain words for the subscriber; it never says what a name resolved
to, so the check cannot be used to map the internal network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host name, port) -> the addresses it resolves to, as text.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

NOT_PUBLIC = "must be a public internet address (this host is internal, reserved or cannot be resolved)"
BAD_SCHEME = "only http and https URLs are accepted"
CREDENTIALS = "must not contain a user name or password"
INVALID = "is not a valid http(s) URL"

# IANA special-purpose registries (RFC 6890 and successors) plus multicast: refused even where
# Python's `is_global` says otherwise (multicast, 6to4, 2001::/23 parts, NAT64 local use).
_BLOCKED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
        "::ffff:0:0:0/96",  # SIIT IPv4-translated
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
# Characters no URL we accept contains; WHATWG and httpx read "\" differently, so it goes too.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")


class DestinationRefused(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_public(address: IPAddress) -> bool:
    """Reachable on the public internet: not private, loopback, link-local, CGNAT, multicast,
    reserved, documentation or benchmarking, and no IPv6 form that embeds such an IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
        if address in _NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if any(address in network for network in _BLOCKED if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def legacy_ipv4(host: str) -> ipaddress.IPv4Address:
    """An IPv4 literal read as inet_aton does: 1 to 4 parts, each decimal, octal (leading 0) or
    hex (0x); the last part fills the remaining bytes (127.1, 2130706433)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        raise DestinationRefused(INVALID)
    values = []
    for part in parts:
        if not _NUMBER.match(part):
            raise DestinationRefused(INVALID)
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise DestinationRefused(INVALID)
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(values)):
        raise DestinationRefused(INVALID)
    number = last
    for i, value in enumerate(leading):
        number |= value << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def normalise_host(raw: str) -> str | IPAddress:
    """A host name in lower-case ASCII (IDNA), or the IP address a literal host stands for."""
    host = unicodedata.normalize("NFKC", unquote(raw)).translate({0x3002: ".", 0xFF61: "."}).lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        if "%" in host:  # a zone id names an interface of this machine
            raise DestinationRefused(NOT_PUBLIC)
        try:
            return ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise DestinationRefused(INVALID) from exc
    host = host.removesuffix(".")
    labels = host.split(".")
    if _NUMBER.match(labels[-1]):  # WHATWG: a host ending in a number is an IPv4 address or invalid
        return legacy_ipv4(host)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DestinationRefused(INVALID) from exc
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise DestinationRefused(INVALID)
    return ascii_host


@dataclass(frozen=True)
class _Entry:
    name: str | None
    network: IPNetwork | None
    port: int | None


@dataclass(frozen=True)
class Allowlist:
    """Internal destinations an operator allows: `name`, `name:port`, `10.0.0.5`, `[fd00::5]:8443`,
    `10.20.0.0/16`. A name entry allows the name whatever it resolves to; an address or network
    entry allows those addresses whatever name led to them."""

    entries: tuple[_Entry, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> Allowlist:
        entries = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            if "/" in item:
                entries.append(_Entry(None, ipaddress.ip_network(item, strict=False), None))
                continue
            host, port = item, None
            match = re.fullmatch(r"\[(.+)\]:(\d+)|([^:]+):(\d+)", item)
            if match:
                host, port = match.group(1) or match.group(3), int(match.group(2) or match.group(4))
            try:
                normal = normalise_host(host)
            except DestinationRefused as exc:
                raise ValueError(f"not a host, host:port or network: {item!r}") from exc
            if isinstance(normal, str):
                entries.append(_Entry(normal, None, port))
            else:
                entries.append(_Entry(None, ipaddress.ip_network(normal), port))
        return cls(tuple(entries))

    def allows_name(self, name: str, port: int) -> bool:
        return any(e.name == name and e.port in (None, port) for e in self.entries)

    def allows_address(self, address: IPAddress, port: int) -> bool:
        return any(
            e.network is not None
            and e.network.version == address.version
            and address in e.network
            and e.port in (None, port)
            for e in self.entries
        )


@dataclass(frozen=True)
class Destination:
    url: httpx.URL
    host: str  # the name (IDNA) or the IP literal, for the Host header and SNI
    port: int
    address: IPAddress  # the checked address to connect to
    by_name: bool  # the URL names a host (not an IP literal): send SNI

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.url.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


async def system_resolver(host: str, port: int) -> list[str]:
    """The system's resolver, as the HTTP client would use it (a stuck lookup is a failed one)."""
    lookup = asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    infos = await asyncio.wait_for(lookup, timeout=5.0)
    return [str(info[4][0]) for info in infos]


async def check(url: str, allowed: Allowlist, resolve: Resolver = system_resolver) -> Destination:
    """The destination of `url` if every address it leads to is public or allowed; else refused."""
    if _FORBIDDEN.search(url):
        raise DestinationRefused(INVALID)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise DestinationRefused(INVALID) from exc
    if parsed.scheme not in ("http", "https"):
        raise DestinationRefused(BAD_SCHEME)
    if parsed.userinfo:
        raise DestinationRefused(CREDENTIALS)
    if not parsed.host:
        raise DestinationRefused(INVALID)
    host = normalise_host(parsed.host)
    port = parsed.port if parsed.port is not None else (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise DestinationRefused(INVALID)
    if isinstance(host, str):
        named = allowed.allows_name(host, port)
        if not named and (host == "localhost" or host.endswith(".localhost")):  # RFC 6761: always loopback
            raise DestinationRefused(NOT_PUBLIC)
        try:
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in await resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise DestinationRefused(NOT_PUBLIC) from exc
        text = host
    else:
        named, found, text = False, [host], str(host)
    if not found:
        raise DestinationRefused(NOT_PUBLIC)
    for address in found:
        if not (named or allowed.allows_address(address, port) or is_public(address)):
            raise DestinationRefused(NOT_PUBLIC)
    return Destination(parsed, text, port, found[0], by_name=isinstance(host, str))


def pinned_request(
    client: httpx.AsyncClient, destination: Destination, content: bytes, headers: dict[str, str]
) -> httpx.Request:
    """A POST to the checked address itself, the name kept in the Host header and TLS SNI (the
    certificate is verified against the name)."""
    extensions = {"sni_hostname": destination.host} if destination.by_name and destination.url.scheme == "https" else {}
    return client.build_request(
        "POST",
        destination.url.copy_with(host=str(destination.address)),
        content=content,
        headers={**headers, "Host": destination.host_header},
        extensions=extensions,
    )


def failure(exc: BaseException) -> str:
    """A fixed word for a failed attempt: never the exception text, which may name internal hosts."""
    if isinstance(exc, DestinationRefused):
        return "destination not allowed"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    for _ in range(10):  # the chain of causes, bounded
        if cause is None:
            break
        if isinstance(cause, ssl.SSLError):
            return "tls error"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return "protocol error"
    if isinstance(exc, httpx.NetworkError):
        return "connection failed"
    return "request failed"
