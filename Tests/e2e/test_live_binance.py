"""Binance spot live execution against the mock venue (mock_binance.py): real wire formats, every
request's HMAC verified by Python's hmac, orders matched against the recorded book."""
import time
from decimal import Decimal as D

import pytest

from conftest import validate_client
from live_helpers import assert_ledger_matches_venue, ledger_orders, start_gateway, venue_state, wait_until
from mock_binance import MockBinance

INST = "binance:BTC-USDT"


@pytest.fixture
def venue():
    m = MockBinance().start()
    yield m
    m.stop()


def test_market_and_limit_orders_partial_fills_cancel_and_balances(venue):
    s, c = start_gateway(venue, INST, "binance")
    try:
        ex = venue.ex
        # Market buy walking two levels: filled with two venue trades.
        r = c.call("place_signal", intent_id="m1", instrument=INST, side="buy", quantity="0.005")
        assert r["status"] == "filled" and r["mode"] == "live" and r["venue"] == "binance", r
        assert len(r["fills"]) >= 1 and D(r["filled_quantity"]) == D("0.005")
        assert ex.accepted.get(ledger_orders(c, INST)[next(iter(ex.accepted))]["client_order_id"]) == 1
        # A limit below the book rests; part of it fills on the stream only; then it is cancelled.
        bid = ex.best_bid()
        r = c.call("place_signal", intent_id="l1", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - D("100")))
        assert r["status"] == "open", r
        cid = ledger_orders(c, INST)
        cid = [k for k, o in cid.items() if o["intent_id"] == "l1"][0]
        venue.ex.fill_resting(cid, D("0.0005"))
        wait_until(lambda: ledger_orders(c, INST)[cid]["status"] == "partially_filled", what="the stream-only fill booked")
        o = c.call("cancel_order", intent_id="l1")
        assert o["status"] == "cancelled" and D(o["filled_quantity"]) == D("0.0005"), o
        # A limit crossing the book fills at once.
        r = c.call("place_signal", intent_id="x1", instrument=INST, side="sell", quantity="0.001", limit_price=str(ex.best_bid()))
        assert r["status"] == "filled", r
        # cancel_all reaches the venue.
        for k in range(3):
            c.call("place_signal", intent_id=f"rest{k}", instrument=INST, side="buy", quantity="0.001", limit_price=str(bid - D(200 + k)))
        assert len(ex.open_orders()) == 3
        res = c.call("cancel_all", instrument=INST)
        assert res["count"] == 3 and not ex.open_orders(), res
        # Balances come from the venue.
        def balances_match():
            bal = c.call("get_balances")
            acct = next((a for a in bal.get("accounts", []) if a["venue"] == "binance"), None)
            if not acct:
                return False
            got = {b["asset"]: (D(b["free"]), D(b["locked"])) for b in acct["balances"]}
            return got.get("USDT") == venue.ex.balance("USDT") and got.get("BTC") == venue.ex.balance("BTC")
        wait_until(balances_match, what="balances equal the venue's")
        assert_ledger_matches_venue(c, ex, INST)
        assert venue.bad_signatures == 0 and venue.signed_requests > 5
        h = venue_state(c, "binance")
        assert h["mode"] == "live" and h["stream"] is True
        validate_client(c)
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()
