"""Control API: health, config, reset, stats and the request log (contract §7.8)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from emulators.boeing import EmulatorConfig, config_from_env, create_app
from tests.contract.emulators.boeing.conftest import Control, Pna
from tests.support.instants import TEST_INSTANT


def test_health(control: Control) -> None:
    assert control.call("GET", "/health") == {"status": "ok", "seed": 42, "catalog_size": 5000}


def test_config_read_and_patch(control: Control) -> None:
    config = control.call("GET", "/config")
    assert config["seed"] == 42
    assert config["quota_scope"] == "price"
    patched = control.config(latency_scale=0.5, numeric_style="mixed", part_token_ttl_s=120)
    assert (patched["latency_scale"], patched["numeric_style"], patched["part_token_ttl_s"]) == (
        0.5,
        "mixed",
        120,
    )
    assert control.call("GET", "/config") == patched


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"numeric_style": "roman"}, "numeric_style"),
        ({"latency_scale": -1}, "latency_scale"),
        ({"catalog_size": 10}, "catalog_size"),
        ({"public_base_url": "ftp://x"}, "public_base_url"),
        ({"no_such_key": 1}, "no_such_key"),
        ({"shares": {"no_stock": 2}}, "no_stock"),
    ],
)
def test_config_patch_is_validated(control: Control, changes: dict[str, Any], fragment: str) -> None:
    before = control.call("GET", "/config")
    detail = control.call("PATCH", "/config", changes, expect=422)["detail"]
    assert fragment in detail
    assert control.call("GET", "/config") == before


def test_config_can_reshape_the_catalogue(control: Control, pna: Pna) -> None:
    control.config(shares={"no_stock": 0.5})
    codes = control.call("GET", "/catalog", kind="no_stock", limit=1000)["codes"]
    assert len(codes) == 1000  # half of 5,000 bases now have no stock


def test_reset_clears_runtime_state(pna: Pna, control: Control, http: httpx.Client) -> None:
    control.quota(1, 60, client_id="emu-client")
    control.fault(endpoint="image", kind="http_500")
    control.force(code="WF338109=K3", listPrice="1.00")
    control.freeze()
    control.advance(5000)
    pna.price(["AN3-12A"])
    result = control.call("POST", "/reset", {"seed": 42})
    assert result == {"status": "reset", "seed": 42, "catalog_size": 5000}
    assert control.call("GET", "/faults") == {"faults": []}
    assert control.call("GET", "/quota")["clients"] == {}
    assert control.stats()["calls"] == {"oauth_token": 0, "part_token": 0, "price": 0, "image": 0}
    assert control.requests() == []
    assert pna.price(["AN3-12A"]).status_code == 401  # tokens are gone
    pna.login()
    assert pna.items(["WF338109=K3"])[0]["listPrice"] == "25.50"
    assert control.advance(0)["offset_s"] == 0


def test_reset_with_a_new_seed_and_size(control: Control) -> None:
    before = control.sample("normal", limit=20)
    assert control.call("POST", "/reset", {"seed": 9, "catalog_size": 1000})["catalog_size"] == 1000
    assert control.call("GET", "/health") == {"status": "ok", "seed": 9, "catalog_size": 1000}
    assert control.sample("normal", limit=20) != before
    control.call("POST", "/reset", {"catalog_size": 999}, expect=422)


def test_stats_count_every_call_429_and_fault(
    make_pna: Callable[..., Pna], control: Control, http: httpx.Client
) -> None:
    control.quota(2, 60)
    caller = make_pna().login()
    assert caller.price(["WF338109", "AN3-12A", "NOTFOUND-1"]).status_code == 200
    control.fault(endpoint="price", kind="http_503", count=1)
    assert caller.price(["AN3-12A"]).status_code == 503
    assert caller.price(["AN3-12A"]).status_code == 429
    assert http.get("/media/products/AN3-12A.png").status_code == 200
    assert make_pna("emu-client", "bad").oauth().status_code == 401
    stats = control.stats()
    assert stats["calls"] == {"oauth_token": 2, "part_token": 1, "price": 3, "image": 1}
    assert stats["responses"] == {"200": 4, "401": 1, "429": 1, "503": 1}
    assert stats["throttled_429"] == 1
    assert stats["faults_served"] == {"http_503": 1}
    assert stats["tokens_issued"] == {"access": 1, "part": 1}
    assert (stats["codes_requested"], stats["line_items_returned"]) == (3, 2)
    assert stats["per_client"]["emu-client"]["price"] == 3
    assert stats["per_client"]["emu-client"]["throttled_429"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stats["since"])


def test_stats_reset(pna: Pna, control: Control) -> None:
    pna.price(["AN3-12A"])
    zeroed = control.call("POST", "/stats/reset")
    assert zeroed["calls"]["price"] == 0
    assert zeroed["responses"] == {}
    assert control.requests() == []
    pna.price(["AN3-12A"])
    assert control.stats()["calls"]["price"] == 1


def test_request_log(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_500", count=1)
    pna.price(["an3-12a", "WF338109"])
    pna.price(["AN3-12A"])
    log = control.requests(limit=2)
    assert [(e["endpoint"], e["status"], e["fault"]) for e in log] == [
        ("price", 500, "http_500"),
        ("price", 200, None),
    ]
    assert log[0]["codes"] == ["AN3-12A", "WF338109"]
    assert log[0]["client"] == "emu-client"
    assert all(e["latency_ms"] >= 0 for e in log)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", e["time"]) for e in log)
    full = control.requests()
    assert [e["endpoint"] for e in full] == ["oauth_token", "part_token", "price", "price"]
    control.call("GET", "/requests", expect=422, limit=0)


def test_clock_advance_validates(control: Control) -> None:
    offset = control.advance(0)["offset_s"]
    assert control.advance(10)["offset_s"] == pytest.approx(offset + 10)
    control.call("POST", "/clock/advance", {"seconds": -5}, expect=422)
    control.call("POST", "/tokens/expire", {"kind": "refresh"}, expect=422)


def test_latency_is_simulated_and_scaled(pna: Pna, control: Control) -> None:
    control.config(latency_scale=0.2)
    log_before = len(control.requests())
    pna.price(["AN3-12A", "WF338109"])  # (250 + 2 x 30) ms x 0.2 = 62 ms +-25%
    entry = control.requests()[log_before]
    assert 0.75 * 62 <= entry["latency_ms"] < 1000
    control.config(latency_scale=0)
    pna.price(["AN3-12A"])
    assert control.requests()[-1]["latency_ms"] < 0.75 * 62


def test_create_app_runs_in_process() -> None:
    # The factory also serves through an in-process ASGI transport (no socket).
    app = create_app(EmulatorConfig(catalog_size=1000, latency_scale=0, seed=5))

    async def scenario() -> tuple[dict[str, Any], int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emu.test") as client:
            health = (await client.get("/_emulator/health")).json()
            image = await client.get("/media/thumbnails/AN3-12A.png")
            return health, image.status_code

    health, image_status = asyncio.run(scenario())
    assert health == {"status": "ok", "seed": 5, "catalog_size": 1000}
    assert image_status == 200


def test_clock_set_moves_drift_windows_and_reset_returns_to_the_start(
    control: Control, http: httpx.Client
) -> None:
    window = 3600
    start = control.call("PUT", "/clock", {"now": "2028-02-29T23:59:30Z"})
    assert start["window"] == int(start["now"]) // window
    assert abs(start["now"] - 1835481570) < 5, "2028-02-29T23:59:30Z"
    back = control.call("PUT", "/clock", {"now": "2001-01-01T02:00:00+02:00"})
    assert abs(back["now"] - 978307200) < 5 and back["window"] < start["window"]
    control.call("PUT", "/clock", {"now": "2028-02-29T23:59:30"}, expect=422)  # no UTC offset
    http.post("/_emulator/reset").raise_for_status()
    assert abs(control.advance(0)["now"] - TEST_INSTANT.timestamp()) < 60, "reset: back to clock_start"


def test_config_from_env_and_overrides() -> None:
    env = {"BOEING_EMU_SEED": "3", "BOEING_EMU_QUOTA_REQUESTS": "9", "BOEING_EMU_CLIENTS": "a:1,b:2"}
    config = config_from_env(env, seed=11, latency_scale=None)
    assert (config.seed, config.quota_requests, config.clients) == (11, 9, {"a": "1", "b": "2"})
    assert config_from_env({"BOEING_EMU_USERS": '{"u": "p"}'}).users == {"u": "p"}
    start = config_from_env({"BOEING_EMU_CLOCK_START": "2027-04-30T23:59:30Z"}).clock_start
    assert start is not None and start.timestamp() == 1809129570
    with pytest.raises(ValueError, match="numeric_style"):
        config_from_env({"BOEING_EMU_NUMERIC_STYLE": "hex"})
