"""The risk gate over RPC: every rejection code from a scripted sequence, the breaker, halt/resume, admin rights."""
import itertools
import os
import subprocess
import tempfile
import time
from decimal import Decimal

import pytest

from alephtx_client import Client, RPCError
from conftest import BIN, Server, validate_client, validate_params

_n = itertools.count(1)
TOKEN = "test-admin-token-0123456789"  # obviously fake, for tests only


def iid(p):
    return f"{p}-{next(_n)}"


def ps(c, **params):
    validate_params("place_signal", params)
    return c.call("place_signal", **params)


def rejected(r, code):
    assert r["status"] == "rejected", r
    assert r["rejection"]["code"] == code, r["rejection"]
    failed = [x for x in r["checks"] if x["outcome"] == "failed"]
    assert failed and failed[0]["check"] == code
    return r["rejection"]


LIMITS = """
[risk]
max_order_quantity = "2"
max_order_notional = "7500"
max_position_notional = "8000"
max_gross_notional = "12000"
max_open_orders = 3
max_open_orders_per_instrument = 2
max_orders_per_second = 3
price_collar_bps = 100
max_slippage_bps = 20
max_book_age_ms = 5000
session_daily_notional = "10000"
max_drawdown = "off"
daily_loss_limit = "off"
[risk.instruments."sim:RAIN-USD"]
max_book_age_ms = 0
max_slippage_bps = 20
max_order_quantity = "off"
"""


def test_every_rejection_code_from_a_scripted_sequence(make_server):
    s = make_server(config=LIMITS)
    c = s.client()
    seen = set()

    def expect(code, **params):
        r = ps(c, intent_id=iid(code), **params)
        rej = rejected(r, code)
        seen.add(code)
        assert rej["message"] and rej["message"].endswith(".")
        return rej

    book = c.call("get_book", instrument="sim:ETH-USD")
    bid, ask = Decimal(book["bids"][0][0]), Decimal(book["asks"][0][0])
    mid = (bid + ask) / 2

    expect("unknown_instrument", instrument="sim:DOGE-USD", side="buy", quantity="1")
    rej = expect("tick_size", instrument="sim:ETH-USD", side="buy", quantity="0.1", limit_price=str(bid + Decimal("0.005")))
    assert Decimal(rej["corrected"]["limit_price"]) == bid
    rej = expect("lot_size", instrument="sim:ETH-USD", side="buy", quantity="0.0005", limit_price=str(bid))
    assert rej["corrected"]["quantity"] == "0.001"
    rej = expect("min_notional", instrument="sim:ETH-USD", side="buy", quantity="0.001", limit_price=str(bid))
    assert Decimal(rej["corrected"]["quantity"]) * bid >= 5
    rej = expect("max_order_quantity", instrument="sim:ETH-USD", side="buy", quantity="3", limit_price=str(bid))
    assert rej["limit"] == "2" and rej["value"] == "3" and rej["max_allowed_quantity"] == "2"
    btc_bid = Decimal(c.call("get_book", instrument="sim:BTC-USD")["bids"][0][0])
    rej = expect("max_order_notional", instrument="sim:BTC-USD", side="buy", quantity="0.2", limit_price=str(btc_bid))
    assert Decimal(rej["max_allowed_quantity"]) * btc_bid <= 7500
    rej = expect("price_collar", instrument="sim:ETH-USD", side="buy", quantity="0.1", limit_price=str((mid * Decimal("1.02")).quantize(Decimal("0.01"))))
    assert Decimal(rej["corrected"]["limit_price"]) <= mid * Decimal("1.01")
    rain = c.call("get_book", instrument="sim:RAIN-USD")
    rej = expect("max_slippage", instrument="sim:RAIN-USD", side="buy", quantity="2000")
    assert Decimal(rej["value"]) > Decimal(rej["limit"]) > 0  # slippage cost vs allowance, in USD
    rej = expect("stale_book", instrument="sim:RAIN-USD", side="buy", quantity="20", limit_price=rain["bids"][0][0])
    assert rej["retryable"] is True

    # Build a position: 2 ETH (≈7000).
    r = ps(c, intent_id=iid("eth"), instrument="sim:ETH-USD", side="buy", quantity="2")
    assert r["status"] == "filled"
    bid = Decimal(c.call("get_book", instrument="sim:ETH-USD")["bids"][0][0])
    rej = expect("max_position", instrument="sim:ETH-USD", side="buy", quantity="0.5", limit_price=str(bid))
    assert Decimal(rej["value"]) > 8000 and Decimal(rej["max_allowed_quantity"]) < Decimal("0.5")
    btc_bid = Decimal(c.call("get_book", instrument="sim:BTC-USD")["bids"][0][0])
    rej = expect("max_gross_exposure", instrument="sim:BTC-USD", side="buy", quantity="0.09", limit_price=str(btc_bid))
    assert Decimal(rej["limit"]) == 12000

    # Two resting sells (reduce the position, so they pass), then a third on the same instrument.
    time.sleep(1.1)  # fresh rate bucket
    ask = Decimal(c.call("get_book", instrument="sim:ETH-USD")["asks"][0][0])
    for k in range(2):
        r = ps(c, intent_id=iid("rest"), instrument="sim:ETH-USD", side="sell", quantity="0.01", limit_price=str(ask + 10 + k))
        assert r["status"] == "open", r
    rej = expect("max_open_orders", instrument="sim:ETH-USD", side="sell", quantity="0.01", limit_price=str(ask + 12))
    assert rej["limit"] == "2" and rej["value"] == "3"
    # Rate: 3 approved orders inside one second, the fourth waits.
    r = ps(c, intent_id=iid("fast"), instrument="sim:ETH-USD", side="sell", quantity="0.01")
    assert r["status"] == "filled"
    rej = expect("rate_limited", instrument="sim:ETH-USD", side="sell", quantity="0.01")
    assert rej["retryable"] is True and 0 < rej["retry_after_ms"] <= 1000
    time.sleep(rej["retry_after_ms"] / 1000 + 0.05)
    # Session budget: ≈7000 traded; selling 1 ETH more would pass 10000.
    rej = expect("session_budget", instrument="sim:ETH-USD", side="sell", quantity="1")
    assert Decimal(rej["value"]) > 10000 and Decimal(rej["max_allowed_quantity"]) < 1

    risk = c.call("get_risk")
    assert risk["state"] == "active" and risk["limits"]["max_open_orders"] == 3
    assert risk["instrument_limits"]["sim:RAIN-USD"]["max_book_age_ms"] == 0
    usage = {u["check"]: u for u in risk["usage"]}
    assert Decimal(usage["session_budget"]["value"]) > 7000
    assert seen == {"unknown_instrument", "tick_size", "lot_size", "min_notional", "max_order_quantity", "max_order_notional",
                    "price_collar", "max_slippage", "stale_book", "max_position", "max_gross_exposure", "max_open_orders",
                    "rate_limited", "session_budget"}


