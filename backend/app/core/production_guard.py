"""What ``APP_ENV=production`` refuses at start-up (DESIGN §4): a local service however its address is
spelled, and every credential the emulators accept.

Addresses. Each service setting is read as its client reads it (``app.core.addresses``) and every host it
names is judged. Host names are resolved once, here, all at once, within ``RESOLVE_DEADLINE_S``:

- a name that resolves to any local address is refused, whatever else it resolves to;
- a name that does not resolve stops start-up only when its setting is not otherwise reachable: when none
  of the setting's other hosts is a remote address or a name resolving to remote addresses (libpq tries a
  multi-host list in order), and, for an http(s) setting, when no proxy from the environment
  (``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` minus ``NO_PROXY``) carries it (the proxy resolves the name,
  not us). A tolerated failure is logged as a warning. A setting that reaches nothing would fail its first
  call anyway: refusing at once, with its name, beats a process that looks healthy and is not;
- names a client only compares or displays (``COGNITO_ISSUER``, ``MEDIA_PUBLIC_BASE_URL``, libpq's ``host``
  next to a ``hostaddr``, the store domain when ``SHOPIFY_GRAPHQL_URL`` is set) are judged by spelling.

Credentials. The emulators' well-known credentials (the local profile's defaults, ``LOCAL_*``) are refused
one by one: the Boeing emulator's client secret or password is refused whatever client id or user name it
comes with. The identity emulator's signing key is refused by the API's start-up (``check_signing_keys``).

No message prints a secret: messages are fixed text naming settings, a host is shown only when it is a plain
spelling (a password an unescaped ``@`` pushed into a host is not), and as a last guard every configured
secret of ``MASK_MIN_LENGTH`` characters or more is masked. Shorter values are left alone: masking them would
cut through the message's own words (a password ``p`` would maim every "production").
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict

from app.core.addresses import (
    Host,
    UnreadableAddress,
    assess,
    database_hosts,
    http_hosts,
    names_to_resolve,
    redis_hosts,
    shown,
)

if TYPE_CHECKING:
    from app.core.config import Settings

log = logging.getLogger(__name__)

LOCAL_BOEING_CREDENTIALS: Final[Mapping[str, str]] = MappingProxyType(
    {"client_id": "emu-client", "client_secret": "emu-secret", "username": "emu-user", "password": "emu-pass"}
)
"""What the Boeing emulator accepts by default: one client id and secret, one user name and password."""
LOCAL_SHOPIFY_TOKEN: Final = "shpat_emulator_dev"
"""The Shopify emulator's default admin token."""
LOCAL_SHOPIFY_DOMAIN: Final = "boeing-emulator.myshopify.com"
"""The local profile's store domain; with the emulator's own shop domain, never a production store: a real
store of that name would belong to someone else and receive our token."""
EMULATOR_SHOP_DOMAINS: Final = frozenset({LOCAL_SHOPIFY_DOMAIN, "emulator.myshopify.com"})

MASK_MIN_LENGTH: Final = 8

RESOLVE_DEADLINE_S: Final = 10.0
"""How long start-up waits for every name to resolve; a name not answered by then did not resolve."""

Resolver = Callable[[str], Sequence[str]]
"""Host name -> its addresses; raises ``OSError`` (or ``UnicodeError``) when the name does not resolve."""

_SETTING_LOCAL: Final = "points at this machine ({}); production never uses local services"


@dataclass(frozen=True, slots=True)
class _Checked:
    """One service setting as production judges it: its name(s), its hosts (or why it cannot be read), and
    the http(s) URL an environment proxy could carry (None for database, cache and compared-only URLs)."""

    setting: str
    hosts: list[Host] | UnreadableAddress
    proxied_url: str | None = None


def system_resolver(name: str) -> list[str]:
    """The operating system's answer for ``name`` (``/etc/hosts``, DNS, ...), as address strings."""
    return [str(info[4][0]) for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)]


