"""Ledger: crash safety under SIGKILL, exactly-once intents across restarts, history paging, export."""
import json
import queue
import random
import subprocess
import tempfile
import threading
import time
from decimal import Decimal

import pytest

from conftest import BIN, Client, Server, validate_client

# Limits that stay out of the way: these tests are about durability, not the gate.
LOOSE = """
[sim]
interval_ms = 20

[risk]
max_orders_per_second = "off"
max_order_notional = "off"
max_position_notional = "off"
max_gross_notional = "off"
max_open_orders = 100000
max_open_orders_per_instrument = 100000
price_collar_bps = "off"
max_slippage_bps = "off"
max_drawdown = "off"
daily_loss_limit = "off"
session_daily_notional = "off"
"""

INSTRUMENTS = ["sim:BTC-USD", "sim:ETH-USD"]


def signal(rng: random.Random, intent_id: str, book_mid: dict) -> dict:
    inst = rng.choice(INSTRUMENTS)
    side = rng.choice(["buy", "sell"])
    qty = "0.01" if inst == "sim:BTC-USD" else "0.1"
    kind = rng.random()
    p = {"intent_id": intent_id, "instrument": inst, "side": side, "quantity": qty}
    mid = book_mid[inst]
    if kind < 0.6:
        return p  # market IOC
    if kind < 0.85:
        # Near the touch: rests, and may fill later as the sim moves.
        off = Decimal("0.9995") if side == "buy" else Decimal("1.0005")
        p["limit_price"] = str((mid * off).quantize(Decimal("0.1")))
        return p
    # Far away: rests until the end.
    off = Decimal("0.9") if side == "buy" else Decimal("1.1")
    p["limit_price"] = str((mid * off).quantize(Decimal("0.1")))
    return p


def page(c, method: str, key: str, **params) -> list:
    out, cursor = [], None
    while True:
        args = dict(params, limit=1000)
        if cursor:
            args["cursor"] = cursor
        r = c.call(method, **args)
        out += r[key]
        cursor = r["next_cursor"]
        if not cursor:
            return out


def mids(s: Server) -> dict:
    c = s.client()
    return {i: Decimal(c.call("get_book", instrument=i)["mid"]) for i in INSTRUMENTS}


