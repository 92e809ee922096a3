"""Calls out of the park to addresses that people typed (a partner's webhook): never to the
inside. A destination must be https, unless an administrator allow-listed its host (which
may then also be plain http and inside: a test receiver, a partner on a private link); its
name is resolved here and every address it resolves to must be public, so loopback, private,
link-local (cloud metadata among them), multicast and reserved addresses are refused; and
the call goes to the address that was checked (no second lookup a name could answer
differently), without following redirects."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


class Refused(Exception):
    """The destination may not be called; the message says why, for the person who set it."""


class Unresolved(Refused):
    """The name could not be resolved now (it may be tomorrow): not a verdict on the name."""


@dataclass(frozen=True)
class Destination:
    """Where to connect (the checked address), and the name the request is for."""

    url: str  # with the checked address in place of the name
    host: str  # the Host header
    sni_hostname: str | None  # the name TLS verifies the certificate against (https)


def _parts(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise Refused("its port is not a number from 1 to 65535") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise Refused("must be a web address starting with https://")
    if parts.username or parts.password:
        raise Refused("must not carry a user name or password")
    return parts.scheme, host, port


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_address(url: str, allowed_hosts: tuple[str, ...] = ()) -> None:
    """What can be checked without the network, when the address is set: the scheme, and a
    host that is written as an internal address or is a name of this machine."""
    scheme, host, _port = _parts(url)
    if host in allowed_hosts:
        return
    if scheme != "https":
        raise Refused("must start with https:// (plain http only for allow-listed hosts)")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise Refused(f"{host} is a name of the inside, not a partner's address")
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if _internal(str(literal)):
        raise Refused(f"{host} is an internal address")


async def resolve(url: str, allowed_hosts: tuple[str, ...] = ()) -> Destination:
    """Where to send a request for `url`, after checking every address its host resolves to;
    raises Refused with the reason."""
    check_address(url, allowed_hosts)
    scheme, host, port = _parts(url)
    parts = urlsplit(url.strip())
    if host in allowed_hosts:
        return Destination(url.strip(), parts.netloc, None)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port or 443, type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise Unresolved(f"the name {host} could not be resolved") from exc
    addresses = sorted({info[4][0] for info in found})
    inside = [a for a in addresses if _internal(a)]
    if not addresses or inside:
        raise Refused(f"{host} resolves to {', '.join(inside) or 'nothing'}: an internal address")
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{port}" if port else literal
    pinned = urlunsplit((scheme, netloc, parts.path, parts.query, ""))
    return Destination(pinned, parts.netloc, host)
