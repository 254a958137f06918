"""Polymarket live execution through the real binary against mock_polymarket.py: every order's
EIP-712 signature recovered with eth-account and every L2 HMAC checked by the mock; GTC, FOK,
partial fills, a trade's settlement (MATCHED → MINED → CONFIRMED, or → FAILED and reversed),
a neg-risk market, the V1/V2 switch, and the execution layer's faults."""
import threading
import time
from decimal import Decimal as D

import pytest

from conftest import Server, validate_client
from live_helpers import venue_state, wait_until
from mock_polymarket import A_YES, B_ONE, MockPolymarket

YES = "polymarket:WILL-THE-MOCK-MARKET-RESOLVE-YES-YES-USDC"
ALICE = "polymarket:MOCK-NEGRISK-CANDIDATE-MARKET-ALICE-USDC"


def start(m, data_dir=None, **cfg):
    s = Server(config=m.config(mode="live", **cfg), data_dir=data_dir, env=m.env())
    c = s.client()

    def ready():
        st = venue_state(c, "polymarket")
        if not st or st["state"] not in ("live", "degraded") or not st.get("stream"):
            return False
        b = c.request("get_book", {"instrument": YES})
        return "result" in b and b["result"]["freshness"]["verified"]
    wait_until(ready, timeout=30, what="polymarket live with a verified book")
    return s, c


def order(c, intent):
    for o in c.call("get_orders", status="all", limit=1000)["orders"]:
        if o["intent_id"] == intent:
            return o
    raise AssertionError(f"no order for {intent}")


def fills_of(c, intent):
    return [f for f in c.call("get_fills", limit=1000)["fills"] if f["intent_id"] == intent]


@pytest.fixture
def pm():
    m = MockPolymarket().start()
    yield m
    m.stop()


