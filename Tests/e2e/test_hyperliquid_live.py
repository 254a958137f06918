"""Hyperliquid end to end through the real binary against the mock venue (mock_hyperliquid.py):
the recorded feed frame by frame, every order kind, modify as a cancel-replace, cancels by oid and
by cloid, positions and margin, nonces under concurrency, a batch with one refused order, funding,
the signing network, and the venue's refusals of bad signatures and nonces (checked with the SDK,
never with our code). The generic live and fault tests (test_live_venues.py, test_live_faults.py)
run against this mock too."""
import json
import threading
import time
from decimal import Decimal as D

import pytest
from eth_account import Account
from hyperliquid.utils.signing import sign_l1_action

from alephtx_client import RPCError
from conftest import Server, validate_client
from live_helpers import assert_ledger_matches_venue, balances_match, journal, ledger_orders, start_gateway, venue_state, wait_until
from mock_hyperliquid import ACCOUNT, AGENT_KEY, MockHyperliquid, book_frames, trade_frames

INST = "hyperliquid:BTC-USD-PERP"
LIMITS_OFF = "[risk]\nmax_orders_per_second = 100000\nmax_open_orders = 10000\nmax_open_orders_per_instrument = 10000\n" \
             "max_position_notional = \"off\"\nmax_gross_notional = \"off\"\nsession_daily_notional = \"off\"\nmax_order_notional = \"off\"\n" \
             "max_slippage_bps = \"off\"\nprice_collar_bps = \"off\"\nmax_order_quantity = \"off\"\n"


@pytest.fixture
def hl():
    m = MockHyperliquid().start()
    yield m
    m.stop()


def order_of(c, intent):
    return next(o for o in ledger_orders(c, INST).values() if o["intent_id"] == intent)


def actions(m, kind):
    with m.lock:
        return [a for a in m.actions if a["type"] == kind]


def levels(side):
    return [(D(p), D(q)) for p, q in side]


def test_recorded_feed_equals_every_frame():
    """The recorded l2Book frames, served one at a time: after each, the gateway's book is exactly
    that image (Hyperliquid pushes full images), its sequence the frame's time; the recorded trades
    all reach subscribers."""
    m = MockHyperliquid(replay=True)
    frames = [json.loads(l)["data"] for l in book_frames()]
    m.checkpoints = set(range(len(frames)))
    m.start()
    s = Server(config=m.config(mode="paper"), env=m.env())
    try:
        c = s.client()
        wait_until(lambda: any(i["id"] == INST for i in c.call("list_instruments")["instruments"]), timeout=30, what="instruments loaded")
        trades = c.subscribe("trades", instrument=INST)
        m.trades_go.set()
        for k, f in enumerate(frames):
            wait_until(lambda: m.paused_at == k, timeout=30, step=0.005, what=f"frame {k} sent")
            want_b = [(D(l["px"]), D(l["sz"])) for l in f["levels"][0]]
            want_a = [(D(l["px"]), D(l["sz"])) for l in f["levels"][1]]

            def same():
                r = c.request("get_book", {"instrument": INST, "depth": 100})
                if "result" not in r:
                    return False
                b = r["result"]
                return b["freshness"]["sequence"] == f["time"] and b["freshness"]["verified"] and \
                    levels(b["bids"]) == want_b and levels(b["asks"]) == want_a
            wait_until(same, timeout=10, step=0.005, what=f"book equal to frame {k}")
            m.resume.set()
        want_tids = {t["tid"] for l in trade_frames() for t in json.loads(l)["data"]}
        got = set()
        deadline = time.time() + 10
        while got != {str(t) for t in want_tids} and time.time() < deadline:
            for n in trades.iter(timeout=0.2):
                got.add(n["data"]["trade_id"])
        assert got == {str(t) for t in want_tids}
        h = next(f for f in c.call("get_health")["feeds"] if f["venue"] == "hyperliquid")
        assert h["gaps"] == 0 and h["bad_frames"] == 0 and h["state"] == "live", h
        book = c.call("get_book", instrument=INST)
        assert book["context"]["mark_price"] == "105057.0" and book["context"]["funding_rate"] == "0.0000125"
        inst = next(i for i in c.call("list_instruments", venue="hyperliquid")["instruments"])
        assert inst["id"] == INST and inst["tick_size"] == "0.1" and inst["lot_size"] == "0.00001" and inst["price_significant_figures"] == 5
        validate_client(c)
    finally:
        assert s.stop() == 0
        m.stop()


