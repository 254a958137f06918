"""dYdX v4 end to end through the real binary against the mock node and Indexer (mock_dydx.py), whose
every transaction is decoded with v4-proto and its signature verified with `cryptography` (never our
code): an IOC (market) order as a short-term transaction, a resting long-term limit then its cancel
under the account sequence, a short-term quote expiring unfilled by height, positions, sequence
resynchronisation under concurrency, a lost stateful answer resolved from the Indexer, a send that
never arrived settled by its expiry height, a signature made for another chain refused, and the key
from a BIP-39 mnemonic. The generic live and fault tests (test_live_venues.py, test_live_faults.py,
kill -9 included) run against this mock too."""
import threading
import time
from decimal import Decimal as D

import pytest

from conftest import Server, validate_client
from live_helpers import assert_ledger_matches_venue, balances_match, ledger_orders, start_gateway, venue_state, wait_until
from mock_dydx import ADDRESS, MNEMONIC_ADDRESS, MockDYDX

INST = "dydx:BTC-USD-PERP"
LIMITS_OFF = "[risk]\nmax_orders_per_second = 100000\nmax_open_orders = 10000\nmax_open_orders_per_instrument = 10000\n" \
             "max_position_notional = \"off\"\nmax_gross_notional = \"off\"\nsession_daily_notional = \"off\"\nmax_order_notional = \"off\"\n"


@pytest.fixture
def dydx():
    m = MockDYDX().start()
    yield m
    m.stop()


def order_of(c, intent):
    return next(o for o in ledger_orders(c, INST).values() if o["intent_id"] == intent)


def txs(m, **match):
    with m.lock:
        return [t for t in m.txs if all(t.get(k) == v for k, v in match.items())]


def finish(s, c, m):
    assert_ledger_matches_venue(c, m.ex, INST)
    wait_until(lambda: balances_match(c, "dydx", m), what="balances equal the venue's")
    assert m.bad_signatures == 0
    validate_client(c)
    assert s.stop() == 0
    s.tmp.cleanup()


def test_ioc_fill_resting_long_term_limit_cancel_and_positions(dydx):
    m = dydx
    s, c = start_gateway(m, INST, "dydx")
    # A market order: one short-term IOC transaction, good-til-block within the window, no sequence, no timeout height.
    h0 = m.height
    r = c.call("place_signal", intent_id="mkt", instrument=INST, side="buy", quantity="0.003")
    assert r["status"] == "filled" and D(r["filled_quantity"]) == D("0.003") and r["fills"], r
    place = txs(m, kind="place")
    assert len(place) == 1 and place[0]["flags"] == 0 and place[0]["timeout_height"] == 0
    assert h0 < place[0]["gtb"] <= m.height + 10, (h0, place[0], m.height)
    # The position is the venue's.
    def pos_equal():
        p = c.call("get_positions", instrument=INST)["positions"]
        return p and D(p[0]["quantity"]) == D("0.003") and p[0]["mode"] == "live"
    wait_until(pos_equal, what="the venue's position")
    # A resting limit: a long-term order (flags 64) under the account's sequence, with a timeout height.
    bid = m.ex.best_bid()
    r = c.call("place_signal", intent_id="rest", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 20))
    assert r["status"] == "open", r
    lt = txs(m, kind="place", flags=64)
    assert len(lt) == 1 and lt[0]["sequence"] == 0 and lt[0]["timeout_height"] > 0
    # A post-only that would cross is refused before anything is sent (the gate sees the same book).
    r = c.call("place_signal", intent_id="po", instrument=INST, side="buy", quantity="0.002", limit_price=str(m.ex.best_ask() + 5), post_only=True)
    assert r["status"] == "rejected" and r["rejection"]["code"] == "post_only_would_cross", r
    assert len(m.txs) == 2
    # Cancel: a stateful MsgCancelOrder with the next sequence; the Indexer confirms it.
    c.call("cancel_order", intent_id="rest")
    wait_until(lambda: order_of(c, "rest")["status"] == "cancelled", what="the cancel confirmed")
    cancels = txs(m, kind="cancel")
    assert len(cancels) == 1 and cancels[0]["flags"] == 64 and cancels[0]["sequence"] == 1
    # Reduce-only rests nowhere on dYdX: refused before anything is sent.
    sent = len(m.txs)
    r = c.call("place_signal", intent_id="ro", instrument=INST, side="sell", quantity="0.001", limit_price=str(bid + 100), reduce_only=True)
    assert r["status"] == "rejected" and "reduce-only" in r["rejection"]["message"] and len(m.txs) == sent, r
    # A reduce-only IOC is fine: it closes part of the position.
    r = c.call("place_signal", intent_id="close", instrument=INST, side="sell", quantity="0.001", reduce_only=True)
    assert r["status"] == "filled", r
    wait_until(lambda: D(c.call("get_positions", instrument=INST)["positions"][0]["quantity"]) == D("0.002"), what="position reduced")
    h = venue_state(c, "dydx")
    assert h["mode"] == "live" and h["stream"] is True
    finish(s, c, m)


