"""Shared helpers for the live-venue tests: a gateway wired to a mock venue, waiting for the venue
to be tradeable, and the checks every fault test ends with (at most one venue order per intent;
the ledger equal to the venue's truth)."""
from __future__ import annotations

import json
import subprocess
import time
from decimal import Decimal as D

from conftest import BIN, Server


def venues():
    """The live venues under test, each with its mock and the sizes that suit its market."""
    from mock_binance import MockBinance
    from mock_bybit import MockBybit
    from mock_dydx import MockDYDX
    from mock_hyperliquid import MockHyperliquid
    from mock_okx import MockOKX
    return {
        "binance": dict(mock=MockBinance, inst="binance:BTC-USDT", qty=D("0.002"), step=D("50"), uncertain=["hang", "drop", "503"]),
        "okx": dict(mock=MockOKX, inst="okx:BTC-USDT", qty=D("0.002"), step=D("20"), uncertain=["hang", "drop", "50004"]),
        "bybit": dict(mock=MockBybit, inst="bybit:XRP-USDT-PERP", qty=D("100"), step=D("0.005"), uncertain=["hang", "drop", "10000"]),
        "hyperliquid": dict(mock=MockHyperliquid, inst="hyperliquid:BTC-USD-PERP", qty=D("0.002"), step=D("5"), uncertain=["hang", "drop", "503"]),
        "dydx": dict(mock=MockDYDX, inst="dydx:BTC-USD-PERP", qty=D("0.002"), step=D("5"), uncertain=["hang", "drop", "503"]),
    }


def balances_match(c, venue_name, mock):
    bal = c.call("get_balances")
    acct = next((a for a in bal.get("accounts", []) if a["venue"] == venue_name), None)
    if not acct or acct["mode"] != "live":
        return False
    got = {b["asset"]: (D(b["free"]), D(b["locked"])) for b in acct["balances"]}
    want = mock.expected_balances()
    return all(got.get(a) == v for a, v in want.items())


def wait_until(pred, timeout=15.0, step=0.05, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def venue_state(c, venue):
    h = c.call("get_health")
    for e in h.get("execution", []):
        if e["venue"] == venue:
            return e
    return None


def start_gateway(mock, instrument, venue, data_dir=None, config_extra="", **cfg):
    """A gateway on the mock venue, returned once the venue is live and its book verified."""
    s = Server(config=mock.config(**cfg) + "\n" + config_extra, data_dir=data_dir, env=mock.env())
    c = s.client()

    def ready():
        st = venue_state(c, venue)
        if not st or st["state"] not in ("live", "degraded"):
            return False
        b = c.request("get_book", {"instrument": instrument})
        return "result" in b and b["result"]["freshness"]["verified"]
    wait_until(ready, timeout=30, what=f"{venue} live with a verified book")
    return s, c


def ledger_orders(c, instrument):
    out = {}
    cursor = None
    while True:
        params = {"status": "all", "instrument": instrument, "limit": 1000}
        if cursor:
            params["cursor"] = cursor
        r = c.call("get_orders", **params)
        for o in r["orders"]:
            out[o["client_order_id"]] = o
        cursor = r["next_cursor"]
        if not cursor:
            return out


def ledger_fills(c, instrument):
    out = []
    cursor = None
    while True:
        params = {"instrument": instrument, "limit": 1000}
        if cursor:
            params["cursor"] = cursor
        r = c.call("get_fills", **params)
        out += r["fills"]
        cursor = r["next_cursor"]
        if not cursor:
            return out


STATUS = {"new": "open", "partially_filled": "partially_filled", "filled": "filled", "cancelled": "cancelled", "expired": "expired",
          "rejected": "rejected"}


def assert_ledger_matches_venue(c, ex, instrument, timeout=20):
    """Every order the venue has with our ids is in the ledger with the venue's status and filled
    quantity; every venue trade is booked exactly once; no venue order was created twice."""
    assert ex.max_orders_per_client_id() <= 1, f"a client id reached the venue twice: {ex.accepted}"

    def agree():
        orders = ledger_orders(c, instrument)
        fills = ledger_fills(c, instrument)
        with ex.lock:
            venue_orders = {o.client_id: o for o in ex.orders.values()}
            trades = list(ex.trades)
        problems = []
        # A venue whose order words differ from the core's says what the ledger must show.
        status_of = getattr(ex, "ledger_status", None) or (lambda o: STATUS[o.status])
        for cid, o in venue_orders.items():
            mine = orders.get(cid)
            if mine is None:
                problems.append(f"{cid} missing from the ledger")
                continue
            if D(mine["filled_quantity"]) != o.filled:
                problems.append(f"{cid} filled {mine['filled_quantity']} != venue {o.filled}")
            if mine["status"] != status_of(o):
                problems.append(f"{cid} status {mine['status']} != venue {o.status}")
        # Orders the ledger says reached the venue must exist there; the others never did.
        for cid, mine in orders.items():
            if mine["status"] not in ("rejected",) and cid not in venue_orders and mine["mode"] == "live":
                problems.append(f"{cid} ({mine['status']}) is in the ledger but not at the venue")
        if len(fills) != len(trades):
            problems.append(f"{len(fills)} fills booked, venue has {len(trades)} trades")
        if sum(D(f["quantity"]) for f in fills) != sum(t.qty for t in trades):
            problems.append("filled quantity differs")
        return problems or True
    result = None
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = agree()
        if result is True:
            return
        time.sleep(0.1)
    raise AssertionError(f"ledger differs from the venue: {result}")


def journal(data_dir):
    p = subprocess.run([BIN, "ledger", "export", "--data-dir", data_dir], capture_output=True, timeout=60)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]
