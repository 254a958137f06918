"""Paper trading end to end against the simulated market, over stdio and TCP."""
import itertools
import time
from decimal import Decimal

import pytest

from alephtx_client import RPCError
from conftest import validate_params

_ids = itertools.count(1)


def intent(prefix="i"):
    return f"{prefix}-{time.time_ns()}-{next(_ids)}"


def call(c, method, **params):
    validate_params(method, params)  # every request the tests send is valid per its schema
    return c.call(method, **params)


def tour(c):
    """Exercises every method once; returns what it saw. Used for stdio and TCP sessions."""
    assert call(c, "ping")["pong"] is True
    assert call(c, "rpc.discover")["openrpc"].startswith("1.")
    instruments = call(c, "list_instruments")["instruments"]
    ids = {i["id"] for i in instruments}
    assert {"sim:BTC-USD", "sim:ETH-USD"} <= ids
    outcome = [i for i in instruments if i["kind"] == "outcome"]
    assert outcome, "an outcome instrument exists"
    assert call(c, "list_instruments", kind="perp")["instruments"][0]["id"].endswith("-PERP")
    book = call(c, "get_book", instrument="sim:BTC-USD", depth=20)
    assert len(book["bids"]) == 20 and len(book["asks"]) == 20
    assert Decimal(book["bids"][0][0]) < Decimal(book["asks"][0][0])
    ob = call(c, "get_book", instrument=outcome[0]["id"])
    assert 0 < Decimal(ob["bids"][0][0]) < Decimal(ob["asks"][0][0]) < 1
    sub = c.subscribe("book", instrument="sim:ETH-USD", depth=5)
    first = sub.get(timeout=10)
    assert first["data"]["instrument"] == "sim:ETH-USD" and len(first["data"]["bids"]) == 5
    second = sub.get(timeout=10)
    assert second["data"]["freshness"]["sequence"] >= first["data"]["freshness"]["sequence"]
    assert call(c, "unsubscribe", subscription=sub.id)["unsubscribed"] is True
    fills = c.subscribe("fills")
    iid = intent("tour")
    r = call(c, "place_signal", intent_id=iid, instrument="sim:ETH-USD", side="buy", quantity="0.5", rationale="tour")
    assert r["status"] == "filled" and r["order_id"]
    f = fills.get(timeout=10)["data"]
    assert f["order_id"] == r["order_id"] and f["intent_id"] == iid
    listed = call(c, "get_fills", order_id=r["order_id"])["fills"]
    assert f["fill_id"] in {x["fill_id"] for x in listed} and len(listed) == len(r["fills"])
    pos = call(c, "get_positions", instrument="sim:ETH-USD")["positions"][0]
    assert Decimal(pos["quantity"]) >= Decimal("0.5")
    bal = call(c, "get_balances")
    assert bal["currency"] == "USD" and Decimal(bal["fees_paid"]) > 0
    bid = Decimal(call(c, "get_book", instrument="sim:ETH-USD")["bids"][0][0])
    lim = call(c, "place_signal", intent_id=intent("tour-lim"), instrument="sim:ETH-USD", side="buy", quantity="0.01",
               limit_price=str(bid - Decimal("50")))
    assert lim["status"] == "open"
    assert any(o["order_id"] == lim["order_id"] for o in call(c, "get_orders")["orders"])
    assert call(c, "cancel_order", order_id=lim["order_id"])["status"] == "cancelled"
    lim2 = call(c, "place_signal", intent_id=intent("tour-lim"), instrument="sim:ETH-USD", side="buy", quantity="0.01",
                limit_price=str(bid - Decimal("60")))
    res = call(c, "cancel_all", instrument="sim:ETH-USD")
    assert res["cancelled"] == [lim2["order_id"]] and res["count"] == 1
    return True


def test_tour_over_stdio(stdio):
    assert tour(stdio)


def test_tour_over_tcp(server):
    assert tour(server.client())