def test_short_term_quote_expires_by_height_unfilled(dydx):
    m = dydx
    s, c = start_gateway(m, INST, "dydx", limit_orders="short_term", good_til_blocks=30)
    bid = m.ex.best_bid()
    r = c.call("place_signal", intent_id="q", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 30))
    assert r["status"] == "open", r
    t = txs(m, kind="place")[0]
    assert t["flags"] == 0 and t["gtb"] is not None
    # Nobody cancels it: once the chain passes its good-til-block it is expired, not uncertain or cancelled.
    wait_until(lambda: order_of(c, "q")["status"] == "expired", timeout=10, what="expiry by height")
    assert m.height > t["gtb"] and m.expired_by_height == 1 and not txs(m, kind="cancel")
    # A partly filled quote expires with its fill kept.
    r = c.call("place_signal", intent_id="q2", instrument=INST, side="buy", quantity="0.004", limit_price=str(bid - 30))
    m.ex.fill_resting(order_of(c, "q2")["client_order_id"], D("0.001"))
    wait_until(lambda: order_of(c, "q2")["status"] == "expired", timeout=10, what="partly filled quote expired")
    assert D(order_of(c, "q2")["filled_quantity"]) == D("0.001")
    # A quote we cancel: the Indexer says BEST_EFFORT_CANCELED at once, but another validator may
    # still match it until its good-til-block passes, so it stays pending_cancel until then.
    r = c.call("place_signal", intent_id="q3", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 30))
    gtb = txs(m, kind="place")[-1]["gtb"]
    c.call("cancel_order", intent_id="q3")
    vo = m.ex.by_client(order_of(c, "q3")["client_order_id"])
    wait_until(lambda: not vo.live, what="the cancel at the node")
    time.sleep(0.2)
    st, h = order_of(c, "q3")["status"], m.height
    assert st == "pending_cancel" or h > gtb, (st, h, gtb)
    wait_until(lambda: order_of(c, "q3")["status"] == "cancelled", timeout=10, what="final once past its good-til-block")
    assert m.height > gtb
    finish(s, c, m)


def test_concurrent_long_term_orders_share_one_sequence_and_resync(dydx):
    m = dydx
    s, c = start_gateway(m, INST, "dydx", config_extra=LIMITS_OFF)
    bid = m.ex.best_bid()
    clients = [s.client() for _ in range(4)]
    errors = []

    def run(k, cl):
        for j in range(5):
            r = cl.call("place_signal", intent_id=f"c{k}-{j}", instrument=INST, side="buy", quantity="0.001", limit_price=str(bid - 10 - j - k * 5))
            if r["status"] != "open":
                errors.append(r)
    threads = [threading.Thread(target=run, args=(k, cl)) for k, cl in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = sorted(t["sequence"] for t in txs(m, kind="place", flags=64))
    assert seqs == list(range(20)), seqs
    # Another client uses the account behind our back: the next stateful send is refused once
    # (sdk 32, "expected N"), resynchronised and admitted.
    with m.lock:
        m.seq += 1
    r = c.call("place_signal", intent_id="after-bump", instrument=INST, side="buy", quantity="0.001", limit_price=str(bid - 200))
    assert r["status"] == "open", r
    tail = [t["sequence"] for t in txs(m, kind="place", flags=64)][-2:]
    assert tail == [20, 21], tail
    for cl in clients:
        validate_client(cl)
    finish(s, c, m)


def test_lost_stateful_answer_is_resolved_from_the_indexer_and_a_lost_send_by_height(dydx):
    m = dydx
    s, c = start_gateway(m, INST, "dydx", submit_timeout_ms=800)
    m.stream_blocked.set()
    m.drop_streams()
    wait_until(lambda: venue_state(c, "dydx")["stream"] is False, what="stream down")
    bid = m.ex.best_bid()
    m.faults.add("order", "hang")
    r = c.call("place_signal", intent_id="lost", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 15))
    assert r["status"] == "uncertain", r
    wait_until(lambda: order_of(c, "lost")["status"] == "open", what="resolved by the Indexer lookup")
    # The lane forgot the sequence after the lost answer; the next stateful order still gets the right one.
    r = c.call("place_signal", intent_id="next", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 16))
    assert r["status"] == "open", r
    admitted = [t for t in txs(m, kind="place", flags=64)]
    assert sorted({t["sequence"] for t in admitted}) == [0, 1], admitted
    # A short-term send that never reached the node: settled once the chain passed its good-til-block.
    m.faults.add("order", "500_before")
    r = c.call("place_signal", intent_id="never", instrument=INST, side="buy", quantity="0.002")
    assert r["status"] == "uncertain", r
    wait_until(lambda: order_of(c, "never")["status"] == "rejected", timeout=10, what="gone by height")
    assert "expiry height" in order_of(c, "never")["reason"]
    m.stream_blocked.clear()
    wait_until(lambda: venue_state(c, "dydx")["stream"] is True, what="stream back")
    finish(s, c, m)


