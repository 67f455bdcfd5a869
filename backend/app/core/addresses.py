"""Where a configured address really points: this machine (or its network link), or somewhere else.

Production must never talk to a local service, and one loopback service has many spellings: ``127.0.0.1``,
``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``, ``localhost.``,
``LOCALHOST``, ``api.localhost``, a percent-encoded or full-width host, a libpq unix-socket directory
(``?host=/run/postgresql``) or no host at all (libpq's and redis-py's defaults are local). This module reads
a setting the way its client does, lists the hosts the client would connect to (``database_hosts``,
``redis_hosts``, ``http_hosts``), classifies each one (``classify_host``) and judges a setting from them
(``assess``). It does no I/O: names other than ``localhost`` are judged from resolver answers the caller
passes in.

Local means: loopback (127.0.0.0/8, ::1), unspecified or "this network" (0.0.0.0/8, ::), link-local
(169.254.0.0/16, fe80::/10, home of cloud metadata services), those IPv4 addresses inside IPv6 (IPv4-mapped
``::ffff:a.b.c.d`` and IPv4-compatible ``::a.b.c.d``), a unix socket, and the names RFC 6761 reserves for
loopback (``localhost`` and its subdomains). Private networks (10/8, 192.168/16, ...) are remote: a managed
database or cache inside the same network is the normal production case.

Nothing here quotes a setting back: a failure names what is wrong, and a host is shown only when it reads as
a plain host name or address (``shown``), so a password that a malformed URL pushed into its host part is
never printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address
from itertools import zip_longest
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict

IPAddress = IPv4Address | IPv6Address

Answers = Mapping[str, Sequence[str] | None]
"""A resolver's answers: host name -> the addresses it resolves to, or None when it does not resolve."""

_THIS_NETWORK: Final = IPv4Network("0.0.0.0/8")
# IDNA treats these as label separators, exactly like "." (UTS 46); NFKC alone does not map them.
_DOTS: Final = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_IPV4_PART: Final = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")
_SHOWABLE: Final = re.compile(r"[A-Za-z0-9._:%/\[\]-]{1,253}")
_SOCKET_SCHEMES: Final = frozenset({"unix", "socket", "redis+socket"})


class HostKind(StrEnum):
    LOCAL = "local"
    """This machine or its link: no resolver can make it remote."""
    REMOTE = "remote"
    """An address elsewhere."""
    NAME = "name"
    """A host name: where it points is the resolver's answer."""