def test_paper_trade_story(server):
    c = server.client()
    book_sub = c.subscribe("book", instrument="sim:BTC-USD", depth=10)
    updates = [book_sub.get(timeout=10) for _ in range(3)]
    seqs = [u["data"]["freshness"]["sequence"] for u in updates]
    assert seqs == sorted(seqs) and all(u["data"]["freshness"]["verified"] for u in updates)
    fills = c.subscribe("fills")
    orders = c.subscribe("orders")
    positions = c.subscribe("positions")
    bal0 = call(c, "get_balances")

    iid = intent("story")
    r = call(c, "place_signal", intent_id=iid, instrument="sim:BTC-USD", side="buy", quantity="0.25", type="market")
    assert r["status"] == "filled" and Decimal(r["filled_quantity"]) == Decimal("0.25")
    assert r["decided_on"]["verified"] is True and r["decided_on"]["sequence"] > 0
    total = sum(Decimal(f["quantity"]) for f in r["fills"])
    assert total == Decimal("0.25")
    notional = sum(Decimal(f["price"]) * Decimal(f["quantity"]) for f in r["fills"])
    assert Decimal(r["average_price"]) == pytest.approx(notional / total, abs=Decimal("0.00000001"))
    assert Decimal(r["fees"]) == sum(Decimal(f["fee"]) for f in r["fills"]) > 0

    got = [fills.get(timeout=10)["data"] for _ in r["fills"]]
    assert {g["order_id"] for g in got} == {r["order_id"]}
    assert orders.get(timeout=10)["data"]["order_id"] == r["order_id"]
    assert positions.get(timeout=10)["data"]["instrument"] == "sim:BTC-USD"

    pos = call(c, "get_positions")["positions"]
    btc = next(p for p in pos if p["instrument"] == "sim:BTC-USD")
    assert Decimal(btc["quantity"]) == Decimal("0.25")
    assert Decimal(btc["average_entry"]) == Decimal(r["average_price"])
    assert btc["mark"] is not None and "unrealized_pnl" in btc and "realized_pnl" in btc
    expected_upnl = (Decimal(btc["mark"]) - Decimal(btc["average_entry"])) * Decimal(btc["quantity"])
    assert Decimal(btc["unrealized_pnl"]) == pytest.approx(expected_upnl, abs=Decimal("0.0001"))

    # Same intent again: same order, nothing traded.
    n_fills = len(call(c, "get_fills", limit=1000)["fills"])
    again = call(c, "place_signal", intent_id=iid, instrument="sim:BTC-USD", side="buy", quantity="0.25", type="market")
    assert again["duplicate"] is True and again["order_id"] == r["order_id"] and again["fills"] == r["fills"]
    assert len(call(c, "get_fills", limit=1000)["fills"]) == n_fills
    pos2 = next(p for p in call(c, "get_positions")["positions"] if p["instrument"] == "sim:BTC-USD")
    assert pos2["quantity"] == btc["quantity"]
    with pytest.raises(RPCError) as e:
        call(c, "place_signal", intent_id=iid, instrument="sim:BTC-USD", side="sell", quantity="0.25")
    assert e.value.app_code == "intent_conflict"

    # A limit order rests, is listed, and is cancelled.
    best_bid = Decimal(call(c, "get_book", instrument="sim:BTC-USD")["bids"][0][0])
    lim = call(c, "place_signal", intent_id=intent("rest"), instrument="sim:BTC-USD", side="buy", quantity="0.01",
               limit_price=str(best_bid - 1000), rationale="far below")
    assert lim["status"] == "open" and lim["filled_quantity"] == "0.0000"
    listed = call(c, "get_orders", instrument="sim:BTC-USD")["orders"]
    mine = next(o for o in listed if o["order_id"] == lim["order_id"])
    assert mine["status"] == "open" and mine["rationale"] == "far below"
    reserved = Decimal(call(c, "get_balances")["balances"][0]["reserved"])
    assert reserved == (best_bid - 1000) * Decimal("0.01")
    cancelled = call(c, "cancel_order", order_id=lim["order_id"])
    assert cancelled["status"] == "cancelled"
    assert all(o["order_id"] != lim["order_id"] for o in call(c, "get_orders")["orders"])
    assert any(o["order_id"] == lim["order_id"] for o in call(c, "get_orders", status="cancelled")["orders"])
    with pytest.raises(RPCError) as e:
        call(c, "cancel_order", order_id=lim["order_id"])
    assert e.value.app_code == "order_not_cancellable"

    # Preview: expected fill, nothing changes.
    bal1 = call(c, "get_balances")
    n_orders = len(call(c, "get_orders", status="all", limit=1000)["orders"])
    pv = call(c, "place_signal", intent_id=intent("pv"), instrument="sim:BTC-USD", side="sell", quantity="0.1", preview=True)
    assert pv["status"] == "previewed" and pv["order_id"] is None and pv["expected_status"] == "filled"
    assert Decimal(pv["filled_quantity"]) == Decimal("0.1") and Decimal(pv["fees"]) > 0
    assert pv["order"]["side"] == "sell" and pv["order"]["quantity"] == "0.1000"
    assert call(c, "get_balances")["balances"] == bal1["balances"]
    assert len(call(c, "get_orders", status="all", limit=1000)["orders"]) == n_orders
    assert Decimal(bal0["balances"][0]["total"]) > Decimal(bal1["balances"][0]["total"])

    # Selling the position back realizes PnL.
    out = call(c, "place_signal", intent_id=intent("close"), instrument="sim:BTC-USD", side="sell", quantity="0.25", reduce_only=True)
    assert out["status"] == "filled"
    flat = next(p for p in call(c, "get_positions")["positions"] if p["instrument"] == "sim:BTC-USD")
    assert Decimal(flat["quantity"]) == 0 and Decimal(flat["average_entry"]) == 0
    sold = sum(Decimal(f["price"]) * Decimal(f["quantity"]) for f in out["fills"])
    expected_realized = sold - Decimal(btc["average_entry"]) * Decimal("0.25")
    assert Decimal(flat["realized_pnl"]) == pytest.approx(expected_realized, abs=Decimal("0.000001"))


