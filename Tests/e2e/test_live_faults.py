"""Fault tests on each live venue (Binance, OKX, Bybit mocks): each asserts the mock venue saw at
most one order per intent and that the ledger ends equal to the venue's truth (orders, fills,
balances)."""
import json
import os
import random
import zlib
import signal
import time
from decimal import Decimal as D

import pytest

from conftest import Server, validate_client
from live_helpers import assert_ledger_matches_venue, balances_match, journal, ledger_orders, start_gateway, venue_state, venues, wait_until

VENUES = venues()
FAST = dict(submit_timeout_ms=800, extra="recv_window_ms = 500\n")
LIMITS_OFF = "[risk]\nmax_orders_per_second = 100000\nmax_open_orders = 10000\nmax_open_orders_per_instrument = 10000\n" \
             "max_position_notional = \"off\"\nmax_gross_notional = \"off\"\nsession_daily_notional = \"off\"\nmax_order_notional = \"off\"\n"


class Live:
    """One venue under test: its mock, instrument and sizes."""

    def __init__(self, name):
        spec = VENUES[name]
        self.name, self.inst, self.qty, self.step, self.uncertain = name, spec["inst"], spec["qty"], spec["step"], spec["uncertain"]
        self.mock = spec["mock"]().start()


@pytest.fixture(params=list(VENUES))
def live(request):
    v = Live(request.param)
    yield v
    v.mock.stop()


def order_of(c, v, intent):
    return next(o for o in ledger_orders(c, v.inst).values() if o["intent_id"] == intent)


def finish(s, c, v):
    assert_ledger_matches_venue(c, v.mock.ex, v.inst)
    wait_until(lambda: balances_match(c, v.name, v.mock), what="balances equal the venue's")
    assert v.mock.bad_signatures == 0
    validate_client(c)
    assert s.stop() == 0
    s.tmp.cleanup()


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_accepted_but_no_answer_becomes_uncertain_and_is_resolved_once(live, kind):
    v = live
    fault = v.uncertain[kind]
    venue = v.mock
    s, c = start_gateway(venue, v.inst, v.name, **FAST)
    # The stream is down too, so only the lookup by client order id can tell what happened.
    venue.stream_blocked.set()
    venue.drop_streams()
    wait_until(lambda: venue_state(c, v.name)["stream"] is False, what="stream down")
    orders = c.subscribe("orders")
    venue.faults.add("order", fault)
    r = c.call("place_signal", intent_id=f"u-{fault}", instrument=v.inst, side="buy", quantity=str(v.qty * 2))
    assert r["status"] == "uncertain" and r["order_id"], r
    assert venue.order_requests == 1
    # Resolved by lookup: filled, with its fills booked once.
    wait_until(lambda: order_of(c, v, f"u-{fault}")["status"] == "filled", what="resolution")
    seen = [n["data"]["status"] for n in orders.iter(timeout=1)]
    assert "uncertain" in seen and "filled" in seen, seen
    # A retry of the intent returns the first outcome, with where the order stands now, and sends nothing.
    again = c.call("place_signal", intent_id=f"u-{fault}", instrument=v.inst, side="buy", quantity=str(v.qty * 2))
    assert again["duplicate"] is True and venue.order_requests == 1
    assert again["status"] == "uncertain" and again["current"]["status"] == "filled", again
    # The stream comes back: its catch-up finds nothing new to book.
    venue.stream_blocked.clear()
    wait_until(lambda: venue_state(c, v.name)["stream"] is True, what="stream back")
    finish(s, c, v)


@pytest.mark.parametrize("fault", ["500_before", "reset_before"])
def test_failure_before_the_venue_took_it_is_never_resent_and_ends_rejected(live, fault):
    v = live
    venue = v.mock
    s, c = start_gateway(venue, v.inst, v.name, **FAST)
    venue.faults.add("order", fault)
    r = c.call("place_signal", intent_id=f"n-{fault}", instrument=v.inst, side="buy", quantity=str(v.qty))
    assert r["status"] == "uncertain", r
    # Not found by client id, and past the venue's receive window: it never reached the venue.
    wait_until(lambda: order_of(c, v, f"n-{fault}")["status"] == "rejected", timeout=20, what="conclusive not-found")
    assert "never reached the venue" in order_of(c, v, f"n-{fault}")["reason"]
    assert venue.order_requests == 1 and not venue.ex.orders
    finish(s, c, v)