def test_a_stateful_cancel_queued_behind_a_slow_transaction_is_not_sent_already_timed_out(dydx):
    """The account-sequence lane carries one stateful transaction at a time: a cancel that waited
    behind a placement whose answer hung takes its timeout height when it is sent, not when asked."""
    m = dydx
    s, c = start_gateway(m, INST, "dydx", submit_timeout_ms=3000)
    bid = m.ex.best_bid()
    r = c.call("place_signal", intent_id="rest", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 50))
    assert r["status"] == "open", r
    m.faults.add("order", "hang")
    box = {}
    c2 = s.client()
    slow = {"intent_id": "slow", "instrument": INST, "side": "buy", "quantity": "0.002", "limit_price": str(bid - 60)}
    t = threading.Thread(target=lambda: box.setdefault("r", c2.request("place_signal", slow, timeout=15)), daemon=True)
    t.start()
    wait_until(lambda: len(txs(m, kind="place")) == 2, what="the slow placement at the node")
    asked_at = m.height
    c.call("cancel_order", intent_id="rest")     # waits in the lane: the node holds the placement's answer 5 s
    wait_until(lambda: order_of(c, "rest")["status"] == "cancelled", timeout=20, what="the cancel")
    cancel = txs(m, kind="cancel")
    # Sent ~3 s (60 blocks) after it was asked for, with a window from then.
    assert len(cancel) == 1 and cancel[0]["timeout_height"] > asked_at + 20 + 20, (asked_at, cancel)
    t.join(15)
    assert box["r"]["result"]["status"] in ("uncertain", "open"), box   # the Indexer may show it before the answer times out
    wait_until(lambda: order_of(c, "slow")["status"] == "open", what="the slow order resolved")
    validate_client(c2)
    finish(s, c, m)


def resting_order_with_the_stream_down(m, c, intent, bid):
    """A resting buy of 0.13 (room for 1,200 fills of 0.0001), then the private stream cut and
    kept down; returns its client order id."""
    r = c.call("place_signal", intent_id=intent, instrument=INST, side="buy", quantity="0.13", limit_price=str(bid - 40))
    assert r["status"] == "open", r
    cid = order_of(c, intent)["client_order_id"]
    m.stream_blocked.set()
    m.drop_streams()
    wait_until(lambda: venue_state(c, "dydx")["stream"] is False, what="stream down")
    return cid


def test_a_catch_up_reads_every_fill_page_by_height(dydx):
    """1,200 fills while the stream is down — more than one Indexer page (1,000) — are all booked
    once by the catch-up, page after page by height."""
    m = dydx
    s, c = start_gateway(m, INST, "dydx", config_extra=LIMITS_OFF)
    bid = m.ex.best_bid()
    cid = resting_order_with_the_stream_down(m, c, "many", bid)
    for batch in range(12):
        h = m.height
        for _ in range(100):
            m.ex.fill_resting(cid, D("0.0001"))
        wait_until(lambda: m.height > h, what="the next block")     # the fills spread over heights, as on chain
    queries = len(m.fills_queries)
    m.stream_blocked.clear()
    wait_until(lambda: D(order_of(c, "many")["filled_quantity"]) == D("0.12"), timeout=30, what="every fill caught up")
    fills = c.call("get_fills", order_id=order_of(c, "many")["order_id"], limit=1000)
    n = len(fills["fills"])
    while fills.get("next_cursor"):
        fills = c.call("get_fills", order_id=order_of(c, "many")["order_id"], limit=1000, cursor=fills["next_cursor"])
        n += len(fills["fills"])
    assert n == 1200
    paged = [q for q in m.fills_queries[queries:] if "createdBeforeOrAtHeight" in q]
    assert paged, m.fills_queries[queries:]
    finish(s, c, m)