def test_resting_limit_fills_when_market_trades_through(server):
    c = server.client()
    fills = c.subscribe("fills", instrument="sim:RAIN-USD")
    book = call(c, "get_book", instrument="sim:RAIN-USD")
    ask = Decimal(book["asks"][0][0])
    bid = Decimal(book["bids"][0][0])
    # Inside the spread, on the bid side: fills as maker when sellers come through it.
    price = ask - Decimal("0.001") if ask - bid > Decimal("0.001") else bid
    r = call(c, "place_signal", intent_id=intent("maker"), instrument="sim:RAIN-USD", side="buy", quantity="10",
             limit_price=str(price), post_only=True)
    assert r["status"] in ("open", "rejected")
    if r["status"] == "rejected":
        pytest.skip("book moved through the price before the order arrived")
    f = fills.get(timeout=60)["data"]
    assert f["order_id"] == r["order_id"] and f["liquidity"] == "maker" and Decimal(f["price"]) == price


def test_rejections_say_what_to_change(stdio):
    c = stdio
    r = call(c, "place_signal", intent_id=intent("tick"), instrument="sim:BTC-USD", side="buy", quantity="0.01", limit_price="60000.05")
    assert r["status"] == "rejected" and r["rejection"]["code"] == "tick_size"
    assert r["rejection"]["corrected"]["limit_price"] == "60000" and r["rejection"]["limit"] == "0.1"
    r = call(c, "place_signal", intent_id=intent("lot"), instrument="sim:BTC-USD", side="buy", quantity="0.01234")
    assert r["rejection"]["code"] == "lot_size" and r["rejection"]["max_allowed_quantity"] == "0.0123"
    assert r["rejection"]["corrected"]["quantity"] == "0.0123" and len(r["checks"]) == 19
    r = call(c, "place_signal", intent_id=intent("min"), instrument="sim:BTC-USD", side="buy", quantity="0.0001", limit_price="1000")
    assert r["rejection"]["code"] == "min_notional" and r["rejection"]["corrected"]["quantity"] == "0.005"
    r = call(c, "place_signal", intent_id=intent("ro"), instrument="sim:ETH-USD", side="sell", quantity="1", reduce_only=True)
    assert r["rejection"]["code"] == "reduce_only"
    e = c.request("place_signal", {"intent_id": intent("oc"), "instrument": "sim:RAIN-USD", "side": "buy", "quantity": "10", "limit_price": "1.2"})
    assert e["error"]["code"] == -32602 and e["error"]["data"]["field"] == "limit_price"
    ask = call(c, "get_book", instrument="sim:BTC-USD")["asks"][0][0]
    r = call(c, "place_signal", intent_id=intent("po"), instrument="sim:BTC-USD", side="buy", quantity="0.01", limit_price=ask, post_only=True)
    # A post-only order that would cross is a gate rejection like the others (no order, id kept).
    assert r["status"] == "rejected" and r["rejection"]["code"] == "post_only_would_cross" and r["order_id"] is None
    # A gate rejection does not consume the intent id: the corrected order goes through.
    iid = intent("fix")
    r = call(c, "place_signal", intent_id=iid, instrument="sim:BTC-USD", side="buy", quantity="0.00005")
    assert r["rejection"]["code"] == "lot_size"
    r = call(c, "place_signal", intent_id=iid, instrument="sim:BTC-USD", side="buy", quantity="0.001")
    assert r["status"] == "filled"