def test_private_stream_dropped_during_fills_is_caught_up_once(live):
    v = live
    venue = v.mock
    s, c = start_gateway(venue, v.inst, v.name, **FAST)
    bid = venue.ex.best_bid()
    cids = []
    for k in range(3):
        c.call("place_signal", intent_id=f"rest{k}", instrument=v.inst, side="buy", quantity=str(v.qty * 2), limit_price=str(bid - v.step * (k + 1)))
        cids.append(order_of(c, v, f"rest{k}")["client_order_id"])
    # A venue that replays recent fills on subscribe (Hyperliquid's userFills snapshot) has that
    # replay switched off here: the REST catch-up alone must find what the gap hid.
    if hasattr(venue, "snapshot_fills"):
        venue.snapshot_fills = False
    venue.stream_blocked.set()
    venue.drop_streams()
    wait_until(lambda: venue_state(c, v.name)["stream"] is False, what="stream down")
    # Fills while the stream is down: the venue does not replay them.
    venue.ex.fill_resting(cids[0])
    venue.ex.fill_resting(cids[1], v.qty)
    venue.stream_blocked.clear()
    wait_until(lambda: order_of(c, v, "rest0")["status"] == "filled" and order_of(c, v, "rest1")["status"] == "partially_filled"
               and D(order_of(c, v, "rest1")["filled_quantity"]) == v.qty, what="catch-up after the reconnect")
    h = venue_state(c, v.name)
    # Found by the REST catch-up (open orders, lookups, fills since the last one), never from the lost events.
    assert h["stream_reconnects"] >= 1 and h["caught_up_fills"] >= 1, h
    # And fills after it arrive on the stream as usual.
    venue.ex.fill_resting(cids[2])
    wait_until(lambda: order_of(c, v, "rest2")["status"] == "filled", what="stream fill")
    finish(s, c, v)


def test_duplicate_execution_reports_count_once(live):
    v = live
    venue = v.mock
    s, c = start_gateway(venue, v.inst, v.name, **FAST)
    venue.duplicate_events = True
    bid = venue.ex.best_bid()
    c.call("place_signal", intent_id="dup", instrument=v.inst, side="buy", quantity=str(v.qty * 3), limit_price=str(bid - v.step))
    cid = order_of(c, v, "dup")["client_order_id"]
    for _ in range(3):
        venue.ex.fill_resting(cid, v.qty)
    wait_until(lambda: order_of(c, v, "dup")["status"] == "filled", what="fills")
    time.sleep(0.3)
    o = order_of(c, v, "dup")
    assert D(o["filled_quantity"]) == v.qty * 3
    assert len(c.call("get_fills", order_id=o["order_id"])["fills"]) == 3
    finish(s, c, v)


@pytest.mark.parametrize("name", ["binance", "okx", "bybit"])
def test_a_slow_account_read_never_overwrites_a_newer_streamed_balance(name):
    """The venues whose stream carries the wallet: a reconnect reads the account over REST; a fill
    streamed while that answer is on its way is newer, and stays."""
    v = Live(name)
    try:
        venue = v.mock
        s, c = start_gateway(venue, v.inst, v.name, **FAST)
        bid = venue.ex.best_bid()
        c.call("place_signal", intent_id="slow", instrument=v.inst, side="buy", quantity=str(v.qty * 2), limit_price=str(bid - v.step))
        cid = order_of(c, v, "slow")["client_order_id"]
        wait_until(lambda: order_of(c, v, "slow")["status"] == "open", what="the order resting")
        venue.account_hold = 1.5
        reads, answers = venue.account_reads, venue.account_answers
        venue.drop_streams()
        wait_until(lambda: venue.account_reads > reads, what="the reconnect's account read")
        venue.ex.fill_resting(cid, v.qty)        # streamed while the read's (older) answer is held
        wait_until(lambda: order_of(c, v, "slow")["status"] == "partially_filled", what="the streamed fill")
        wait_until(lambda: venue.account_answers > answers, what="the held answer")
        venue.account_hold = 0
        time.sleep(0.3)
        assert balances_match(c, v.name, venue), (c.call("get_balances"), venue.expected_balances())
        finish(s, c, v)
    finally:
        v.mock.stop()