def test_order_kinds_modify_cancels_positions_and_margin(hl):
    s, c = start_gateway(hl, INST, "hyperliquid", config_extra=LIMITS_OFF)
    ex = hl.ex
    try:
        bid, ask = ex.best_bid(), ex.best_ask()
        # An off-grid price (6 significant figures) is refused by the gate with a price that passes.
        r = c.call("place_signal", intent_id="grid", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - D("0.5")))
        assert r["status"] == "rejected" and r["rejection"]["code"] == "tick_size", r
        fixed = r["rejection"]["corrected"]["limit_price"]
        assert D(fixed) == bid - 1
        # A limit order rests (Gtc) with the venue's oid.
        r = c.call("place_signal", intent_id="rest", instrument=INST, side="buy", quantity="0.002", limit_price=fixed)
        assert r["status"] == "open" and r["mode"] == "live", r
        rest = order_of(c, "rest")
        assert rest["venue_order_id"] and rest["client_order_id"].startswith("0x") and len(rest["client_order_id"]) == 34
        # IOC through more than the first level: part fills, the venue cancels the rest.
        first = ex.asks[0][1]
        r = c.call("place_signal", intent_id="ioc", instrument=INST, side="buy", quantity=str(first + D("1")), limit_price=str(ask), time_in_force="ioc")
        assert r["status"] == "cancelled" and D(r["filled_quantity"]) == first, r
        # IOC that finds nothing: expired, nothing filled.
        r = c.call("place_signal", intent_id="ioc0", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 20), time_in_force="ioc")
        assert r["status"] == "expired" and D(r["filled_quantity"]) == 0, r
        # A market order is an IOC limit within the slippage limit (5 % through the mid by default).
        sent = len(actions(hl, "order"))
        r = c.call("place_signal", intent_id="mkt", instrument=INST, side="sell", quantity="0.003")
        assert r["status"] == "filled" and D(r["filled_quantity"]) == D("0.003"), r
        with ex.lock:
            mo = ex.by_client(order_of(c, "mkt")["client_order_id"])
        mid = (bid + ex.best_ask()) / 2
        assert mo.tif == "ioc" and mid * D("0.95") <= mo.price < mid and len(actions(hl, "order")) == sent + 1
        # Modify: a new price and size; the venue cancel-replaces (new oid, old one reported cancelled).
        old_oid = rest["venue_order_id"]
        m = c.call("modify_order", intent_id="rest", limit_price=str(bid - 3), quantity="0.004")
        assert m["status"] == "open" and D(m["limit_price"]) == bid - 3 and D(m["quantity"]) == D("0.004"), m
        assert m["venue_order_id"] != old_oid and actions(hl, "batchModify")
        time.sleep(0.5)
        o = order_of(c, "rest")
        assert o["status"] == "open" and D(o["limit_price"]) == bid - 3, o
        with ex.lock:
            vo = ex.by_client(o["client_order_id"])
            assert vo.price == bid - 3 and vo.qty == D("0.004") and vo.live
        # A stream-only fill on the modified order, then a modify to a crossing price fills the rest.
        ex.fill_resting(o["client_order_id"], D("0.001"))
        wait_until(lambda: order_of(c, "rest")["status"] == "partially_filled", what="stream fill after modify")
        m = c.call("modify_order", order_id=o["order_id"], limit_price=str(ex.best_ask() + 1))
        assert m["status"] == "filled" and D(m["filled_quantity"]) == D("0.004"), m
        # The gate judges a modify too, and a modify of a finished order is refused.
        with pytest.raises(RPCError) as e:
            c.call("modify_order", intent_id="rest", limit_price=str(bid))
        assert e.value.app_code == "order_not_modifiable" and e.value.data["status"] == "filled"
        r = c.call("place_signal", intent_id="rest2", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 4))
        with pytest.raises(RPCError) as e:
            c.call("modify_order", intent_id="rest2", limit_price=str(bid - D("4.5")))
        rej = e.value.data["rejection"]
        assert e.value.app_code == "modify_rejected" and rej["code"] == "tick_size" and D(rej["corrected"]["limit_price"]) == bid - 5, e.value.data
        assert D(order_of(c, "rest2")["limit_price"]) == bid - 4
        # Cancel by oid (the venue id is known).
        c.call("cancel_order", intent_id="rest2")
        wait_until(lambda: order_of(c, "rest2")["status"] == "cancelled", what="cancel by oid")
        assert actions(hl, "cancel")
        # Cancel by cloid: an order whose answer was lost (and the stream is down) has no oid yet.
        hl.stream_blocked.set()
        hl.drop_streams()
        wait_until(lambda: venue_state(c, "hyperliquid")["stream"] is False, what="stream down")
        hl.lookups_blocked.set()                   # else a lookup may learn the oid before the cancel
        hl.faults.add("order", "drop")
        r = c.call("place_signal", intent_id="lost", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 6))
        assert r["status"] == "uncertain", r
        c.call("cancel_order", intent_id="lost")
        wait_until(lambda: order_of(c, "lost")["status"] == "cancelled", what="cancel by cloid")
        assert actions(hl, "cancelByCloid")
        hl.lookups_blocked.clear()
        hl.stream_blocked.clear()
        # Positions and margin come from the venue's clearinghouse state.
        ch = hl.clearinghouse()
        wait_until(lambda: balances_match(c, "hyperliquid", hl), what="balances equal the venue's")
        pos = c.call("get_positions", instrument=INST)["positions"][0]
        vp = ch["assetPositions"][0]["position"]
        assert pos["mode"] == "live" and D(pos["quantity"]) == D(vp["szi"]) and D(pos["liquidation_price"]) > 0
        assert D(pos["margin_used"]) == D(vp["marginUsed"]) and D(pos["leverage"]) == 20
        acct = next(a for a in c.call("get_balances")["accounts"] if a["venue"] == "hyperliquid")
        assert D(acct["margin"]["account_value"]) == D(hl.clearinghouse()["marginSummary"]["accountValue"])
        assert_ledger_matches_venue(c, ex, INST)
        assert hl.bad_signatures == 0
        validate_client(c)
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_50_concurrent_signals_from_5_clients_use_50_distinct_nonces(hl):
    s, c0 = start_gateway(hl, INST, "hyperliquid", config_extra=LIMITS_OFF)
    try:
        bid = hl.ex.best_bid()
        clients = [s.client() for _ in range(5)]
        results = {}
        barrier = threading.Barrier(50)

        def one(k):
            c = clients[k % 5]
            barrier.wait()
            results[k] = c.request("place_signal", {"intent_id": f"n{k}", "instrument": INST, "side": "buy", "quantity": "0.001",
                                                    "limit_price": str(bid - 10 - k % 7)})
        threads = [threading.Thread(target=one, args=(k,)) for k in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert all(results[k]["result"]["status"] == "open" for k in range(50)), [results[k] for k in range(50) if results[k]["result"]["status"] != "open"][:3]
        orders = actions(hl, "order")
        assert len(orders) == 50 and len({a["nonce"] for a in orders}) == 50
        assert all(a["expiresAfter"] is not None and a["expiresAfter"] > a["nonce"] for a in hl.actions)
        assert len(hl.ex.orders) == 50 and hl.ex.max_orders_per_client_id() == 1 and hl.bad_signatures == 0
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_batch_with_one_order_refused_inside_status_ok(hl):
    """A JSON-RPC batch of signals goes out as one order action (one nonce); the venue answers
    `status: ok` with a per-order error for one: that order is rejected with the venue's words, the
    others are placed, and the refused intent stays free."""
    s, c = start_gateway(hl, INST, "hyperliquid", config_extra=LIMITS_OFF)
    try:
        bid = hl.ex.best_bid()
        batch = [{"jsonrpc": "2.0", "id": 900 + k, "method": "place_signal",
                  "params": {"intent_id": f"b{k}", "instrument": INST, "side": "buy", "quantity": q, "limit_price": str(bid - 10 - k)}}
                 for k, q in enumerate(["0.002", "30", "0.003"])]
        before = len(actions(hl, "order"))
        c.send_raw((json.dumps(batch) + "\n").encode())
        answers = c.unsolicited.get(timeout=20)
        by_id = {a["id"]: a for a in answers}
        assert [a["id"] for a in answers] == [900, 901, 902]
        assert by_id[900]["result"]["status"] == "open" and by_id[902]["result"]["status"] == "open"
        bad = by_id[901]["result"]
        assert bad["status"] == "rejected" and bad["rejection"]["code"] == "insufficient_balance", bad
        assert bad["rejection"]["venue_code"] == "perpMarginRejected" and "Insufficient margin" in bad["rejection"]["message"]
        sent = actions(hl, "order")[before:]
        assert len(sent) == 1 and sent[0]["n"] == 3
        # The refused intent was not consumed: smaller, it goes through.
        r = c.call("place_signal", intent_id="b1", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 11))
        assert r["status"] == "open" and r["duplicate"] is False
        assert_ledger_matches_venue(c, hl.ex, INST)
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_a_key_the_venue_does_not_know_is_refused_and_nothing_trades(hl):
    other = "0x" + "1f" * 32
    env = {"MOCK_HL_KEY": other}
    s = Server(config=hl.config(), env=env)
    try:
        c = s.client()
        wait_until(lambda: (venue_state(c, "hyperliquid") or {}).get("state") == "live" and "result" in c.request("get_book", {"instrument": INST}),
                   timeout=30, what="live")
        r = c.call("place_signal", intent_id="k1", instrument=INST, side="buy", quantity="0.002", limit_price=str(hl.ex.best_bid() - 10))
        rej = r["rejection"]
        assert r["status"] == "rejected" and rej["code"] == "venue_auth" and rej["venue_code"] == "unknownSigner", r
        assert Account.from_key(other).address.lower() in rej["message"].lower()
        assert not hl.ex.orders and hl.bad_signatures >= 1
    finally:
        assert s.stop() == 0