BREAKER = """
[sim]
interval_ms = 60000
[risk]
max_drawdown = "3"
daily_loss_limit = "1000"
max_book_age_ms = 3600000
on_breach = "reducing"
"""


def test_breaker_halt_resume_and_admin_rights():
    """Frozen market (no price moves), so the sequence is deterministic: fees alone lose money."""
    tmp = tempfile.TemporaryDirectory()
    cfg = os.path.join(tmp.name, "c.toml")
    open(cfg, "w").write(BREAKER)
    env = {**os.environ, "ALEPHTX_ADMIN_TOKEN": TOKEN}
    c = Client.spawn([BIN, "serve", "--stdio", "--tcp", "127.0.0.1:0", "--config", cfg, "--data-dir", tmp.name],
                     stderr=open(os.path.join(tmp.name, "err.log"), "wb"), env=env)
    try:
        for _ in range(100):
            if "result" in c.request("get_book", {"instrument": "sim:ETH-USD"}):
                break
            time.sleep(0.05)
        risk_sub = c.subscribe("risk")
        # Two losing round trips' worth of fees: 1 ETH ≈ 3500 × 5 bps = 1.75 each.
        for k in range(2):
            assert ps(c, intent_id=iid("lose"), instrument="sim:ETH-USD", side="buy", quantity="1")["status"] == "filled"
        bal = c.call("get_balances")
        assert Decimal(bal["pnl"]) < -3
        r = ps(c, intent_id=iid("more"), instrument="sim:ETH-USD", side="buy", quantity="0.5")
        rej = rejected(r, "drawdown_breaker")
        assert rej["limit"] == "3" and Decimal(rej["value"]) > 3
        ev = risk_sub.get(timeout=10)["data"]
        assert ev["state"] == "reducing" and ev["previous_state"] == "active" and ev["reason"] == "drawdown"
        assert c.call("get_risk")["state"] == "reducing"
        rejected(ps(c, intent_id=iid("grow"), instrument="sim:ETH-USD", side="buy", quantity="0.1"), "reduce_only")
        rejected(ps(c, intent_id=iid("other"), instrument="sim:BTC-USD", side="buy", quantity="0.001"), "reduce_only")
        r = ps(c, intent_id=iid("cut"), instrument="sim:ETH-USD", side="sell", quantity="1", reduce_only=True)
        assert r["status"] == "filled"
        # Halted rejects everything, even reducing orders.
        res = c.call("halt", cancel_all=True)
        assert res["state"] == "halted"
        assert risk_sub.get(timeout=10)["data"]["state"] == "halted"
        rejected(ps(c, intent_id=iid("h"), instrument="sim:ETH-USD", side="sell", quantity="0.5", reduce_only=True), "halted")

        # Over TCP: not admin until session.hello with the token.
        port = None
        log = os.path.join(tmp.name, "err.log")
        for _ in range(100):
            txt = open(log).read()
            if "listening on 127.0.0.1:" in txt:
                port = int(txt.split("listening on 127.0.0.1:")[1].split()[0])
                break
            time.sleep(0.05)
        t = Client.connect("127.0.0.1", port)
        with pytest.raises(RPCError) as e:
            t.call("resume")
        assert e.value.app_code == "unauthorized" and e.value.code == -32008
        with pytest.raises(RPCError) as e:
            t.call("set_risk_limits", limits={"max_drawdown": "10"})
        assert e.value.app_code == "unauthorized"
        with pytest.raises(RPCError) as e:
            t.call("session.hello", token="wrong-token-wrong-token")
        assert e.value.app_code == "unauthorized"
        hello = t.call("session.hello", token=TOKEN, client="pytest")
        assert hello["admin"] is True and hello["transport"] == "tcp"
        assert t.call("set_risk_limits", limits={"max_drawdown": "50"})["limits"]["max_drawdown"] == "50"
        with pytest.raises(RPCError) as e:
            t.call("set_risk_limits", limits={"max_drawdonw": "50"})
        assert e.value.code == -32602 and e.value.data["field"] == "limits.max_drawdonw"
        res = t.call("resume")
        assert res["state"] == "active"
        assert risk_sub.get(timeout=10)["data"]["state"] == "active"
        assert ps(c, intent_id=iid("again"), instrument="sim:ETH-USD", side="buy", quantity="0.1")["status"] == "filled"
        hist = c.call("get_risk")["history"]
        assert [h["reason"] for h in hist] == ["drawdown", "halt", "resume"]
        validate_client(t)
        t.close()
    finally:
        validate_client(c)
        assert c.close() == 0
        tmp.cleanup()