def production_refusals(settings: Settings, resolver: Resolver, environ: Mapping[str, str]) -> list[str]:
    """Every reason production refuses these settings (empty: none). Resolves the names the settings use."""
    problems = _credential_refusals(settings)
    checked = _service_settings(settings, environ)
    names = set().union(*(names_to_resolve(c.hosts) for c in checked if isinstance(c.hosts, list)))
    answers = resolve_all(names, resolver, RESOLVE_DEADLINE_S)
    for check in checked:
        problems += _address_refusals(check, answers, environ)
    secrets = _configured_secrets(settings)
    return [_masked(problem, secrets) for problem in dict.fromkeys(problems)]


def resolve_all(
    names: Iterable[str], resolver: Resolver, deadline_s: float
) -> dict[str, tuple[str, ...] | None]:
    """Resolve every name at once, each in a daemon thread (a hung lookup never holds the process); a name
    without an answer within ``deadline_s`` counts as not resolving."""
    found: dict[str, tuple[str, ...] | None] = {}

    def lookup(name: str) -> None:
        try:
            found[name] = tuple(resolver(name))
        except (OSError, UnicodeError):
            found[name] = None

    threads = [threading.Thread(target=lookup, args=(name,), daemon=True) for name in sorted(names)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: found.get(name) for name in sorted(names)}


def _credential_refusals(settings: Settings) -> list[str]:
    problems: list[str] = []
    boeing, shopify = settings.boeing, settings.shopify
    for field, emulator_value in LOCAL_BOEING_CREDENTIALS.items():
        if (getattr(boeing, field) or "").strip() == emulator_value:
            what = field.replace("_", " ")
            problems.append(
                f"BOEING_{field.upper()} is the emulator's {what}; production needs real credentials"
            )
    if (shopify.admin_api_token or "").strip() == LOCAL_SHOPIFY_TOKEN:
        problems.append("SHOPIFY_ADMIN_API_TOKEN is the emulator's token; production needs a real one")
    domain = (shopify.store_domain or "").strip().lower().rstrip(".")
    if domain in EMULATOR_SHOP_DOMAINS:
        problems.append("SHOPIFY_STORE_DOMAIN is the emulator's store; production needs the real store's")
    return problems


def _service_settings(settings: Settings, environ: Mapping[str, str]) -> list[_Checked]:
    """Every setting that names a service, with the hosts its client would use."""
    boeing, shopify, cognito, storage = settings.boeing, settings.shopify, settings.cognito, settings.storage
    database_url, redis_url = settings.database.database_url, settings.redis.redis_url
    checked = [
        _Checked(
            "DATABASE_URL", _hosts(lambda: database_hosts(database_url, environ) if database_url else [])
        ),
        _Checked("REDIS_URL", _hosts(lambda: redis_hosts(redis_url) if redis_url else [])),
    ]
    for url, override, override_name, path_field in (
        (boeing.token_url, boeing.oauth_token_url, "BOEING_OAUTH_TOKEN_URL", "oauth_token_path"),
        (boeing.part_token_url, boeing.pna_oauth_url, "BOEING_PNA_OAUTH_URL", "part_token_path"),
        (boeing.price_url, boeing.pna_price_url, "BOEING_PNA_PRICE_URL", "price_path"),
    ):
        checked.append(_http(override_name if override else _boeing_base_setting(settings, path_field), url))
    if shopify.graphql_url:
        checked.append(_http("SHOPIFY_GRAPHQL_URL", shopify.graphql_url))
    if shopify.store_domain:
        # Without SHOPIFY_GRAPHQL_URL the endpoint is built from the domain; with it, the domain is a label.
        store = shopify.endpoint if not shopify.graphql_url else f"https://{shopify.store_domain}/"
        checked.append(_http("SHOPIFY_STORE_DOMAIN", store, reached=not shopify.graphql_url))
    optional = (
        ("COGNITO_JWKS_URL", cognito.jwks_url, True),
        ("COGNITO_ENDPOINT_URL", cognito.endpoint_url, True),
        ("COGNITO_ISSUER", cognito.issuer, False),
        ("STORAGE_ENDPOINT_URL", storage.storage_endpoint_url, True),
        ("MEDIA_PUBLIC_BASE_URL", storage.media_public_base_url, False),
    )
    checked += [_http(setting, url, reached=reached) for setting, url, reached in optional if url]
    if storage.storage_url and urlsplit(storage.storage_url).scheme.lower() in ("http", "https"):
        checked.append(_http("STORAGE_URL", storage.storage_url))
    return checked