def test_429_with_retry_after_is_retryable_and_nothing_is_sent_until_then(live):
    v = live
    venue = v.mock
    s, c = start_gateway(venue, v.inst, v.name, **FAST)
    venue.faults.add("order", "429")
    r = c.call("place_signal", intent_id="rl", instrument=v.inst, side="buy", quantity=str(v.qty))
    rej = r["rejection"]
    assert r["status"] == "rejected" and rej["code"] == "venue_rate_limited" and rej["retryable"] is True, r
    assert 500 <= rej["retry_after_ms"] <= 2100 and rej["venue_code"], rej
    sent = venue.order_requests
    # Within the window the gateway refuses locally: nothing reaches the venue.
    r2 = c.call("place_signal", intent_id="rl", instrument=v.inst, side="buy", quantity=str(v.qty))
    assert r2["rejection"]["code"] == "venue_rate_limited" and r2["rejection"]["retry_after_ms"] > 0
    assert venue.order_requests == sent and venue.requests_while_blocked == 0
    assert venue_state(c, v.name)["rate_limit"]["blocked_ms"] > 0
    # After it, the same intent id (a refusal does not consume it) goes through.
    time.sleep(2.1)
    r3 = c.call("place_signal", intent_id="rl", instrument=v.inst, side="buy", quantity=str(v.qty))
    assert r3["status"] == "filled", r3
    assert venue.requests_while_blocked == 0
    finish(s, c, v)


def test_a_cancel_asked_for_while_the_order_is_placed_survives_kill_9(live):
    """cancel_order on an order still being placed (the venue took it; its answer is held), then
    kill -9 before the answer comes: the restarted gateway finds the order resting and cancels it."""
    import threading
    v = live
    venue = v.mock
    cfg = dict(submit_timeout_ms=4000, extra="recv_window_ms = 500\n")
    s, c = start_gateway(venue, v.inst, v.name, **cfg)
    data_dir, first_tmp = s.data_dir, s.tmp
    bid = venue.ex.best_bid()
    # The stream is down too, or it would show the order open before its answer comes.
    venue.stream_blocked.set()
    venue.drop_streams()
    wait_until(lambda: venue_state(c, v.name)["stream"] is False, what="stream down")
    venue.faults.add("order", "hang")
    before = len(venue.ex.orders)
    box = {}
    params = {"intent_id": "held", "instrument": v.inst, "side": "buy", "quantity": str(v.qty), "limit_price": str(bid - v.step * 3)}
    t = threading.Thread(target=lambda: box.setdefault("r", c.request("place_signal", params, timeout=10)), daemon=True)
    t.start()
    wait_until(lambda: len(venue.ex.orders) > before or box, timeout=5, what="the held order at the venue")
    assert not box, box
    c2 = s.client()
    r = c2.call("cancel_order", intent_id="held")
    assert r["status"] == "pending_submit" and r["cancel_requested"] == "cancelled by request", r
    cid = r["client_order_id"]
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s.stderr.close()
    vo = venue.ex.by_client(cid)
    assert vo is not None and vo.live          # the venue has it, resting; the gateway is gone
    venue.stream_blocked.clear()
    s = Server(config=venue.config(**cfg), data_dir=data_dir, env=venue.env())
    c = s.client()
    wait_until(lambda: not vo.live, timeout=30, what="the order cancelled at the venue after the restart")
    o = wait_until(lambda: (lambda x: x if x["status"] == "cancelled" else None)(order_of(c, v, "held")), what="the ledger's order cancelled")
    assert o["cancel_requested"] == "cancelled by request", o
    with venue.ex.lock:
        assert sum(1 for x in venue.ex.orders.values() if x.client_id == cid) == 1
    again = c.call("place_signal", **params)
    assert again["duplicate"] is True and again["current"]["status"] == "cancelled", again
    finish(s, c, v)
    first_tmp.cleanup()


@pytest.mark.parametrize("name,policy", [("binance", "adopt"), ("binance", "cancel"), ("okx", "cancel"), ("bybit", "adopt"), ("hyperliquid", "adopt"),
                                         ("hyperliquid", "cancel"), ("dydx", "adopt"), ("dydx", "cancel")])
def test_kill_9_during_a_500_signal_run_then_restart_reconciles(name, policy):
    """500 signals with kill -9 at random points (some while an order is in flight at the venue);
    after each restart the run continues with the same intent ids. The venue never sees an
    intent twice, and the ledger ends equal to the venue. An orphan of ours planted at the venue
    is adopted or cancelled as configured."""
    v = Live(name)
    try:
        seed = int(os.environ.get("ALEPHTX_KILL_SEED", zlib.crc32(f"{name}-{policy}".encode())))
        kill_run(v, policy, random.Random(seed))
    finally:
        v.mock.stop()