def test_preview_lists_every_check_with_headroom(stdio):
    r = ps(stdio, intent_id=iid("pv"), instrument="sim:BTC-USD", side="buy", quantity="0.1", preview=True)
    assert r["status"] == "previewed" and len(r["checks"]) == 19
    by = {x["check"]: x for x in r["checks"]}
    assert by["max_order_notional"]["outcome"] == "passed"
    assert Decimal(by["max_order_notional"]["headroom"]) == Decimal(by["max_order_notional"]["limit"]) - Decimal(by["max_order_notional"]["value"])
    assert by["price_collar"]["outcome"] == "skipped"  # market order


def test_non_loopback_requires_token_and_hello():
    p = subprocess.run([BIN, "serve", "--tcp", "0.0.0.0:0"], capture_output=True, timeout=30, env={k: v for k, v in os.environ.items() if k != "ALEPHTX_ADMIN_TOKEN"})
    assert p.returncode != 0 and b"without an auth token" in p.stderr
    s = Server(extra_args=("--tcp", "0.0.0.0:0", "--admin-token", TOKEN))
    try:
        port = s.port
        c = Client.connect("127.0.0.1", port)
        assert c.call("ping")["pong"] is True
        with pytest.raises(RPCError) as e:
            c.call("get_balances")
        assert e.value.app_code == "unauthorized"
        with pytest.raises(RPCError):
            c.call("session.hello")
        assert c.call("session.hello", token=TOKEN)["admin"] is True
        assert c.call("get_balances")["currency"] == "USD"
        validate_client(c)
        c.close()
    finally:
        assert s.stop() == 0
