"""The per-session dead-man's switch (`session.set_deadman`) on every transport, on the paper venue
and on mock live venues: silence cancels the silent session's orders (and only its orders), a
session that keeps pinging is untouched, a disconnect with on_disconnect = cancel cancels at once,
keep keeps. On Hyperliquid the venue's own scheduleCancel is armed as a backstop, and it cancels
the orders even after the gateway is killed."""
import os
import pathlib
import re
import sqlite3
import tempfile
import time
from decimal import Decimal as D

import pytest

import conftest
from conftest import BIN, Client, validate_client
from live_helpers import ledger_orders, start_gateway, venue_state, venues, wait_until

TIMEOUT_MS = 700
MARGIN_S = 1.0


class Gateway:
    """One `serve --stdio --tcp 127.0.0.1:0 --unix PATH` process: a session on each transport."""

    def __init__(self, config: str | None = None, env: dict | None = None):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = self.tmp.name
        self.sock = os.path.join(self.tmp.name, "gw.sock")
        args = [BIN, "serve", "--stdio", "--tcp", "127.0.0.1:0", "--unix", self.sock, "--data-dir", self.data_dir, "--log-level", "info"]
        if config:
            p = pathlib.Path(self.tmp.name) / "config.toml"
            p.write_text(config)
            args += ["--config", str(p)]
        self.stderr_path = pathlib.Path(self.tmp.name) / "stderr.log"
        self.stdio = Client.spawn(args, stderr=open(self.stderr_path, "wb"), env={**os.environ, **(env or {})})
        self.proc = self.stdio.proc
        conftest._RUNNING.append(self)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            text = self.stderr_path.read_text(errors="replace")
            m = re.search(r"listening on [0-9.]+:(\d+)", text)
            if m and "listening on unix:" in text:
                self.port = int(m.group(1))
                break
            assert self.proc.poll() is None, text
            time.sleep(0.02)
        assert self.port, self.stderr_path.read_text(errors="replace")
        self.others: list[Client] = []

    def client(self, kind: str) -> Client:
        if kind == "stdio":
            return self.stdio
        c = Client.connect("127.0.0.1", self.port) if kind == "tcp" else Client.connect_unix(self.sock)
        self.others.append(c)
        return c

    def stop(self) -> int:
        for c in self.others:
            c.close()
        self.stdio.close()
        try:
            return self.proc.wait(timeout=20)
        finally:
            self.tmp.cleanup()

    def journal(self, kind: str) -> list[tuple]:
        db = sqlite3.connect(os.path.join(self.data_dir, "ledger.sqlite"))
        try:
            return db.execute("SELECT ref, data FROM events WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
        finally:
            db.close()


def resting(c, intent, inst="sim:BTC-USD", below=D("0.9")):
    """A buy limit far below the market: it rests."""
    bid = D(c.call("get_book", instrument=inst)["bids"][0][0])
    price = (bid * below).quantize(D("0.1"))
    r = c.call("place_signal", intent_id=intent, instrument=inst, side="buy", quantity="0.01", limit_price=str(price))
    assert r["status"] == "open", r
    return r["order_id"]


def status(c, order_id):
    for o in c.call("get_orders", status="all", limit=1000)["orders"]:
        if o["order_id"] == order_id:
            return o["status"]
    raise AssertionError(f"no order {order_id}")


def wait_book(c, inst="sim:BTC-USD"):
    wait_until(lambda: "result" in c.request("get_book", {"instrument": inst}), timeout=30, what="market data")


@pytest.mark.parametrize("kind", ["stdio", "tcp", "unix"])
def test_silence_cancels_only_the_silent_sessions_orders(kind):
    g = Gateway()
    try:
        agent = g.client(kind)
        watcher = g.client("tcp")          # its own resting order; subscribes to risk
        pinger = g.client("unix" if kind != "unix" else "tcp")
        wait_book(agent)
        risk = watcher.subscribe("risk")
        theirs = resting(watcher, "w1")
        armed = agent.call("session.set_deadman", timeout_ms=TIMEOUT_MS)
        assert armed["armed"] is True and armed["timeout_ms"] == TIMEOUT_MS and armed["on_disconnect"] == "cancel"
        assert 0 < armed["remaining_ms"] <= TIMEOUT_MS
        assert {v["venue"]: v["switch"] for v in armed["venues"]}["sim"] == "gateway"
        mine = [resting(agent, "a1"), resting(agent, "a2")]
        pinger.call("session.set_deadman", timeout_ms=TIMEOUT_MS)
        kept = resting(pinger, "p1")
        # The agent keeps talking for a while: nothing fires.
        for _ in range(6):
            time.sleep(TIMEOUT_MS / 1000 / 3)
            agent.call("ping")
            pinger.call("ping")
        assert all(status(watcher, o) == "open" for o in mine)
        # Then falls silent; the pinger keeps pinging.
        went_silent = time.time()
        fired = None
        while time.time() - went_silent < TIMEOUT_MS / 1000 + MARGIN_S:
            pinger.call("ping")
            try:
                fired = risk.get(timeout=0.1)
                break
            except Exception:
                continue
        assert fired is not None, "no risk notification within timeout + margin"
        elapsed = time.time() - went_silent
        ev = fired["data"]
        assert ev["reason"] == "deadman" and ev["trigger"] == "timeout" and ev["state"] == ev["previous_state"] == "active", ev
        assert sorted(ev["cancelled"]) == sorted(mine), ev
        assert TIMEOUT_MS / 1000 * 0.9 <= elapsed <= TIMEOUT_MS / 1000 + MARGIN_S, elapsed
        assert all(status(watcher, o) == "cancelled" for o in mine)
        assert status(watcher, theirs) == "open" and status(watcher, kept) == "open"
        # Fired once: the switch is disarmed and the session still works.
        r = agent.call("get_risk")
        assert r["deadman"]["armed"] is False and r["deadman"]["remaining_ms"] is None
        time.sleep(0.3)
        assert status(watcher, kept) == "open"
        # The journal records it.
        rows = g.journal("deadman")
        assert len(rows) == 1 and all(o in rows[0][1] for o in mine), rows
        for c in (agent, watcher, pinger):
            validate_client(c)
    finally:
        assert g.stop() == 0


@pytest.mark.parametrize("kind", ["tcp", "unix"])
def test_disconnect_cancels_at_once_or_keeps(kind):
    g = Gateway()
    try:
        watcher = g.client("stdio")
        wait_book(watcher)
        risk = watcher.subscribe("risk")
        a = g.client(kind)
        a.call("session.set_deadman", timeout_ms=60_000)
        oa = resting(a, "c1")
        b = g.client(kind)
        b.call("session.set_deadman", timeout_ms=60_000, on_disconnect="keep")
        ob = resting(b, "k1")
        t0 = time.time()
        a.close()
        ev = risk.get(timeout=5)["data"]
        assert ev["reason"] == "deadman" and ev["trigger"] == "disconnect" and ev["cancelled"] == [oa], ev
        assert time.time() - t0 < 2
        assert status(watcher, oa) == "cancelled"
        b.close()
        time.sleep(0.5)
        assert status(watcher, ob) == "open"
        with pytest.raises(Exception):
            risk.get(timeout=0.3)
    finally:
        assert g.stop() == 0


def test_stdio_end_of_input_fires_the_switch_before_exit():
    """The agent that spawned the gateway goes away (stdin closes): its orders are cancelled and
    the cancellation is durable before the process exits."""
    g = Gateway()
    agent = g.stdio
    wait_book(agent)
    agent.call("session.set_deadman", timeout_ms=30_000)
    oid = resting(agent, "e1")
    data_dir = g.data_dir
    agent.close()
    assert g.proc.wait(timeout=20) == 0
    db = sqlite3.connect(os.path.join(data_dir, "ledger.sqlite"))
    try:
        st = db.execute("SELECT state FROM orders WHERE order_id = ? ORDER BY seq DESC LIMIT 1", (oid,)).fetchone()
        ev = db.execute("SELECT data FROM events WHERE kind = 'deadman'").fetchall()
    finally:
        db.close()
        g.tmp.cleanup()
    assert st == ("cancelled",) and len(ev) == 1 and oid in ev[0][0]


def test_bad_deadman_params_change_nothing(server):
    c = server.client()
    for params, field in [({}, "timeout_ms"), ({"timeout_ms": 50}, "timeout_ms"), ({"timeout_ms": -1}, "timeout_ms"),
                          ({"timeout_ms": "1000"}, "timeout_ms"), ({"timeout_ms": 1000, "on_disconnect": "explode"}, "on_disconnect"),
                          ({"timeout_ms": 1000, "extra": 1}, "extra")]:
        r = c.request("session.set_deadman", params)
        assert r["error"]["code"] == -32602 and r["error"]["data"]["field"] == field, (params, r)
    assert c.call("get_risk")["deadman"]["armed"] is False
    assert c.call("session.set_deadman", timeout_ms=0)["armed"] is False


VENUES = venues()


@pytest.mark.parametrize("name", ["binance", "okx", "hyperliquid"])
def test_live_venue_orders_die_with_the_silent_session(name):
    spec = VENUES[name]
    m = spec["mock"]().start()
    try:
        s, c = start_gateway(m, spec["inst"], name)
        try:
            inst, qty, step = spec["inst"], spec["qty"], spec["step"]
            other = s.client()
            bid = m.ex.best_bid()
            theirs = other.call("place_signal", intent_id="o1", instrument=inst, side="buy", quantity=str(qty), limit_price=str(bid - step * 3))
            assert theirs["status"] == "open", theirs
            armed = c.call("session.set_deadman", timeout_ms=TIMEOUT_MS)
            sw = {v["venue"]: v for v in armed["venues"]}[name]
            assert sw["switch"] == ("gateway" if name == "binance" else "venue")
            mine = c.call("place_signal", intent_id="d1", instrument=inst, side="buy", quantity=str(qty), limit_price=str(bid - step * 2))
            assert mine["status"] == "open", mine
            assert len(m.ex.open_orders()) == 2
            wait_until(lambda: len(m.ex.open_orders()) == 1, timeout=TIMEOUT_MS / 1000 + MARGIN_S + 1, what="the silent session's order cancelled at the venue")
            left = m.ex.open_orders()[0]
            assert ledger_orders(other, inst)[left.client_id]["intent_id"] == "o1"
            wait_until(lambda: next(o for o in ledger_orders(other, inst).values() if o["intent_id"] == "d1")["status"] == "cancelled",
                       what="ledger cancelled")
            assert m.bad_signatures == 0
        finally:
            assert s.stop() == 0
            s.tmp.cleanup()
    finally:
        m.stop()


def test_hyperliquid_scheduled_cancel_backs_the_switch_even_if_the_gateway_dies():
    """While an armed session has orders on Hyperliquid, the gateway keeps the venue's own
    scheduleCancel armed (signed, verified by the SDK in the mock); after kill -9 nothing refreshes
    it and the venue cancels the orders itself. When no armed session has orders, it is cleared."""
    spec = VENUES["hyperliquid"]
    m = spec["mock"]().start()
    try:
        inst, qty, step = spec["inst"], spec["qty"], spec["step"]
        s, c = start_gateway(m, inst, "hyperliquid")
        try:
            c.call("session.set_deadman", timeout_ms=2000)
            r = c.call("place_signal", intent_id="n1", instrument=inst, side="buy", quantity=str(qty), limit_price=str(m.ex.best_bid() - step * 2))
            assert r["status"] == "open"
            wait_until(lambda: m.scheduled_cancel is not None, timeout=5, what="scheduleCancel armed")
            ahead = m.scheduled_cancel - int(time.time() * 1000)
            assert 4000 <= ahead <= 6500, ahead
            # The venue saw the request; the gateway books it once the answer is back.
            wait_until(lambda: {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["hyperliquid"]["native_armed"], timeout=5, what="armed as answered")
            sw = {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["hyperliquid"]
            assert sw["native"] == "scheduleCancel" and sw["native_armed"] is True and sw["native_timeout_ms"] == 6000
            # Disarming the session's switch clears the venue's schedule.
            c.call("session.set_deadman", timeout_ms=0)
            wait_until(lambda: m.schedule_history and m.schedule_history[-1] is None, timeout=5, what="scheduleCancel cleared")
            c.call("session.set_deadman", timeout_ms=2000)
            wait_until(lambda: m.scheduled_cancel is not None, timeout=5, what="scheduleCancel armed again")
        except BaseException:
            s.stop()
            raise
        s.kill()
        killed = time.time()
        wait_until(lambda: not m.ex.open_orders(), timeout=10, what="the venue's own switch cancelled the order")
        assert time.time() - killed <= 7.5 and m.scheduled_triggers == 1 and m.bad_signatures == 0
        s.tmp.cleanup()
    finally:
        m.stop()


def test_okx_cancel_all_after_backs_the_switch_even_if_the_gateway_dies():
    """OKX's cancel-all-after (10 … 120 s; HMAC verified by the mock) is kept armed while an armed
    session has orders there; after kill -9 the venue cancels them itself."""
    spec = VENUES["okx"]
    m = spec["mock"]().start()
    try:
        inst, qty, step = spec["inst"], spec["qty"], spec["step"]
        s, c = start_gateway(m, inst, "okx")
        try:
            c.call("session.set_deadman", timeout_ms=1000)
            r = c.call("place_signal", intent_id="k1", instrument=inst, side="buy", quantity=str(qty), limit_price=str(m.ex.best_bid() - step * 2))
            assert r["status"] == "open"
            wait_until(lambda: m.cancel_after is not None, timeout=5, what="cancel-all-after armed")
            assert m.cancel_after_history[-1] == 10
            # The venue saw the request; the gateway books it once the answer is back.
            wait_until(lambda: {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["okx"]["native_armed"], timeout=5, what="armed as answered")
            sw = {v["venue"]: v for v in c.call("get_risk")["deadman"]["venues"]}["okx"]
            assert sw["native"] == "cancel-all-after" and sw["native_armed"] is True and sw["native_timeout_ms"] == 10000
        except BaseException:
            s.stop()
            raise
        s.kill()
        killed = time.time()
        wait_until(lambda: not m.ex.open_orders(), timeout=14, what="OKX's own switch cancelled the order")
        assert time.time() - killed <= 11.5 and m.cancel_after_triggers == 1 and m.bad_signatures == 0
        s.tmp.cleanup()
    finally:
        m.stop()