def _boeing_base_setting(settings: Settings, path_field: str) -> str:
    """The settings a Boeing URL is built from: the base URL, and its path setting when that was changed."""
    if getattr(settings.boeing, path_field) == type(settings.boeing).model_fields[path_field].default:
        return "BOEING_BASE_URL"
    return f"BOEING_BASE_URL with BOEING_{path_field.upper()}"


def _hosts(read: Callable[[], list[Host]]) -> list[Host] | UnreadableAddress:
    try:
        return read()
    except UnreadableAddress as exc:
        return exc


def _http(setting: str, url: str, *, reached: bool = True) -> _Checked:
    """An http(s) setting; ``reached=False`` for one the process only compares or shows (never resolved)."""
    hosts = _hosts(lambda: http_hosts(url, resolve=reached))
    return _Checked(setting, hosts, proxied_url=url if reached else None)


def _address_refusals(
    check: _Checked, answers: Mapping[str, tuple[str, ...] | None], environ: Mapping[str, str]
) -> list[str]:
    if isinstance(check.hosts, UnreadableAddress):
        return [f"{check.setting} {check.hosts}"]
    verdict = assess(check.hosts, answers)
    if verdict.local:
        return [f"{check.setting} " + _SETTING_LOCAL.format("; ".join(verdict.local))]
    if not verdict.unresolved:
        return []
    names = ", ".join(shown(name) for name in verdict.unresolved)
    if verdict.reachable or (check.proxied_url and _proxied(check.proxied_url, environ)):
        log.warning("%s: %s did not resolve at start-up; it is reached another way", check.setting, names)
        return []
    return [f"{check.setting} reaches no service: {names} did not resolve, so where it points is unknown"]


def _proxied(url: str, environ: Mapping[str, str]) -> bool:
    """Whether an http(s) client that trusts the environment (httpx, urllib, botocore) sends ``url``
    through a proxy, which then resolves its host: a proxy for its scheme (or ``ALL_PROXY``) is set and
    ``NO_PROXY`` does not exempt its host (``*``, the host itself, or a domain it is under)."""
    variables = {key.lower(): value for key, value in environ.items() if key.lower().endswith("_proxy")}
    parts = urlsplit(url)
    if not (variables.get(f"{parts.scheme.lower()}_proxy") or variables.get("all_proxy")):
        return False
    host = (parts.hostname or "").rstrip(".")
    for entry in variables.get("no_proxy", "").lower().split(","):
        entry = entry.strip()
        domain = entry.lstrip(".").partition(":")[0] if entry.count(":") == 1 else entry.lstrip(".")
        if entry == "*" or (domain and (host == domain or host.endswith("." + domain))):
            return False
    return True


def _configured_secrets(settings: Settings) -> set[str]:
    """Every secret the settings hold, including passwords inside service URLs."""
    boeing, storage = settings.boeing, settings.storage
    secrets = {
        boeing.client_secret,
        boeing.password,
        settings.shopify.admin_api_token,
        storage.storage_secret_access_key,
        settings.cognito.local_password,
    }
    urls = (settings.redis.redis_url, settings.cognito.jwks_url, settings.cognito.endpoint_url)
    for url in (*urls, storage.storage_endpoint_url, settings.shopify.graphql_url, boeing.base_url):
        secrets.add(_url_password(url))
    secrets.add(_database_password(settings.database.database_url))
    return {secret for secret in secrets if secret and len(secret) >= MASK_MIN_LENGTH}


def _url_password(url: str | None) -> str | None:
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def _database_password(dsn: str | None) -> str | None:
    try:
        return str(conninfo_to_dict(dsn).get("password") or "") if dsn else None
    except ProgrammingError:
        return None


def _masked(message: str, secrets: Iterable[str]) -> str:
    """``message`` with every secret masked, in any letter case (host spellings are shown lower-cased)."""
    for secret in sorted(secrets, key=len, reverse=True):
        message = re.sub(re.escape(secret), "***", message, flags=re.IGNORECASE)
    return message
