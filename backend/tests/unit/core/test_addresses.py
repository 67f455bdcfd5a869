"""Where an address points, over many spellings of the same services (pure: no resolver, no network)."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from app.core.addresses import (
    Host,
    HostKind,
    UnreadableAddress,
    assess,
    classify_host,
    database_hosts,
    display_url,
    http_hosts,
    names_to_resolve,
    parse_ip,
    parse_ipv4,
    redis_hosts,
)

LOCAL_SPELLINGS = [
    # IPv4 loopback, in every form inet_aton and WHATWG URLs accept
    "127.0.0.1",
    "127.0.0.2",
    "127.255.255.254",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0X7F000001",
    "0x7f.1",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "0177.0.0.01",
    "017700000001",
    "127.0.0.1.",
    "%31%32%37.0.0.1",
    "\uff11\uff12\uff17.0.0.1",  # full-width digits
    "\u2460\u2461\u2466.0.0.1",  # circled digits (NFKC: 1, 2, 7)
    "127\u30020\u30020\u30021",  # ideographic full stops
    # unspecified, "this network", link-local (cloud metadata)
    "0.0.0.0",
    "0",
    "0x",  # WHATWG reads a bare "0x" as 0
    "0.1.2.3",
    "169.254.169.254",
    "169.254.0.1",
    # IPv6
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::",
    "[::]",
    "::ffff:127.0.0.1",
    "[::ffff:127.0.0.1]",
    "::ffff:7f00:1",
    "[::FFFF:7F00:0001]",
    "::ffff:0.0.0.0",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "fe80::1",
    "fe80::1%eth0",
    "[fe80::1%25eth0]",
    # names reserved for loopback (RFC 6761)
    "localhost",
    "LOCALHOST",
    "LocalHost",
    "localhost.",
    "localhost..",
    "api.localhost",
    "a.b.localhost.",
    "%6c%6fcalhost",
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",  # full-width "localhost"
]

REMOTE_ADDRESSES = [
    "203.0.113.10",
    "10.0.0.5",
    "192.168.1.20",
    "172.16.0.1",
    "8.8.8.8",
    "0xcb007101",
    "3405803786",
    "128.0.0.1",
    "126.255.255.255",
    "169.253.0.1",
    "2001:db8::1",
    "[2001:db8::1]",
    "::ffff:203.0.113.10",
    "fd00::1",
    "fec0::1",
]

NAMES = [
    "db.example.supabase.co",
    "localhost.example.com",
    "mylocalhost",
    "localhost-db",
    "127.0.0.1.nip.io",
    "256.0.0.1",
    "1.2.3.4.5",
    "08.0.0.1",
    "127..1",
    "ss@127.0.0.1",
]


@pytest.mark.parametrize("spelling", LOCAL_SPELLINGS)
def test_every_spelling_of_this_machine_is_local(spelling: str) -> None:
    host = classify_host(spelling)
    assert host.kind is HostKind.LOCAL, host
    assert host.why


@pytest.mark.parametrize("spelling", REMOTE_ADDRESSES)
def test_addresses_elsewhere_are_remote(spelling: str) -> None:
    assert classify_host(spelling).kind is HostKind.REMOTE


@pytest.mark.parametrize("spelling", NAMES)
def test_other_names_are_left_to_the_resolver(spelling: str) -> None:
    assert classify_host(spelling).kind is HostKind.NAME


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0xff.0xffffff", "255.255.255.255"),
        ("4294967295", "255.255.255.255"),
    ],
)
def test_ipv4_short_and_based_forms(spelling: str, address: str) -> None:
    assert parse_ipv4(spelling) == IPv4Address(address)


@pytest.mark.parametrize(
    "spelling",
    ["4294967296", "1.2.3.256", "1.256.0.0.0", "256.1", "0x1g", "08", "09.1", "", "1..2", "+1", "-1"],
)
def test_not_an_ipv4_address(spelling: str) -> None:
    assert parse_ipv4(spelling) is None


def test_parse_ip_reads_brackets_zones_and_encodings() -> None:
    assert str(parse_ip("[fe80::1%25eth0]")) == "fe80::1"
    assert str(parse_ip("%31%32%37.1")) == "127.0.0.1"
    assert parse_ip("db.example.com") is None


def test_a_message_shows_the_spelling_when_it_differs_from_the_address() -> None:
    assert classify_host("2130706433").why == "host 2130706433 is the loopback address 127.0.0.1"
    assert classify_host("127.0.0.1").why == "the loopback address 127.0.0.1"
    assert classify_host("api.localhost.").why == "host api.localhost is a localhost name"


def kinds(hosts: list[Host]) -> list[tuple[str, HostKind, bool]]:
    return [(host.spelling, host.kind, host.resolve) for host in hosts]


LOCAL, REMOTE, NAME = HostKind.LOCAL, HostKind.REMOTE, HostKind.NAME


@pytest.mark.parametrize(
    ("dsn", "environ", "expected"),
    [
        ("postgresql://u:p@127.0.0.1:5432/db", {}, [("127.0.0.1", LOCAL, True)]),
        ("postgres://u@[::ffff:127.0.0.1]/db", {}, [("::ffff:127.0.0.1", LOCAL, True)]),
        ("postgresql://u@%31%32%37.1/db", {}, [("127.1", LOCAL, True)]),
        ("postgresql:///db?host=/run/postgresql", {}, [("/run/postgresql", LOCAL, True)]),
        ("postgresql://u@%2Frun%2Fpostgresql/db", {}, [("/run/postgresql", LOCAL, True)]),
        ("postgresql://u@db.example.com/db?host=/tmp", {}, [("/tmp", LOCAL, True)]),
        ("postgresql://u@db.example.com/db?host=", {}, [("", LOCAL, True)]),
        ("postgresql:///db", {}, [("", LOCAL, True)]),
        ("postgresql://u@/db?host=@abstract", {}, [("@abstract", LOCAL, True)]),
        ("host=127.0.0.1 dbname=x", {}, [("127.0.0.1", LOCAL, True)]),
        ("host=localhost. dbname=x", {}, [("localhost", LOCAL, True)]),
        ("dbname=x user=app", {}, [("", LOCAL, True)]),
        ("host='/var/run/postgresql' dbname=x", {}, [("/var/run/postgresql", LOCAL, True)]),
        ("dbname=x", {"PGHOST": "db.example.com"}, [("db.example.com", NAME, True)]),
        ("dbname=x", {"PGHOST": "/tmp"}, [("/tmp", LOCAL, True)]),
        (
            "host=db.example.com dbname=x",
            {"PGHOSTADDR": "127.0.0.1"},
            [("127.0.0.1", LOCAL, True), ("db.example.com", NAME, False)],
        ),
        (
            "postgresql://u@db.example.com/db?hostaddr=10.0.0.5",
            {},
            [("10.0.0.5", REMOTE, True), ("db.example.com", NAME, False)],
        ),
        (
            "postgresql://u@db.example.com/db?hostaddr=2130706433",
            {},
            [("2130706433", LOCAL, True), ("db.example.com", NAME, False)],
        ),
        ("host=localhost hostaddr=10.0.0.5", {}, [("10.0.0.5", REMOTE, True), ("localhost", LOCAL, False)]),
        (
            "postgresql://u@a.example.com:5432,127.0.0.1:5433/db",
            {},
            [("a.example.com", NAME, True), ("127.0.0.1", LOCAL, True)],
        ),
        (
            "host=a.example.com,b.example.com hostaddr=10.0.0.1, dbname=x",
            {},
            [("10.0.0.1", REMOTE, True), ("a.example.com", NAME, False), ("b.example.com", NAME, True)],
        ),
        (
            "host=a.example.com,,/tmp dbname=x",
            {},
            [("a.example.com", NAME, True), ("", LOCAL, True), ("/tmp", LOCAL, True)],
        ),
    ],
)
def test_database_hosts_follow_libpq(
    dsn: str, environ: dict[str, str], expected: list[tuple[str, HostKind, bool]]
) -> None:
    assert kinds(database_hosts(dsn, environ)) == expected


@pytest.mark.parametrize(
    ("dsn", "environ"),
    [
        ("host=db password=hunter22 oops", {}),
        ("postgresql+psycopg://u:hunter22@db/x", {}),
        ("postgresql://u@db/x?service=prod", {}),
        ("service=prod", {}),
        ("dbname=x", {"PGSERVICE": "prod"}),
    ],
)
def test_unreadable_database_settings_are_named_never_quoted(dsn: str, environ: dict[str, str]) -> None:
    with pytest.raises(UnreadableAddress) as error:
        database_hosts(dsn, environ)
    assert "hunter22" not in str(error.value) and "oops" not in str(error.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", [("127.0.0.1", LOCAL, True)]),
        ("rediss://:pw@[::ffff:127.0.0.1]:6380/1", [("::ffff:127.0.0.1", LOCAL, True)]),
        ("redis://2130706433/0", [("2130706433", LOCAL, True)]),
        ("redis://", [("localhost", LOCAL, True)]),
        ("redis:///0", [("localhost", LOCAL, True)]),
        ("redis://:pw@/0?host=127.1", [("127.1", LOCAL, True)]),
        (
            "redis://cache.example.net/0?host=localhost",
            [("cache.example.net", NAME, True), ("localhost", LOCAL, True)],
        ),
        ("unix:///run/redis.sock?db=2", [("/run/redis.sock", LOCAL, True)]),
        ("UNIX:///run/redis.sock", [("/run/redis.sock", LOCAL, True)]),
        ("redis+socket:///run/redis.sock", [("/run/redis.sock", LOCAL, True)]),
        ("rediss://cache.example.net:6380/0", [("cache.example.net", NAME, True)]),
        ("redis://10.0.0.7:6379", [("10.0.0.7", REMOTE, True)]),
    ],
)
def test_redis_hosts_follow_redis_py(url: str, expected: list[tuple[str, HostKind, bool]]) -> None:
    assert kinds(redis_hosts(url)) == expected


@pytest.mark.parametrize(
    "url", ["http://cache.example.net", "sentinel://cache:26379", "cache.example.net:6379"]
)
def test_redis_settings_in_other_schemes_are_unreadable(url: str) -> None:
    with pytest.raises(UnreadableAddress):
        redis_hosts(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://cognito-idp.us-east-1.amazonaws.com/x",
            [("cognito-idp.us-east-1.amazonaws.com", NAME, True)],
        ),
        ("http://127.0.0.1:8081", [("127.0.0.1", LOCAL, True)]),
        ("http://0x7f000001:8081/x", [("0x7f000001", LOCAL, True)]),
        ("HTTP://LOCALHOST./x", [("localhost", LOCAL, True)]),
        ("http://user:pw@[::1]:80/x", [("::1", LOCAL, True)]),
        ("https://api.boeing.example@127.0.0.1/x", [("127.0.0.1", LOCAL, True)]),
        (
            "http://api.example.com\\@127.0.0.1/",
            [("127.0.0.1", LOCAL, True), ("api.example.com", NAME, True)],
        ),
        ("https://169.254.169.254/latest", [("169.254.169.254", LOCAL, True)]),
        ("https://203.0.113.9/x", [("203.0.113.9", REMOTE, True)]),
    ],
)
def test_http_hosts(url: str, expected: list[tuple[str, HostKind, bool]]) -> None:
    assert kinds(http_hosts(url)) == expected


def test_http_hosts_that_are_only_compared_are_never_resolved() -> None:
    assert kinds(http_hosts("https://issuer.example.com/x", resolve=False)) == [
        ("issuer.example.com", NAME, False)
    ]


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com", "https://", "example.com/x", "http://[::1/"]
)
def test_unreadable_http_settings(url: str) -> None:
    with pytest.raises(UnreadableAddress):
        http_hosts(url)


def test_assess_a_name_by_every_address_it_resolves_to() -> None:
    hosts = [classify_host("db.example.com")]
    assert assess(hosts, {"db.example.com": ["203.0.113.1"]}).reachable
    mixed = assess(hosts, {"db.example.com": ["203.0.113.1", "::1"]})
    assert mixed.local == ("host db.example.com resolves to the loopback address ::1",)
    assert assess(hosts, {"db.example.com": ["::ffff:127.0.0.1"]}).local
    assert assess(hosts, {"db.example.com": ["169.254.169.254"]}).local
    missing = assess(hosts, {"db.example.com": None})
    assert missing.unresolved == ("db.example.com",) and not missing.reachable and not missing.local
    assert assess(hosts, {}).unresolved == ("db.example.com",)


def test_assess_several_hosts() -> None:
    hosts = database_hosts("host=gone.example.com,db.example.com dbname=x", {})
    verdict = assess(hosts, {"db.example.com": ["10.0.0.1"]})
    assert verdict.reachable and verdict.unresolved == ("gone.example.com",) and not verdict.local
    assert names_to_resolve(hosts) == {"gone.example.com", "db.example.com"}


def test_a_name_that_is_never_looked_up_is_judged_by_its_spelling_alone() -> None:
    hosts = database_hosts("host=db.example.com hostaddr=10.0.0.5 dbname=x", {})
    assert names_to_resolve(hosts) == set()
    verdict = assess(hosts, {})
    assert verdict.reachable and not verdict.unresolved and not verdict.local


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:secret@idp.example.com:8443/keys.json?token=secret#x",
            "https://idp.example.com:8443/keys.json",
        ),
        ("http://[::1]:80/x", "http://[::1]:80/x"),
        ("http://[::1/x", "an unreadable URL"),
    ],
)
def test_display_url_drops_credentials_and_query(url: str, shown: str) -> None:
    assert display_url(url) == shown