def test_notional_orders_and_numbers_as_inputs(stdio):
    r = call(stdio, "place_signal", intent_id=intent("notional"), instrument="sim:ETH-USD", side="buy", notional=1000)
    assert r["status"] == "filled" and Decimal(r["notional"]) <= 1000 and Decimal(r["notional"]) > 990
    r = call(stdio, "place_signal", intent_id=intent("num"), instrument="sim:ETH-USD", side="sell", quantity=0.25)
    assert r["status"] == "filled" and r["order"]["quantity"] == "0.250"
    r = call(stdio, "place_signal", intent_id=intent("tiny"), instrument="sim:BTC-USD", side="buy", notional="1")
    # 1 USD buys less than one lot of BTC: said in terms of the notional given, with what would pass.
    assert r["status"] == "rejected" and r["rejection"]["code"] == "lot_size" and r["rejection"]["corrected"]["quantity"]
    assert "notional of 1 USD" in r["rejection"]["message"]


def test_ioc_fok_and_partial_market(stdio):
    # Sweeping the whole book is beyond the default risk limits: an admin (stdio) switches them off.
    call(stdio, "set_risk_limits", limits={"max_order_notional": None, "max_position_notional": None, "max_gross_notional": None,
                                           "max_slippage_bps": None, "session_daily_notional": None})
    book = call(stdio, "get_book", instrument="sim:BTC-USD-PERP", depth=100)
    depth = sum(Decimal(q) for _, q in book["asks"])
    r = call(stdio, "place_signal", intent_id=intent("fok"), instrument="sim:BTC-USD-PERP", side="buy", quantity=str(depth + 1), time_in_force="fok")
    assert r["status"] == "cancelled" and r["fills"] == [] and "fill-or-kill" in r["reason"]
    far = Decimal(book["bids"][0][0]) - 500
    r = call(stdio, "place_signal", intent_id=intent("ioc"), instrument="sim:BTC-USD-PERP", side="buy", quantity="0.01", limit_price=str(far), time_in_force="ioc")
    assert r["status"] == "cancelled" and r["fills"] == []
    big = call(stdio, "place_signal", intent_id=intent("big"), instrument="sim:BTC-USD-PERP", side="buy", quantity=str(depth * 3))
    assert big["status"] == "cancelled" and Decimal(big["filled_quantity"]) > 0 and "insufficient liquidity" in big["reason"]


def test_trades_channel_and_paging(server):
    c = server.client()
    trades = c.subscribe("trades", instrument="sim:BTC-USD")
    t = trades.get(timeout=15)["data"]
    assert t["instrument"] == "sim:BTC-USD" and t["aggressor"] in ("buy", "sell") and t["freshness"]["sequence"] > 0
    for k in range(5):
        call(c, "place_signal", intent_id=intent(f"page{k}"), instrument="sim:ETH-USD", side="buy", quantity="0.01")
    page1 = call(c, "get_fills", limit=2)
    assert len(page1["fills"]) == 2 and page1["next_cursor"]
    page2 = call(c, "get_fills", limit=2, cursor=page1["next_cursor"])
    assert {f["fill_id"] for f in page1["fills"]}.isdisjoint({f["fill_id"] for f in page2["fills"]})
    o1 = call(c, "get_orders", status="all", limit=3)
    o2 = call(c, "get_orders", status="all", limit=3, cursor=o1["next_cursor"])
    assert {o["order_id"] for o in o1["orders"]}.isdisjoint({o["order_id"] for o in o2["orders"]})


def test_absurd_numbers_never_crash_the_server(stdio):
    r = call(stdio, "place_signal", intent_id=intent("huge0"), instrument="sim:BTC-USD", side="buy", quantity="9000000", limit_price="90000000000")
    assert r["rejection"]["code"] == "max_order_notional"  # the default gate stops it
    assert r["rejection"]["max_allowed_quantity"] is None  # not even one lot passes at that price
    off = {k: None for k in ("max_order_notional", "max_position_notional", "max_gross_notional", "price_collar_bps", "max_open_orders",
                             "max_open_orders_per_instrument", "session_daily_notional", "max_drawdown", "daily_loss_limit")}
    call(stdio, "set_risk_limits", limits=off)
    r = call(stdio, "place_signal", intent_id=intent("huge"), instrument="sim:BTC-USD", side="buy", quantity="9000000",
             limit_price="90000000000")
    assert r["status"] in ("partially_filled", "open")
    for k in range(3):
        call(stdio, "place_signal", intent_id=intent(f"huge{k}"), instrument="sim:ETH-USD", side="buy", quantity="90000000",
             limit_price="90000000000")
    bal = call(stdio, "get_balances")
    assert Decimal(bal["balances"][0]["reserved"]) > 0
    assert call(stdio, "get_positions")["positions"]
    assert call(stdio, "cancel_all")["count"] >= 4
    r = stdio.request("place_signal", {"intent_id": intent("e"), "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1e400"})
    assert r["error"]["code"] == -32602 and r["error"]["data"]["field"] == "quantity"
    assert call(stdio, "ping")["pong"] is True