@dataclass(frozen=True, slots=True)
class Host:
    """One host a setting's client connects to (or names), classified without a resolver.

    ``spelling`` is canonical (percent-decoded, NFKC, lower case, no brackets, no trailing dot); ``why`` says
    what makes a LOCAL host local. ``resolve`` is False for a name the client never looks up (libpq's
    ``host`` next to a ``hostaddr``, an issuer that is only compared): only its spelling is judged."""

    spelling: str
    kind: HostKind
    why: str = ""
    resolve: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a setting's hosts amount to: why any is local, which names did not resolve, and whether at least
    one host is a remote address or a name that resolves only to remote addresses."""

    local: tuple[str, ...]
    unresolved: tuple[str, ...]
    reachable: bool


class UnreadableAddress(ValueError):
    """The setting cannot be read as its client reads it; the message says why and never quotes the text."""


def canonical_host(text: str) -> str:
    """The host as a resolver or a WHATWG URL parser sees it: percent-decoded, NFKC-normalised (full-width
    digits and letters become ASCII), IDNA's extra dots made plain, lower case, without IPv6 brackets or a
    trailing dot (``localhost.`` is the fully qualified ``localhost``)."""
    host = unquote(text).strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return unicodedata.normalize("NFKC", host).translate(_DOTS).lower().rstrip(".")


def parse_ipv4(text: str) -> IPv4Address | None:
    """An IPv4 address in any spelling ``inet_aton`` and WHATWG URLs accept: 1 to 4 dot-separated parts,
    each decimal, octal (leading ``0``) or hexadecimal (``0x``); the last part fills the remaining bytes
    (``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``). None when it is not one."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [_ipv4_part(part) for part in parts]
    *leading, last = values
    if any(value > 0xFF for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = last
    for index, value in enumerate(leading):
        number += value << (8 * (3 - index))
    return IPv4Address(number)


def _ipv4_part(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part[1:], 8)
    return int(part)


def parse_ip(text: str) -> IPAddress | None:
    """An IPv4 (any ``parse_ipv4`` spelling) or IPv6 address (brackets and zone allowed), or None."""
    return _parse_canonical(canonical_host(text))


def _parse_canonical(host: str) -> IPAddress | None:
    if ":" not in host:
        return parse_ipv4(host)
    try:
        return IPv6Address(host.partition("%")[0])
    except ValueError:
        return None


def local_reason(address: IPAddress) -> str | None:
    """What puts the address on this machine or its link (``the loopback address 127.0.0.1``), or None."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or _ipv4_compatible(address)
        if embedded is not None:
            return local_reason(embedded)
    if address.is_loopback:
        return f"the loopback address {address}"
    if address.is_unspecified or (isinstance(address, IPv4Address) and address in _THIS_NETWORK):
        return f"the unspecified address {address} (this machine)"
    if address.is_link_local:
        return f"the link-local address {address}"
    return None


def _ipv4_compatible(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address inside a deprecated IPv4-compatible address ``::a.b.c.d`` (not ``::`` or ``::1``)."""
    number = int(address)
    return IPv4Address(number) if number >> 32 == 0 and number > 1 else None


def shown(spelling: str) -> str:
    """The host as a message may print it: itself when it reads as a plain name, address or path."""
    return spelling if _SHOWABLE.fullmatch(spelling) else "a host that is not a plain name"


def classify_host(text: str, *, resolve: bool = True) -> Host:
    """Classify one host spelling: a literal address, a localhost name, or a name to resolve."""
    spelling = canonical_host(text)
    address = _parse_canonical(spelling)
    if address is not None:
        reason = local_reason(address)
        if reason is None:
            return Host(spelling, HostKind.REMOTE, resolve=resolve)
        why = reason if spelling == str(address) else f"host {shown(spelling)} is {reason}"
        return Host(spelling, HostKind.LOCAL, why, resolve)
    if spelling == "localhost" or spelling.endswith(".localhost"):
        return Host(spelling, HostKind.LOCAL, f"host {shown(spelling)} is a localhost name", resolve)
    return Host(spelling, HostKind.NAME, resolve=resolve)


def _socket(path: str, owner: str) -> Host:
    return Host(path, HostKind.LOCAL, f"{owner} is a unix socket")


def database_hosts(dsn: str, environ: Mapping[str, str]) -> list[Host]:
    """The hosts libpq connects to for ``dsn`` (a URI or ``key=value`` conninfo), with libpq's rules: the
    query's ``host``/``hostaddr`` count, lists are comma-separated and paired by position, ``PGHOST`` and
    ``PGHOSTADDR`` fill what the setting leaves out, a ``hostaddr`` is connected to without looking up its
    ``host``, a path (or ``@`` abstract name) is a unix socket, and no host at all is the default socket."""
    try:
        params = conninfo_to_dict(dsn)
    except ProgrammingError:
        raise UnreadableAddress("is not a libpq connection URI or key=value string") from None
    if params.get("service") or environ.get("PGSERVICE"):
        raise UnreadableAddress(
            "names a libpq connection service, whose host lives outside the settings; write the host in it"
        )
    host = str(params.get("host") or environ.get("PGHOST", ""))
    hostaddr = str(params.get("hostaddr") or environ.get("PGHOSTADDR", ""))
    hosts: list[Host] = []
    for name, address in zip_longest(host.split(","), hostaddr.split(","), fillvalue=""):
        name, address = name.strip(), address.strip()
        if address:
            hosts.append(classify_host(address))
            if name and not name.startswith(("/", "@")):
                hosts.append(classify_host(name, resolve=False))
        elif not name:
            hosts.append(_socket("", "libpq's default host"))
        elif name.startswith(("/", "@")):
            hosts.append(_socket(name, f"host {shown(name)}"))
        else:
            hosts.append(classify_host(name))
    return hosts


def redis_hosts(url: str) -> list[Host]:
    """The hosts a ``redis://``/``rediss://`` URL connects to (its host, a ``?host=`` query, else redis-py's
    default ``localhost``); ``unix://`` (and kombu's socket schemes) is a unix socket."""
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:
        raise UnreadableAddress("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme in _SOCKET_SCHEMES:
        return [_socket(parts.path, f"a {scheme}:// URL")]
    if scheme not in ("redis", "rediss"):
        raise UnreadableAddress("is not a redis://, rediss:// or unix:// URL")
    spellings = [hostname] if hostname else []
    spellings += parse_qs(parts.query).get("host", [])
    return [classify_host(spelling) for spelling in spellings or ["localhost"]]


def http_hosts(url: str, *, resolve: bool = True) -> list[Host]:
    """The host of an ``http(s)`` URL. Read twice, as written and with ``\\`` as ``/`` (WHATWG parsers, such
    as the object store's, end the authority at a backslash): when the readings differ, both hosts count."""
    hosts: list[Host] = []
    for reading in dict.fromkeys((url.strip(), url.strip().replace("\\", "/"))):
        try:
            parts = urlsplit(reading)
            hostname = parts.hostname
        except ValueError:
            raise UnreadableAddress("is not a valid URL") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise UnreadableAddress("is not an http:// or https:// URL")
        if not hostname:
            raise UnreadableAddress("names no host")
        host = classify_host(hostname, resolve=resolve)
        if host not in hosts:
            hosts.append(host)
    return hosts


def assess(hosts: Sequence[Host], answers: Answers) -> Verdict:
    """Judge a setting's hosts, names by the resolver's ``answers``. A name is local when ANY of its
    addresses is local (a client may pick any of them); it makes the setting reachable only when it resolves
    and none is. Names the client never looks up (``resolve=False``) are judged by spelling alone."""
    local: list[str] = []
    unresolved: list[str] = []
    reachable = False
    for host in hosts:
        if host.kind is HostKind.LOCAL:
            local.append(host.why)
        elif host.kind is HostKind.REMOTE:
            reachable = True
        elif host.resolve:
            addresses = answers.get(host.spelling)
            if not addresses:
                unresolved.append(host.spelling)
                continue
            reasons = [reason for reason in map(_answer_reason, addresses) if reason]
            if reasons:
                local.append(f"host {shown(host.spelling)} resolves to {reasons[0]}")
            else:
                reachable = True
    return Verdict(tuple(dict.fromkeys(local)), tuple(dict.fromkeys(unresolved)), reachable)


def _answer_reason(answer: str) -> str | None:
    address = parse_ip(answer)
    return local_reason(address) if address is not None else None


def names_to_resolve(hosts: Sequence[Host]) -> set[str]:
    """The names among ``hosts`` whose addresses ``assess`` needs."""
    return {host.spelling for host in hosts if host.kind is HostKind.NAME and host.resolve}


def display_url(url: str) -> str:
    """The URL without user info, query or fragment: safe to print in a message or a log line."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:
        return "an unreadable URL"
    return f"{parts.scheme}://{netloc}{parts.path}"
