"""Requests IHF sends to addresses its users give it (hub webhooks): public addresses only.

A webhook URL is someone's input, and IHF's worker sits inside the network: left alone it would POST to the
database's port, a cache, or the cloud's metadata service (169.254.169.254) on a steward's say-so. So a
target must be http(s), carry no credentials, and every address its host resolves to must be global: not
loopback, private, link-local, shared (100.64/10), reserved, documentation, multicast or unspecified,
including IPv4 addresses embedded in IPv6 ones (mapped, 6to4, Teredo, NAT64).

It is checked twice: when the URL is saved (`validate_webhook_url`, on the model field, so the settings page
and the admin both refuse it), and when a notification is sent (`post_json`), after resolving the name
again, because what a name resolves to can change after it was checked. `post_json` then connects to the
address it checked, never resolving twice, so a name that answers a public address to the check and a
private one to the connection (DNS rebinding) cannot slip through; it follows no redirect.
IHF_WEBHOOK_ALLOW_PRIVATE turns the address rule off, for development against a local receiver.
"""

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedTarget(Exception):
    """The URL may not be sent to; the message says why (shown to the steward and recorded on delivery)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query
    address: str  # the checked address to connect to


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]


def _embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in NAT64:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [v4 for v4 in embedded if v4 is not None]


def is_public(address: Address) -> bool:
    return all(
        a.is_global and not (a.is_multicast or a.is_unspecified or a.is_reserved)
        for a in [address, *_embedded_ipv4(address)]
    )


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedTarget(f"{url!r} is not a URL IHF can post to ({error}).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("A webhook URL starts with http:// or https:// and names a host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("A webhook URL carries no user name or password: put a secret in its path.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The URL's parts and the address to connect to, or RefusedTarget. Resolves its host once."""
    scheme, host, port, path = _split(url)
    if not settings.IHF_WEBHOOK_ALLOW_PRIVATE and (host == "localhost" or host.endswith(".localhost")):
        raise RefusedTarget(f"{host} is the machine IHF runs on, not a public address.")
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget(f"{host} does not resolve to an address.") from None
    addresses = [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]
    if not settings.IHF_WEBHOOK_ALLOW_PRIVATE:
        inside = [a for a in addresses if not is_public(a)]
        if inside:
            named = "" if str(inside[0]) == host else f" (what {host} resolves to)"
            raise RefusedTarget(
                f"{inside[0]} is not a public address{named}: webhooks may not reach inside the network."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def validate_webhook_url(url: str) -> None:
    """The model field's validator: the same rule as delivery, with the name resolved now."""
    if not url:
        return
    try:
        resolve(url)
    except RefusedTarget as refused:
        raise ValidationError(str(refused), code="refused_target") from None


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST `body` to `url` after checking where it resolves to, connected to the checked address."""
    target = resolve(url)
    connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout)

    # http.client connects through this attribute: to the address checked above, while the Host header and,
    # over TLS, the server name and certificate check still use the host's name.
    def connect_to_checked(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        return socket.create_connection((target.address, address[1]), *args, **kwargs)

    connection._create_connection = connect_to_checked  # type: ignore[attr-defined]
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(64 * 1024)
        return Response(status=answer.status, headers=dict(answer.getheaders()))
    finally:
        connection.close()