def test_gtc_fok_partial_fill_and_settlement(pm):
    s, c = start(pm)
    try:
        ex = pm.exchanges[A_YES]
        fills_sub = c.subscribe("fills")
        # GTC below the ask rests, then is cancelled.
        r = c.call("place_signal", intent_id="g1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
        assert r["status"] == "open" and r["mode"] == "live", r
        oid = order(c, "g1")["venue_order_id"]
        assert oid.startswith("0x") and len(oid) == 66 and pm.pm_orders[oid].live
        c.call("cancel_order", intent_id="g1")
        wait_until(lambda: order(c, "g1")["status"] == "cancelled" and not pm.pm_orders[oid].live, what="GTC cancelled at the venue")
        # FOK at the ask fills at once; its trade settles MATCHED → MINED → CONFIRMED, booked once.
        r = c.call("place_signal", intent_id="f1", instrument=YES, side="buy", quantity="10", limit_price="0.514", time_in_force="fok")
        assert r["status"] == "filled" and D(r["filled_quantity"]) == 10 and D(r["average_price"]) == D("0.514"), r
        tid = next(iter(pm.pm_trades))
        wait_until(lambda: pm.pm_trades[tid]["status"] == "CONFIRMED", what="trade confirmed")
        time.sleep(0.3)
        assert len(fills_of(c, "f1")) == 1
        # A FOK the book cannot fill (nothing at or below its price) dies: nothing fills.
        r = c.call("place_signal", intent_id="f2", instrument=YES, side="buy", quantity="10", limit_price="0.513", time_in_force="fok")
        assert r["status"] in ("expired", "rejected") and D(r.get("filled_quantity") or 0) == 0, r
        # A resting order filled in part by the market (a maker fill on the user channel only).
        r = c.call("place_signal", intent_id="p1", instrument=YES, side="buy", quantity="20", limit_price="0.5")
        assert r["status"] == "open"
        ex.fill_resting(order(c, "p1")["venue_order_id"], D(5))
        wait_until(lambda: order(c, "p1")["status"] == "partially_filled" and D(order(c, "p1")["filled_quantity"]) == 5, what="partial fill booked")
        f = fills_of(c, "p1")
        assert len(f) == 1 and f[0]["liquidity"] == "maker" and D(f[0]["price"]) == D("0.5")
        # Balances are the venue's; positions follow the fills.
        wait_until(lambda: next((a for a in c.call("get_balances")["accounts"] if a["venue"] == "polymarket"), {}).get("balances") and
                   {b["asset"]: D(b["free"]) for b in next(a for a in c.call("get_balances")["accounts"] if a["venue"] == "polymarket")["balances"]}
                   .get("USDC") == pm.expected_balances()["USDC"][0], what="USDC balance equals the venue's")
        pos = {p["instrument"]: D(p["quantity"]) for p in c.call("get_positions")["positions"]}
        assert pos[YES] == 15
        assert pm.bad_signatures == 0 and pm.posted == 4
        assert len(list(fills_sub.iter(timeout=0.5))) >= 2
        validate_client(c)
    finally:
        assert s.stop() == 0


def test_a_trade_that_fails_on_chain_is_reversed_and_announced(pm):
    s, c = start(pm)
    try:
        fills_sub = c.subscribe("fills")
        pm.fail_trades = 1
        r = c.call("place_signal", intent_id="x1", instrument=YES, side="buy", quantity="10", limit_price="0.514", time_in_force="fok")
        assert r["status"] == "filled", r
        tid = next(iter(pm.pm_trades))
        wait_until(lambda: pm.pm_trades[tid]["status"] == "FAILED", what="trade failed")
        wait_until(lambda: len(fills_of(c, "x1")) == 2, what="the reversal fill")
        f = sorted(fills_of(c, "x1"), key=lambda x: x["fill_id"])
        assert f[1].get("reversal") is True and f[1]["side"] == "sell" and f[1]["quantity"] == f[0]["quantity"] and f[1]["price"] == f[0]["price"]
        o = order(c, "x1")
        assert D(o["filled_quantity"]) == 0 and o["status"] == "cancelled" and "did not settle" in o["reason"], o
        pos = {p["instrument"]: D(p["quantity"]) for p in c.call("get_positions")["positions"]}
        assert pos.get(YES, D(0)) == 0
        seen = [n["data"] for n in fills_sub.iter(timeout=1)]
        assert any(n.get("reversal") for n in seen), seen
        wait_until(lambda: {b["asset"]: D(b["free"]) for b in next(a for a in c.call("get_balances")["accounts"] if a["venue"] == "polymarket")["balances"]}
                   .get("USDC") == D(2000), what="USDC back to the start")
        validate_client(c)
    finally:
        assert s.stop() == 0


def test_neg_risk_market_and_the_exchange_version_switch(pm):
    s, c = start(pm)
    try:
        # Neg-risk: signed for the neg-risk exchange (the mock recovers the signer against it).
        r = c.call("place_signal", intent_id="n1", instrument=ALICE, side="buy", quantity="10", limit_price="0.7")
        assert r["status"] == "open", r
        assert pm.bad_signatures == 0 and pm.token_of[order(c, "n1")["venue_order_id"]] == B_ONE
        # The venue moves to V1: the V2 order is refused as a version mismatch, /version is read
        # again and the order is signed and placed as V1, once.
        pm.version = 1
        r = c.call("place_signal", intent_id="v1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
        assert r["status"] == "open", r
        assert pm.version_mismatches == 1 and pm.bad_signatures == 0
        assert pm.order_versions[order(c, "v1")["venue_order_id"]] == 1 and pm.order_versions[order(c, "n1")["venue_order_id"]] == 2
        c.call("cancel_order", intent_id="v1")
        wait_until(lambda: order(c, "v1")["status"] == "cancelled", what="V1 order cancelled")
    finally:
        assert s.stop() == 0


def test_lost_answer_is_uncertain_then_resolved_and_never_resent(pm):
    s, c = start(pm)
    try:
        pm.faults.add("order", "drop")
        r = c.call("place_signal", intent_id="u1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
        assert r["status"] in ("uncertain", "open"), r
        wait_until(lambda: order(c, "u1")["status"] == "open", what="resolved by the order hash")
        assert pm.posted == 1 and len(pm.pm_orders) == 1
        # The same intent again: the first outcome, no second order.
        again = c.call("place_signal", intent_id="u1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
        assert again["duplicate"] is True and pm.posted == 1
    finally:
        assert s.stop() == 0


def test_user_stream_dropped_is_caught_up_and_duplicates_count_once(pm):
    s, c = start(pm)
    try:
        r = c.call("place_signal", intent_id="d1", instrument=YES, side="buy", quantity="30", limit_price="0.5")
        assert r["status"] == "open"
        vid = order(c, "d1")["venue_order_id"]
        pm.stream_blocked.set()
        pm.drop_streams()
        wait_until(lambda: venue_state(c, "polymarket")["stream"] is False, what="stream down")
        pm.exchanges[A_YES].fill_resting(vid, D(10))       # lost: nobody is subscribed
        pm.stream_blocked.clear()
        wait_until(lambda: D(order(c, "d1")["filled_quantity"]) == 10, timeout=20, what="caught up after the reconnect")
        pm.duplicate_events = True
        pm.exchanges[A_YES].fill_resting(vid, D(5))
        wait_until(lambda: D(order(c, "d1")["filled_quantity"]) == 15, what="second fill")
        time.sleep(0.5)
        assert len(fills_of(c, "d1")) == 2
    finally:
        assert s.stop() == 0


def test_kill_9_mid_run_then_restart_at_most_one_order_per_intent(pm):
    s, c = start(pm)
    data_dir = s.data_dir
    results = {}

    def run():
        cc = s.client()
        for k in range(40):
            try:
                results[k] = cc.call("place_signal", intent_id=f"k{k}", instrument=YES, side="buy", quantity="5", limit_price=str(D("0.3") + D(k) / 1000))
            except Exception:
                return
    t = threading.Thread(target=run)
    t.start()
    wait_until(lambda: pm.posted >= 10, timeout=30, what="orders flowing")
    s.kill()
    t.join(timeout=10)
    s2, c2 = start(pm, data_dir=data_dir)
    try:
        def settled():
            return all(o["status"] not in ("uncertain", "pending_submit") for o in c2.call("get_orders", status="all", limit=1000)["orders"])
        wait_until(settled, timeout=30, what="every order settled after the restart")
        ledger = {o["venue_order_id"]: o for o in c2.call("get_orders", status="all", limit=1000)["orders"] if o.get("venue_order_id")}
        missing = set(pm.pm_orders) - set(ledger)
        assert not missing, (missing, [o for o in c2.call("get_orders", status="all", limit=1000)["orders"] if not o.get("venue_order_id")])
        per_intent = {}
        snapshot = list(pm.pm_orders)
        assert not set(snapshot) - set(ledger), (len(snapshot), len(ledger), time.time())
        for oid in snapshot:
            per_intent[ledger[oid]["intent_id"]] = per_intent.get(ledger[oid]["intent_id"], 0) + 1
        assert max(per_intent.values()) == 1
        assert all(ledger[oid]["status"] == "open" for oid in snapshot)
        # Retrying every intent after the restart: those the ledger holds answer as before (no new
        # order), those it never recorded are placed now, once each.
        known = {o["intent_id"] for o in c2.call("get_orders", status="all", limit=1000)["orders"]}
        before = pm.posted
        live_intents = set()
        for k in range(40):
            deadline = time.time() + 20
            while True:   # the gate's per-session order rate (20/s) paces the retries
                r = c2.call("place_signal", intent_id=f"k{k}", instrument=YES, side="buy", quantity="5", limit_price=str(D("0.3") + D(k) / 1000))
                if not (r.get("rejection") or {}).get("retryable"):
                    break
                assert time.time() < deadline, (r.get("rejection"), r.get("checks"))
                time.sleep(0.1)
            # A duplicate answers its first outcome; one that was still in flight then says where it
            # stands now: open at the venue, or rejected (journaled, killed before it reached the
            # venue, not found there after the receive window): never sent again.
            now = (r.get("current") or r)["status"]
            assert (now == "open" or (now == "rejected" and f"k{k}" in known)) and r["duplicate"] == (f"k{k}" in known), r
            if now == "open":
                live_intents.add(f"k{k}")
        assert pm.posted - before == 40 - len(known)
        ledger = {o["venue_order_id"]: o["intent_id"] for o in c2.call("get_orders", status="all", limit=1000)["orders"] if o.get("venue_order_id")}
        assert sorted(ledger[oid] for oid in pm.pm_orders) == sorted(live_intents)
    finally:
        assert s2.stop() == 0


def test_api_key_is_created_then_derived_and_the_secret_is_only_written_to_private_files(pm, tmp_path):
    """`alephtx polymarket api-key`: L1-signed (the mock recovers the ClobAuth signer with
    eth-account); a second run is refused creation and derives; the secret never reaches stdout
    or stderr; the files it writes are 0600 and work as the venue's credentials."""
    import json
    import os
    import subprocess
    from conftest import BIN
    from mock_polymarket import API_PASSPHRASE, API_SECRET, WALLET, WALLET_KEY
    env = {**os.environ, "PM_WALLET": WALLET_KEY}
    url = f"http://127.0.0.1:{pm.port}"
    first = subprocess.run([BIN, "polymarket", "api-key", "--key-env", "PM_WALLET", "--rest-url", url], capture_output=True, env=env, timeout=30)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["address"] == WALLET and out["created"] is True and out["written_to"] is None
    d = tmp_path / "pm-creds"
    second = subprocess.run([BIN, "polymarket", "api-key", "--key-env", "PM_WALLET", "--rest-url", url, "--write-dir", str(d)],
                            capture_output=True, env=env, timeout=30)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["created"] is False
    for p in (first, second):
        text = (p.stdout + p.stderr).decode()
        assert API_SECRET not in text and API_PASSPHRASE not in text and WALLET_KEY[2:] not in text
    assert (d / "api_secret").read_text() == API_SECRET and (d / "api_passphrase").read_text() == API_PASSPHRASE
    assert oct(os.stat(d / "api_secret").st_mode & 0o777) == "0o600" and oct(os.stat(d).st_mode & 0o777) == "0o700"
    assert pm.bad_signatures == 0
    # A wrong key is refused by the venue, clearly.
    bad = subprocess.run([BIN, "polymarket", "api-key", "--key-env", "PM_WALLET", "--rest-url", url], capture_output=True,
                         env={**env, "PM_WALLET": "0x" + "2f" * 32}, timeout=30)
    assert bad.returncode == 1 and b"Invalid L1 Request headers" in bad.stderr and pm.bad_signatures == 1
    # The written files are the gateway's credentials.
    extra = f'api_key_file = "{d}/api_key"\napi_secret_file = "{d}/api_secret"\napi_passphrase_file = "{d}/api_passphrase"\n'
    cfg = pm.config(mode="live").replace('api_key_env = "MOCK_PM_API_KEY"\napi_secret_env = "MOCK_PM_SECRET"\napi_passphrase_env = "MOCK_PM_PASSPHRASE"\n', extra)
    s = Server(config=cfg, env={"MOCK_PM_KEY": WALLET_KEY})
    try:
        c = s.client()
        wait_until(lambda: (venue_state(c, "polymarket") or {}).get("stream") is True, timeout=30, what="user channel up with the written credentials")
    finally:
        assert s.stop() == 0


def test_heartbeats_back_the_switch_and_outlive_a_disarm_while_orders_rest(pm):
    """Polymarket's heartbeats (HMAC verified by the mock) start when an armed session has an order
    there and follow the venue's id chain (a lost answer → the stale id refused → the named one
    resumed). The venue has no disarm: stopping would cancel every order of the key, so after the
    session disarms they go on while any order of ours rests, and stop only when none does (the
    registration then lapses with nothing to cancel)."""
    s, c = start(pm)
    try:
        other = s.client()
        c.call("session.set_deadman", timeout_ms=60000)
        r = c.call("place_signal", intent_id="hb1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
        assert r["status"] == "open", r
        wait_until(lambda: pm.hb_accepted >= 1, timeout=5, what="the first heartbeat")
        wait_until(lambda: {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["polymarket"]["native_armed"], timeout=5, what="armed as answered")
        sw = {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["polymarket"]
        assert sw["switch"] == "venue" and sw["native"] == "heartbeats" and sw["native_armed"] is True and sw["native_timeout_ms"] == 10000
        # A heartbeat accepted but its answer lost: the next carries a stale id, is refused with the expected one, and the chain resumes.
        pm.faults.add("heartbeat", "drop")
        n = pm.hb_accepted
        wait_until(lambda: pm.hb_stale >= 1 and pm.hb_accepted >= n + 2, timeout=15, what="the chain resumed after a lost answer")
        theirs = other.call("place_signal", intent_id="hb2", instrument=YES, side="buy", quantity="10", limit_price="0.49")
        assert theirs["status"] == "open", theirs
        # Disarmed with orders resting: the heartbeats go on past the venue's window, nothing is cancelled.
        c.call("session.set_deadman", timeout_ms=0)
        time.sleep(pm.hb_window + 1.5)
        assert pm.hb_expiries == 0 and not pm.hb_cancelled
        assert order(c, "hb1")["status"] == "open" and order(c, "hb2")["status"] == "open"
        gaps = [b - a for a, b in zip(pm.hb_times, pm.hb_times[1:])]
        assert gaps and max(gaps) < 6, gaps
        # No order left: the heartbeats stop and the registration lapses with nothing to cancel.
        done = c.call("cancel_all")
        assert sorted(done["cancelled"]) == sorted([order(c, "hb1")["order_id"], order(c, "hb2")["order_id"]]), done
        wait_until(lambda: pm.hb_expiries == 1, timeout=pm.hb_window + 8, what="the registration lapsed")
        assert not pm.hb_cancelled and pm.bad_signatures == 0
        validate_client(c)
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_heartbeats_cancel_everything_at_the_venue_when_the_gateway_dies(pm):
    """kill -9 while heartbeats run: the venue cancels the key's orders about 10 s later, and the
    restarted gateway finds them cancelled."""
    s, c = start(pm)
    c.call("session.set_deadman", timeout_ms=60000)
    r = c.call("place_signal", intent_id="hk1", instrument=YES, side="buy", quantity="10", limit_price="0.5")
    assert r["status"] == "open", r
    oid = order(c, "hk1")["venue_order_id"]
    wait_until(lambda: pm.hb_accepted >= 1, timeout=5, what="heartbeats running")
    data_dir = s.data_dir
    s.kill()
    killed = time.time()
    wait_until(lambda: not pm.pm_orders[oid].live, timeout=pm.hb_window + 8, what="the venue cancelled the order")
    assert time.time() - killed <= pm.hb_window + 5.5 and pm.hb_expiries == 1 and pm.hb_cancelled == [oid]
    s2, c2 = start(pm, data_dir=data_dir)
    try:
        wait_until(lambda: order(c2, "hk1")["status"] == "cancelled", timeout=15, what="the restart finds the order cancelled")
        assert pm.bad_signatures == 0
    finally:
        assert s2.stop() == 0
        s.tmp.cleanup()
