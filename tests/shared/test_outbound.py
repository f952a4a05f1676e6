"""The destination check of outbound webhooks: a catalogue of hostile URLs in every notation,
public ones that must pass, operator allowlists, and the pinned request (no servers)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

import httpx
import pytest
from pydantic import HttpUrl, TypeAdapter, ValidationError

from shared import outbound
from shared.outbound import Allowlist, DestinationRefused

URL = TypeAdapter(HttpUrl)  # the type of SubscriptionCreate.url

# Names the fake resolver knows; any other name does not resolve.
DNS = {
    "example.org": ["93.184.215.14"],
    "hooks.example.org": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "internal.example.org": ["10.0.0.7"],
    "mixed.example.org": ["93.184.215.14", "192.168.1.10"],
    "loopback.example.org": ["127.0.0.1"],
    "v6loop.example.org": ["::1"],
    "linklocal.example.org": ["fe80::1%eth0"],
    "metadata.example.org": ["169.254.169.254"],
    "mapped.example.org": ["::ffff:10.0.0.1"],
    "xn--4ca.example.org": ["93.184.215.14"],
    "localhost": ["127.0.0.1"],
    "receiver.ajuntament.internal": ["10.20.0.5"],
}


async def fake_resolve(host: str, port: int) -> Sequence[str]:
    try:
        return DNS[host]
    except KeyError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


async def no_resolution(host: str, port: int) -> Sequence[str]:
    raise AssertionError(f"an IP literal must not be resolved ({host})")


LITERALS_REFUSED = [
    # loopback, every notation
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://127.1/",
    "http://127.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.0.0.1/",
    "http://0x7F.0x0.0x0.0x1/",
    "http://0177.0.0.1/",
    "http://0177.1/",
    "http://017700000001/",
    "http://127.0.0.1./",
    "http://127.000.000.001/",
    "http://%31%32%37.0.0.1/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits
    "http://127\u30020\u30020\u30021/",  # ideographic full stops
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[::ffff:0:127.0.0.1]/",
    # unspecified
    "http://0/",
    "http://0.0.0.0/",
    "http://[::]/",
    # private, CGNAT, link-local (cloud metadata)
    "http://10.0.0.1/",
    "http://10.1/",
    "http://012.0.0.1/",
    "http://167772161/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.0.1/",
    "http://0xc0.0xa8.1.1/",
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fd00::1]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::10.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b:1::1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:c0a8:101::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    # multicast, broadcast, reserved, documentation, benchmarking
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://[ff02::1]/",
    "http://[ff05::2]/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://192.0.0.8/",
    "http://192.0.2.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://198.18.0.1/",
    "http://192.88.99.1/",
    "http://[2001:db8::1]/",
    "http://[3fff::1]/",
    "http://[100::1]/",
    # userinfo does not hide the host
    "https://example.org@127.0.0.1/",
    "http://good.example.org:80@10.0.0.1/",
]

NAMES_REFUSED = [
    "http://localhost/",
    "http://localhost:8000/hook",
    "http://LOCALHOST/",
    "http://localhost./",
    "http://api.localhost/",
    "http://loopback.example.org/",
    "http://loopback.example.org./",
    "http://LoopBack.Example.Org/",
    "http://v6loop.example.org/",
    "http://linklocal.example.org/",
    "http://internal.example.org/",
    "http://metadata.example.org/",
    "http://mapped.example.org/",
    "http://mixed.example.org/",  # one private answer is enough
    "http://does-not-resolve.example.org/",
    "http://loopback%2Eexample.org/",  # percent-decodes to loopback.example.org
]

MALFORMED = [
    "ftp://example.org/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "javascript:alert(1)",
    "http:///hook",
    "http://1.2.3.999/",
    "http://1.2.3.4.5/",
    "http://0x100000000/",
    "http://08.0.0.1/",
    "http://foo.0x10/",
    "http://exa mple.org/",
    "http://example.org\\@127.0.0.1/",
    "http://example.org/\r\nHost: 127.0.0.1",
    "http://exa_mple..org/",
    "http://example.org:0/",
]

CREDENTIALED = [
    "https://user:pass@example.org/hook",
    "https://user@example.org/hook",
    "https://:token@example.org/hook",
]

PUBLIC = [
    ("https://example.org/hook", "example.org", "93.184.215.14"),
    ("https://EXAMPLE.org./hook?x=1", "example.org", "93.184.215.14"),
    ("https://hooks.example.org:8443/in", "hooks.example.org", "93.184.215.14"),
    ("http://93.184.215.14/hook", "93.184.215.14", "93.184.215.14"),
    ("http://1572394766/", "93.184.215.14", "93.184.215.14"),  # the same address as one integer
    ("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ("http://[::ffff:93.184.215.14]/", "::ffff:5db8:d70e", None),
    ("https://ä.example.org/", "xn--4ca.example.org", "93.184.215.14"),
]


@pytest.mark.parametrize("url", LITERALS_REFUSED)
async def test_non_public_ip_literals_are_refused_in_every_notation(url: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        await outbound.check(url, Allowlist(), no_resolution)
    if refused.value.reason == outbound.INVALID:  # only where the HTTP client cannot read it either
        with pytest.raises(httpx.InvalidURL):
            httpx.URL(url)
    else:
        assert refused.value.reason in (outbound.NOT_PUBLIC, outbound.CREDENTIALS)
    # What a subscription stores is pydantic's normalised URL (http://0177.1/ -> http://127.0.0.1/):
    # refused as well, for the right reason.
    try:
        stored = str(URL.validate_python(url))
    except ValidationError:
        return
    with pytest.raises(DestinationRefused) as again:
        await outbound.check(stored, Allowlist(), no_resolution)
    assert again.value.reason in (outbound.NOT_PUBLIC, outbound.CREDENTIALS)


@pytest.mark.parametrize("url", NAMES_REFUSED)
async def test_names_leading_to_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        await outbound.check(url, Allowlist(), fake_resolve)
    # One message whether the name is internal or unknown: the check maps nothing.
    assert refused.value.reason == outbound.NOT_PUBLIC


@pytest.mark.parametrize("url", MALFORMED)
async def test_malformed_or_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused):
        await outbound.check(url, Allowlist(), fake_resolve)


@pytest.mark.parametrize("url", CREDENTIALED)
async def test_credentials_in_the_url_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        await outbound.check(url, Allowlist(), fake_resolve)
    assert refused.value.reason == outbound.CREDENTIALS


@pytest.mark.parametrize(("url", "host", "address"), PUBLIC)
async def test_public_destinations_pass(url: str, host: str, address: str | None) -> None:
    destination = await outbound.check(url, Allowlist(), fake_resolve)
    assert destination.host == host
    if address is not None:
        assert str(destination.address) == address
    assert outbound.is_public(destination.address)


@pytest.mark.parametrize(
    "host",
    ["127.1", "0x7f.0.0.1", "0177.0.0.1", "017700000001", "2130706433", "10.1", "0xc0.0xa8.1.1", "1.2.3", "0"],
)
def test_legacy_ipv4_reads_as_inet_aton(host: str) -> None:
    assert outbound.legacy_ipv4(host).packed == socket.inet_aton(host)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "2002:808:808::1"],
)
def test_is_public_accepts_global_unicast(address: str) -> None:
    assert outbound.is_public(ipaddress.ip_address(address))


async def test_an_allowlist_admits_named_internal_receivers_only() -> None:
    allowed = Allowlist.parse(["receiver.ajuntament.internal", "127.0.0.1", "10.99.0.0/16", "[fd00::5]:8443"])
    named = await outbound.check("https://receiver.ajuntament.internal/hook", allowed, fake_resolve)
    assert (named.host, str(named.address)) == ("receiver.ajuntament.internal", "10.20.0.5")
    assert (await outbound.check("http://127.0.0.1:51234/hook", allowed, no_resolution)).port == 51234
    assert str((await outbound.check("http://10.99.3.4/", allowed, no_resolution)).address) == "10.99.3.4"
    assert (await outbound.check("https://[fd00::5]:8443/", allowed, no_resolution)).port == 8443
    for url in ("https://[fd00::5]/", "http://127.0.0.2/", "http://10.0.0.1/", "http://localhost/"):
        with pytest.raises(DestinationRefused):
            await outbound.check(url, allowed, fake_resolve)
    with pytest.raises(ValueError, match="not a host"):
        Allowlist.parse(["bad host!"])


async def test_name_entries_with_a_port_allow_that_port_only() -> None:
    allowed = Allowlist.parse(["internal.example.org:8443"])
    assert (await outbound.check("https://internal.example.org:8443/", allowed, fake_resolve)).port == 8443
    with pytest.raises(DestinationRefused):
        await outbound.check("https://internal.example.org/", allowed, fake_resolve)


async def test_the_pinned_request_goes_to_the_checked_address_with_the_name_in_host_and_sni() -> None:
    async with httpx.AsyncClient() as client:
        destination = await outbound.check("https://hooks.example.org:8443/in?x=1", Allowlist(), fake_resolve)
        request = outbound.pinned_request(client, destination, b"{}", {"Content-Type": "application/json"})
        assert str(request.url) == "https://93.184.215.14:8443/in?x=1"
        assert request.headers["host"] == "hooks.example.org:8443"
        assert request.extensions["sni_hostname"] == "hooks.example.org"
        literal = await outbound.check("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", Allowlist(), no_resolution)
        request = outbound.pinned_request(client, literal, b"{}", {})
        assert request.url.host == "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
        assert request.headers["host"] == "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]"
        assert "sni_hostname" not in request.extensions


def test_failures_are_a_fixed_vocabulary_without_exception_text() -> None:
    request = httpx.Request("POST", "http://10.0.0.7/")
    refused = httpx.ConnectError("[Errno 111] Connection refused to 10.0.0.7", request=request)
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert outbound.failure(refused) == "connection refused"
    assert outbound.failure(httpx.ConnectTimeout("timed out 10.0.0.7", request=request)) == "timeout"
    assert outbound.failure(httpx.ConnectError("getaddrinfo failed: internal.lan", request=request)) == (
        "connection failed"
    )
    assert outbound.failure(DestinationRefused(outbound.NOT_PUBLIC)) == "destination not allowed"
    assert outbound.failure(httpx.RemoteProtocolError("bad", request=request)) == "protocol error"