def test_the_mock_refuses_reused_stale_and_expired_actions_like_the_venue(hl):
    """The mock's own rules, exercised with the official SDK's signer (not the gateway)."""
    import urllib.request
    wallet = Account.from_key(AGENT_KEY)

    def post(action, nonce, expires):
        sig = sign_l1_action(wallet, action, None, nonce, expires, True)
        body = json.dumps({"action": action, "nonce": nonce, "signature": sig, "vaultAddress": None, "expiresAfter": expires}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{hl.port}/exchange", data=body, headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req, timeout=10).read())
    now = int(time.time() * 1000)
    action = {"type": "scheduleCancel"}
    assert post(action, now, now + 5000)["status"] == "ok"
    again = post(action, now, now + 5000)
    assert again["status"] == "err" and "duplicate nonce" in again["response"]
    stale = post(action, now - 3 * 86_400_000, None)
    assert stale["status"] == "err" and "nonce too low" in stale["response"]
    late = post(action, now + 1, now - 1)
    assert late["status"] == "err" and "expired" in late["response"].lower()
    # Orders off Hyperliquid's grid or under $10 are refused inside `status: ok`, one status each.
    def order(p, sz):
        return {"a": 0, "b": True, "p": p, "s": sz, "r": False, "t": {"limit": {"tif": "Gtc"}}}
    r = post({"type": "order", "orders": [order("105054.5", "0.002"), order("100000", "0.002"), order("100000", "0.00001")], "grouping": "na"},
             now + 10, now + 5000)
    st = r["response"]["data"]["statuses"]
    assert r["status"] == "ok" and st[0]["error"].startswith("Price must be divisible by tick size.")
    assert "resting" in st[1] and st[2]["error"].startswith("Order must have minimum value of $10.")
    # A signature over other bytes recovers another address: refused.
    sig = sign_l1_action(wallet, {"type": "scheduleCancel", "time": 1}, None, now + 2, None, True)
    body = json.dumps({"action": action, "nonce": now + 2, "signature": sig, "vaultAddress": None, "expiresAfter": None}).encode()
    import urllib.request as u
    r = json.loads(u.urlopen(u.Request(f"http://127.0.0.1:{hl.port}/exchange", data=body, headers={"Content-Type": "application/json"}), timeout=10).read())
    assert r["status"] == "err" and "does not exist" in r["response"] and hl.bad_signatures == 1


def test_testnet_signs_for_the_testnet_whatever_the_url():
    """`testnet = true` signs with source "b" (a custom rest_url does not change the network): a
    testnet mock takes the orders; a mainnet gateway's signatures recover another signer there."""
    m = MockHyperliquid(mainnet=False).start()
    try:
        s, c = start_gateway(m, INST, "hyperliquid", testnet=True)
        try:
            r = c.call("place_signal", intent_id="t1", instrument=INST, side="buy", quantity="0.002", limit_price=str(m.ex.best_bid() - 10))
            assert r["status"] == "open" and m.bad_signatures == 0, r
        finally:
            assert s.stop() == 0
            s.tmp.cleanup()
        s, c = start_gateway(m, INST, "hyperliquid")
        try:
            r = c.call("place_signal", intent_id="t2", instrument=INST, side="buy", quantity="0.002", limit_price=str(m.ex.best_bid() - 10))
            assert r["status"] == "rejected" and r["rejection"]["code"] == "venue_auth" and m.bad_signatures == 1, r
        finally:
            assert s.stop() == 0
            s.tmp.cleanup()
    finally:
        m.stop()


def test_funding_is_booked_once_and_survives_a_restart(hl):
    s, c = start_gateway(hl, INST, "hyperliquid", config_extra=LIMITS_OFF)
    data_dir, tmp = s.data_dir, s.tmp
    try:
        r = c.call("place_signal", intent_id="long", instrument=INST, side="buy", quantity="0.01")
        assert r["status"] == "filled"
        wait_until(lambda: D(c.call("get_positions", instrument=INST)["positions"][0]["quantity"]) == D("0.01"), what="position")
        hl.duplicate_events = True
        paid = hl.pay_funding(D("0.0001"))
        assert paid < 0
        wait_until(lambda: D(c.call("get_positions", instrument=INST)["positions"][0]["funding"]) == paid, what="funding booked")
        time.sleep(0.3)
        assert D(c.call("get_positions", instrument=INST)["positions"][0]["funding"]) == paid
        wait_until(lambda: balances_match(c, "hyperliquid", hl), what="balances after funding")
    finally:
        assert s.stop() == 0
    # After a restart the journal brings it back, and the stream's snapshot does not add it again.
    s = Server(config=hl.config() + "\n" + LIMITS_OFF, data_dir=data_dir, env=hl.env())
    try:
        c = s.client()
        wait_until(lambda: (venue_state(c, "hyperliquid") or {}).get("stream") is True, timeout=30, what="stream up again")
        time.sleep(0.3)
        assert D(c.call("get_positions", instrument=INST)["positions"][0]["funding"]) == paid
    finally:
        assert s.stop() == 0
    assert sum(1 for e in journal(data_dir) if e["kind"] == "funding") == 1
    tmp.cleanup()