def kill_run(v, policy, rng):
    venue, INST = v.mock, v.inst
    cfg = dict(submit_timeout_ms=800, orphans=policy, extra="recv_window_ms = 500\n")
    s, c = start_gateway(venue, INST, v.name, config_extra=LIMITS_OFF, **cfg)
    data_dir = s.data_dir
    keep_tmp = s.tmp
    bid, ask = venue.ex.best_bid(), venue.ex.best_ask()
    n = 500
    kills = sorted(rng.sample(range(40, n - 40), 3))
    answered = {}

    def params(i):
        if i % 3 == 0:
            return {"intent_id": f"k{i}", "instrument": INST, "side": "buy" if i % 2 else "sell", "quantity": str(v.qty)}
        return {"intent_id": f"k{i}", "instrument": INST, "side": "buy", "quantity": str(v.qty), "limit_price": str(bid - v.step * (i % 40 + 1))}

    i = 0
    tag = None
    while i < n:
        if kills and i == kills[0]:
            kills.pop(0)
            # Half the kills land while an order is at the venue without its answer.
            if rng.random() < 0.6:
                # Clear of any rate-limit window first, so the order really reaches the venue.
                time.sleep(2.1 if v.name == "okx" else 0)
                venue.faults.add("order", "hang")
                import threading
                before = len(venue.ex.orders)
                box = {}
                t = threading.Thread(target=lambda k=i: box.setdefault("r", c.request("place_signal", params(k), timeout=10)), daemon=True)
                t.start()
                wait_until(lambda: len(venue.ex.orders) > before or box, timeout=5, what="the hung order at the venue")
                assert not box, json.dumps(box)[:1500]
                time.sleep(0.05)
            s.proc.send_signal(signal.SIGKILL)
            s.proc.wait()
            s.stderr.close()
            s = Server(config=venue.config(**cfg) + "\n" + LIMITS_OFF, data_dir=data_dir, env=venue.env())
            c = s.client()
            wait_until(lambda: (venue_state(c, v.name) or {}).get("state") in ("live", "degraded")
                       and "result" in c.request("get_book", {"instrument": INST}), timeout=30, what="restart reconciled")
        r = c.request("place_signal", params(i), timeout=30)
        if "error" in r and r["error"]["data"].get("code") == "venue_unavailable":
            time.sleep(0.05)
            continue
        assert "result" in r, r
        rej = r["result"].get("rejection") or {}
        if rej.get("code") == "venue_rate_limited":
            # The venue's limit (or ours ahead of it): retry the same intent after the wait it named.
            time.sleep(rej["retry_after_ms"] / 1000)
            continue
        answered[f"k{i}"] = r["result"]
        if tag is None and r["result"].get("order_id"):
            tag_sample = order_of(c, v, f"k{i}")["client_order_id"]
            tag = tag_sample[:-len(r["result"]["order_id"][2:])]
        i += 1
    # Every intent answered once; a repeat of any returns its first outcome.
    for k in rng.sample(range(n), 20):
        again = c.call("place_signal", **params(k))
        assert again["duplicate"] is True or again["status"] == "rejected", (k, answered.get(f"k{k}"), again)
    # Plant an orphan: an order of ours at the venue that this ledger does not hold.
    orphan_cid = venue.orphan_cid(tag_sample, 99999) if hasattr(venue, "orphan_cid") else f"{tag}{99999}"
    venue.ex.place(orphan_cid, "buy", "limit", "gtc", v.qty, bid - v.step * 60)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s.stderr.close()
    s = Server(config=venue.config(**cfg) + "\n" + LIMITS_OFF, data_dir=data_dir, env=venue.env())
    c = s.client()
    wait_until(lambda: (venue_state(c, v.name) or {}).get("state") in ("live", "degraded"), timeout=30, what="restart")
    orphan = venue.ex.by_client(orphan_cid)
    if policy == "adopt":
        wait_until(lambda: orphan_cid in ledger_orders(c, INST), what="orphan adopted")
        assert orphan.live and venue_state(c, v.name)["adopted"] == 1
    else:
        wait_until(lambda: not orphan.live, what="orphan cancelled")
        assert venue_state(c, v.name)["orphans_cancelled"] == 1
        with venue.ex.lock:
            del venue.ex.orders[orphan.id]   # not ours to compare: the ledger never held it
    # Settle everything still open, then compare with the venue.
    wait_until(lambda: venue_state(c, v.name)["uncertain_orders"] == 0, timeout=20, what="no uncertain orders")
    c.call("cancel_all")
    assert_ledger_matches_venue(c, venue.ex, INST, timeout=30)
    wait_until(lambda: balances_match(c, v.name, venue), what="balances equal the venue's")
    kinds = {e["kind"] for e in journal(data_dir)}
    assert "reconcile" in kinds and "restart" in kinds
    assert venue.bad_signatures == 0
    assert s.stop() == 0
    keep_tmp.cleanup()