def run_and_kill(s: Server, rng: random.Random, kill_after: int, total: int = 1000, clients: int = 5):
    """5 clients send `total` signals; SIGKILL once `kill_after` answers arrived. Returns answered {intent: (params, result)}."""
    book_mid = mids(s)
    answered: dict = {}
    lock = threading.Lock()
    count = [0]
    stop = threading.Event()
    plans = [[signal(rng, f"c{k}-{j}", book_mid) for j in range(total // clients)] for k in range(clients)]
    conns = [s.client() for _ in range(clients)]

    def worker(k):
        for p in plans[k]:
            if stop.is_set():
                return
            try:
                r = conns[k].request("place_signal", p, timeout=5)
            except (queue.Empty, OSError):
                return
            if "result" in r:
                with lock:
                    answered[p["intent_id"]] = (p, r["result"])
                    count[0] += 1

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    deadline = time.time() + 120
    while count[0] < kill_after and time.time() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.001)
    s.kill()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    return answered


def check_after_restart(s: Server, answered: dict):
    c = s.client()
    orders = {o["order_id"]: o for o in page(c, "get_orders", "orders", status="all")}
    fills = page(c, "get_fills", "fills")
    # No fill is duplicated.
    assert len({f["fill_id"] for f in fills}) == len(fills)
    assert len({f["venue_trade_id"] for f in fills}) == len(fills)
    by_order: dict = {}
    for f in fills:
        by_order.setdefault(f["order_id"], []).append(f)
    forward = {"open": {"open", "partially_filled", "filled"}, "partially_filled": {"partially_filled", "filled"}}
    accepted = 0
    for intent, (params, res) in answered.items():
        if res["order_id"] is None:
            continue  # a gate rejection: not an accepted intent
        accepted += 1
        o = orders.get(res["order_id"])
        assert o is not None, f"answered order {res['order_id']} for {intent} is missing after restart"
        assert o["intent_id"] == intent
        assert o["status"] in forward.get(res["status"], {res["status"]}), (intent, res["status"], o["status"])
        got = sum((Decimal(f["quantity"]) for f in by_order.get(o["order_id"], [])), Decimal(0))
        assert got >= Decimal(res["filled_quantity"]), (intent, got, res["filled_quantity"])
        assert Decimal(o["filled_quantity"]) == got
    # Every position equals the sum of its recorded fills; cash equals start minus net spend and fees.
    net: dict = {}
    cash = Decimal(c.call("get_balances")["starting_cash"])
    for f in fills:
        q, px, fee = Decimal(f["quantity"]), Decimal(f["price"]), Decimal(f["fee"])
        sign = 1 if f["side"] == "buy" else -1
        net[f["instrument"]] = net.get(f["instrument"], Decimal(0)) + sign * q
        cash -= sign * q * px + fee
    positions = {p["instrument"]: Decimal(p["quantity"]) for p in c.call("get_positions")["positions"]}
    for inst in set(net) | set(positions):
        assert positions.get(inst, Decimal(0)) == net.get(inst, Decimal(0)), inst
    total_cash = Decimal(c.call("get_balances")["balances"][0]["total"])
    assert abs(total_cash - cash) < Decimal("0.01"), (total_cash, cash)
    # Re-sending every answered intent trades nothing new and returns the stored outcome.
    before = len(fills)
    for intent, (params, res) in answered.items():
        r = c.call("place_signal", **params)
        if res["order_id"] is None:
            continue
        assert r["duplicate"] is True and r["order_id"] == res["order_id"] and r["status"] == res["status"], (intent, r, res)
    assert len(page(c, "get_fills", "fills")) == before
    return accepted, len(fills)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_loses_nothing_answered(seed):
    rng = random.Random(seed)
    data = tempfile.TemporaryDirectory()
    kill_after = rng.randint(50, 900)
    s = Server(config=LOOSE, data_dir=data.name)
    s.wait_for_data()
    answered = run_and_kill(s, rng, kill_after)
    print(f"seed {seed}: killed after {len(answered)} answers (target {kill_after})")
    assert len(answered) >= min(kill_after, 50)
    s2 = Server(config=LOOSE, data_dir=data.name)
    try:
        s2.wait_for_data()
        accepted, nfills = check_after_restart(s2, answered)
        print(f"seed {seed}: {accepted} accepted intents and {nfills} fills verified after restart")
        for c in s2.clients:
            validate_client(c)
    finally:
        assert s2.stop() == 0
        data.cleanup()


def test_conflicting_reuse_errors_across_restart():
    data = tempfile.TemporaryDirectory()
    s = Server(config=LOOSE, data_dir=data.name)
    s.wait_for_data()
    c = s.client()
    first = c.call("place_signal", intent_id="keep", instrument="sim:ETH-USD", side="buy", quantity="0.5")
    assert first["status"] == "filled"
    assert s.stop() == 0
    s2 = Server(config=LOOSE, data_dir=data.name)
    try:
        s2.wait_for_data()
        c2 = s2.client()
        r = c2.request("place_signal", {"intent_id": "keep", "instrument": "sim:ETH-USD", "side": "buy", "quantity": "0.6"})
        assert r["error"]["data"]["code"] == "intent_conflict", r
        same = c2.call("place_signal", intent_id="keep", instrument="sim:ETH-USD", side="buy", quantity="0.5", rationale="retry")
        assert same["duplicate"] is True and same["order_id"] == first["order_id"] and same["fills"] == first["fills"]
        assert len(c2.call("get_fills")["fills"]) == len(first["fills"])
        validate_client(c2)
    finally:
        assert s2.stop() == 0
        data.cleanup()


def test_resting_orders_survive_a_restart_and_still_cancel(make_server):
    data = tempfile.TemporaryDirectory()
    s = Server(config=LOOSE, data_dir=data.name)
    s.wait_for_data()
    c = s.client()
    mid = Decimal(c.call("get_book", instrument="sim:BTC-USD")["mid"])
    o = c.call("place_signal", intent_id="rest", instrument="sim:BTC-USD", side="buy", quantity="0.01", limit_price=str((mid * Decimal("0.8")).quantize(Decimal("0.1"))))
    assert o["status"] == "open"
    s.kill()
    s2 = Server(config=LOOSE, data_dir=data.name)
    try:
        s2.wait_for_data()
        c2 = s2.client()
        live = c2.call("get_orders")["orders"]
        assert [x["order_id"] for x in live] == [o["order_id"]] and live[0]["status"] == "open"
        cancelled = c2.call("cancel_order", order_id=o["order_id"])
        assert cancelled["status"] == "cancelled"
        assert c2.call("get_orders")["orders"] == []
    finally:
        assert s2.stop() == 0
    # The journal tells the whole story, oldest first.
    out = subprocess.run([BIN, "ledger", "export", "--format", "jsonl", "--data-dir", data.name], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    events = [json.loads(l) for l in out.stdout.splitlines()]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    states = [e["data"]["state"] for e in events if e["kind"] == "order" and e["ref"] == o["order_id"]]
    assert states == ["pending_submit", "open", "cancelled"], states
    assert [e["kind"] for e in events].count("restart") == 1
    bad = subprocess.run([BIN, "ledger", "export", "--format", "csv", "--data-dir", data.name], capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "jsonl" in bad.stderr
    data.cleanup()


def test_history_pages_through_the_ledger(make_server):
    s = make_server(config=LOOSE)
    c = s.client()
    ids = [c.call("place_signal", intent_id=f"h{k}", instrument="sim:ETH-USD", side="buy" if k % 2 else "sell", quantity="0.1")["order_id"]
           for k in range(25)]
    got = page(c, "get_orders", "orders", status="all")
    assert [o["order_id"] for o in got] == list(reversed(ids))
    first = c.call("get_fills", limit=10)
    assert len(first["fills"]) == 10 and first["next_cursor"]
    rest = c.call("get_fills", limit=1000, cursor=first["next_cursor"])
    assert len(first["fills"]) + len(rest["fills"]) == len(page(c, "get_fills", "fills"))
    assert not set(f["fill_id"] for f in first["fills"]) & set(f["fill_id"] for f in rest["fills"])


def test_get_health_reports_the_ledger():
    data = tempfile.TemporaryDirectory()
    s = Server(config=LOOSE, data_dir=data.name)
    try:
        s.wait_for_data()
        c = s.client()
        before = c.call("get_health")["ledger"]
        assert before["ok"] is True and before["sync"] == "full" and before["in_memory"] is False and before["failure"] is None
        for k in range(5):
            c.call("place_signal", intent_id=f"h-{k}", instrument="sim:ETH-USD", side="buy", quantity="0.01")
        after = c.call("get_health")["ledger"]
        # Each answered signal was durable before its answer, so nothing waits now.
        assert after["commits"] >= before["commits"] + 5 and after["records"] > before["records"], (before, after)
        assert after["waiting"] == 0 and after["wal_bytes"] > 0
        assert 0 < after["last_commit_us"] <= after["max_commit_us"]
        validate_client(c)
    finally:
        assert s.stop() == 0
        data.cleanup()


def test_runtime_limit_changes_survive_kill_9():
    data = tempfile.TemporaryDirectory()
    argv = [BIN, "serve", "--stdio", "--data-dir", data.name, "--log-level", "warning"]
    try:
        c = Client.spawn(argv)
        changed = c.call("set_risk_limits", limits={"max_open_orders": 7, "max_drawdown": "123.5"})
        assert changed["limits"]["max_open_orders"] == 7
        c.proc.kill()  # SIGKILL: the answer above was durable before it was sent
        c.proc.wait()
        c2 = Client.spawn(argv)
        limits = c2.call("get_risk")["limits"]
        assert limits["max_open_orders"] == 7 and limits["max_drawdown"] == "123.5", limits
        validate_client(c2)
        assert c2.close() == 0
    finally:
        data.cleanup()