def test_a_catch_up_reads_on_through_a_height_whose_fills_fill_whole_pages():
    """1,200 fills at one height (slow blocks): past the first page the catch-up asks for the next
    `page` at that height, and books every fill once."""
    m = MockDYDX(block_ms=4000).start()
    try:
        s, c = start_gateway(m, INST, "dydx", config_extra=LIMITS_OFF, submit_timeout_ms=9000)
        bid = m.ex.best_bid()
        cid = resting_order_with_the_stream_down(m, c, "one-block", bid)
        start = m.height
        wait_until(lambda: m.height > start, what="a fresh block")   # then ~4 s before the next one
        h = m.height
        for _ in range(1200):
            m.ex.fill_resting(cid, D("0.0001"))
        with m.lock:
            heights = set(m.trade_height.values())
        assert heights == {h}, sorted(heights)      # the premise: one height for all of them
        queries = len(m.fills_queries)
        m.stream_blocked.clear()
        wait_until(lambda: D(order_of(c, "one-block")["filled_quantity"]) == D("0.12"), timeout=30, what="every fill caught up")
        assert any(q.get("page") == "2" for q in m.fills_queries[queries:]), m.fills_queries[queries:]
        finish(s, c, m)
    finally:
        m.stop()


def test_a_signature_for_another_chain_is_refused_by_the_venue():
    m = MockDYDX(chain="dydx-testnet-4").start()
    try:
        # The gateway signs for dydx-mainnet-1; the node (testnet) cannot verify it.
        cfg = m.config().replace('chain_id = "dydx-testnet-4"', 'chain_id = "dydx-mainnet-1"')
        s = Server(config=cfg, env=m.env())
        c = s.client()
        wait_until(lambda: (venue_state(c, "dydx") or {}).get("state") in ("live", "degraded") and "result" in c.request("get_book", {"instrument": INST}),
                   timeout=30, what="live")
        r = c.call("place_signal", intent_id="bad", instrument=INST, side="buy", quantity="0.002")
        assert r["status"] == "rejected" and r["rejection"]["code"] == "venue_auth" and r["rejection"]["venue_code"] == "sdk:4", r
        assert m.bad_signatures == 1 and not m.ex.orders
        assert s.stop() == 0
        s.tmp.cleanup()
    finally:
        m.stop()


def test_mnemonic_key_trades_for_its_derived_address():
    m = MockDYDX().start()
    try:
        s = Server(("--log-level", "info"), config=m.config(mnemonic=True), env=m.env())
        c = s.client()
        wait_until(lambda: MNEMONIC_ADDRESS in s.stderr_path.read_text(errors="replace"), what="the trading account logged")
        # The mock knows only K1's account: the mnemonic's own account is asked for, not K1's.
        # The mock knows only K1's account: the node is asked for the mnemonic's own account, never K1's.
        wait_until(lambda: MNEMONIC_ADDRESS in m.account_queries, what="the mnemonic's account read from the node")
        assert ADDRESS not in m.account_queries
        assert s.stop() == 0
        log = s.stderr_path.read_text(errors="replace")
        assert MNEMONIC_ADDRESS in log, log[-2000:]
        assert "abandon" not in log
        s.tmp.cleanup()
    finally:
        m.stop()


def test_restart_finds_an_old_order_by_its_uuid_beyond_the_listing(dydx):
    """An order cancelled at the venue while the gateway was down, and older than what one Indexer
    page lists (a long history), is read by its UUID after a restart and ends cancelled: without
    the UUID read it is neither open nor listed, and would stay "open" in the ledger forever."""
    import signal
    m = dydx
    s, c = start_gateway(m, INST, "dydx")
    bid = m.ex.best_bid()
    r = c.call("place_signal", intent_id="old", instrument=INST, side="buy", quantity="0.002", limit_price=str(bid - 40))
    assert r["status"] == "open", r
    old = order_of(c, "old")
    assert old["venue_order_id"]
    data_dir = s.data_dir
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s.stderr.close()
    # While the gateway is down the order is cancelled at the venue, and the listing no longer reaches it.
    m.ex.cancel(cid=old["client_order_id"])
    m.list_cap = 0
    s2 = Server(config=m.config(), data_dir=data_dir, env=m.env())
    c2 = s2.client()
    # Orders are read per instrument: wait until the markets are loaded again.
    wait_until(lambda: "result" in c2.request("get_book", {"instrument": INST}), timeout=30, what="markets loaded after the restart")
    wait_until(lambda: order_of(c2, "old")["status"] == "cancelled", timeout=30, what="the old order read by its UUID as cancelled")
    m.list_cap = 1000
    finish(s2, c2, m)
    s.tmp.cleanup()
