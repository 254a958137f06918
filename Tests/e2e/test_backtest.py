"""`alephtx backtest`: an agent runs unchanged against a recording (ALEPHTX_CONNECT), on simulated
time that moves in lockstep with it; results are deterministic, queue position and order latency
are modelled, the report renders, and a recording of a live paper session replays to the fills
that session saw."""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal as D

import pytest

from conftest import BIN, ROOT, Server, validate_message
from mock_venues import DATA, MockVenues, have_data

SPOT = [DATA / "binance" / "hftbacktest_raw_spot_btcusdt_20240808.gz", DATA / "binance" / "hftbacktest_raw_spot_btcusdt_20240809.gz"]
MOMENTUM = f"{sys.executable} {ROOT / 'agents' / 'examples' / 'momentum.py'} --instrument binance:BTC-USDT --clock sim --seconds 100000"

# An agent helper the scripted agents below share: the client, and a dump of every message it
# received (validated against the schemas by the test).
PRELUDE = f"""
import json, os, sys
sys.path.insert(0, {str(ROOT / 'agents')!r})
from alephtx_client import BacktestFinished, Client
c = Client.spawn(["alephtx", "serve", "--stdio"])
def dump(extra):
    with open(os.environ["DUMP"], "w") as f:
        json.dump({{"received": c.received, "sent": {{str(k): v for k, v in c.sent_methods.items()}}, **extra}}, f)
"""


def backtest(out, data, agent=None, strategy=None, extra=(), env=None, check=True):
    args = [BIN, "backtest", "--data", *map(str, data), "--out", str(out), *extra]
    args += (["--agent", agent] if agent else []) + (["--strategy", strategy] if strategy else [])
    p = subprocess.run(args, capture_output=True, timeout=600, env={**os.environ, **(env or {})})
    if check:
        assert p.returncode == 0, (p.stderr.decode()[-3000:], (pathlib.Path(out) / "agent.log").read_text() if (pathlib.Path(out) / "agent.log").exists() else "")
    return p


def report(out):
    return json.loads((pathlib.Path(out) / "report.json").read_text())


def script(tmp, name, body):
    p = tmp / f"agent_{name}.py"    # not a stdlib module name (a script's directory comes first on sys.path)
    p.write_text(PRELUDE + body)
    return f"{sys.executable} {p}"


def validate_dump(path):
    d = json.loads(pathlib.Path(path).read_text())
    sent = {int(k): v for k, v in d["sent"].items()}
    for m in d["received"]:
        validate_message(m, sent.get)
    return d


# ---- recordings written by the test: Binance wire frames, `<recv_ts_ns> <frame>` lines ----
T0 = 1_700_000_000_000_000_000


def depth(u, bids=(), asks=()):
    return json.dumps({"stream": "btcusdt@depth@100ms", "data": {"e": "depthUpdate", "E": 0, "s": "BTCUSDT", "U": u, "u": u,
                                                                   "b": [list(x) for x in bids], "a": [list(x) for x in asks]}})


def trade(n, price, qty, seller_aggressor=True):
    return json.dumps({"stream": "btcusdt@trade", "data": {"e": "trade", "E": 0, "s": "BTCUSDT", "t": n, "p": price, "q": qty, "T": 0,
                                                             "m": seller_aggressor, "M": True}})


def recording(path, frames):
    """frames: (ms after T0, frame) pairs; the first is the REST snapshot."""
    path.write_text("".join(f"{T0 + ms * 1_000_000} {f}\n" for ms, f in frames))
    return path


SNAPSHOT = json.dumps({"lastUpdateId": 100, "bids": [["100.00", "5"], ["99.00", "3"]], "asks": [["101.00", "1"], ["102.00", "4"]]})


def quiet_tail(start_ms, n=5, u0=101):
    """Depth updates away from the touch, so a run has time after the interesting part."""
    return [(start_ms + 10 * k, depth(u0 + k, asks=[("150.00", str(k + 1))])) for k in range(n)]


@pytest.fixture(scope="module")
def momentum_runs(tmp_path_factory):
    if not have_data():
        pytest.skip("../shared/data not found (it is always present in CI)")
    tmp = tmp_path_factory.mktemp("momentum")
    a, b, s = tmp / "agent-a", tmp / "agent-b", tmp / "strategy"
    backtest(a, SPOT[:1], agent=MOMENTUM)
    backtest(b, SPOT[:1], agent=MOMENTUM)
    backtest(s, SPOT[:1], strategy="momentum")
    return a, b, s


def test_the_momentum_agent_backtests_unchanged_and_deterministically(momentum_runs):
    a, b, s = momentum_runs
    assert (a / "report.json").read_bytes() == (b / "report.json").read_bytes(), "two runs of the same agent over the same data differ"
    r = report(a)
    assert "the backtest's data ended" in (a / "agent.log").read_text(), (a / "agent.log").read_text()[-2000:]
    assert r["replay"]["data_ended"] is True and r["replay"]["frames"] == 41249 and r["replay"]["decode_errors"] == 0
    assert r["replay"]["steps"] > 1000 and r["trades"]["count"] > 10 and r["orders"] > 5
    # The built-in strategy is the same rule in the gateway's process: the same fills, so the
    # lockstep hands the agent exactly the updates, in the order, the engine saw.
    assert report(s)["fills"]["rows"] == r["fills"]["rows"] and report(s)["pnl"] == r["pnl"]
    # The figures follow from the fills and the equity curve.
    rows = r["fills"]["rows"]
    assert D(r["fees"]) == sum(D(f[5]) for f in rows)
    assert D(r["turnover"]) == sum((D(f[3]) * D(f[4])).quantize(D("0.00000001")) for f in rows)
    assert r["trades"]["buys"] == sum(1 for f in rows if f[2] == "buy")
    curve = r["equity_curve"]["rows"]
    assert len(curve) > 100 and D(r["final_equity"]) == D(curve[-1][1]) and D(r["pnl"]) == D(r["final_equity"]) - D(r["starting_equity"])
    peak, worst = None, D(0)
    for t, eq, pos, dd in curve:
        peak = D(eq) if peak is None else max(peak, D(eq))
        assert D(dd) == peak - D(eq)
        worst = max(worst, peak - D(eq))
    assert D(r["max_drawdown"]) == worst
    times = [row[0] for row in curve]
    # One sample per 1 s boundary crossed (at the first frame after it), plus the start and the end.
    buckets = [t // 1_000_000 for t in times[1:-1]]
    assert times == sorted(times) and buckets == sorted(set(buckets))
    assert r["sharpe"]["value"] is not None and "annualised" in r["sharpe"]["basis"]


def test_the_html_report_renders_in_headless_chromium(momentum_runs, tmp_path):
    a, _, _ = momentum_runs
    r = report(a)
    html = (a / "report.html").read_text()
    # Self-contained: nothing to fetch (the SVG namespace is a name, not a request).
    assert "<script" not in html and not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    for chart in ("equity", "drawdown", "position"):
        m = re.search(rf'<polyline id="{chart}"[^>]* points="([^"]*)"', html)
        assert m, chart
        assert len(m.group(1).split()) == len(r["equity_curve"]["rows"]), f"{chart}: one point per equity sample"
    browser = shutil.which("chromium-headless-shell") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "headless Chromium is missing: `make test` installs chromium-headless-shell"
    shot = tmp_path / "report.png"
    p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
                        "--window-size=1000,1100", (a / "report.html").as_uri()], capture_output=True, timeout=120)
    assert shot.exists(), p.stderr.decode()[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1000, 1100) and len(png) > 20_000, (width, height, len(png))


def test_a_resting_bid_waits_for_the_queue_ahead_of_it(tmp_path):
    """Behind 5 units at 100: trades of 2 + 2 + 0.9 at 100 leave it unfilled; the next 0.3 fills
    0.2 of it (0.1 was still ahead), then 1 fills the rest. A second order behind 5 moves up when
    3 of them cancel (the level drops to 2 with no trade)."""
    rec = recording(tmp_path / "queue.txt", [
        (0, SNAPSHOT),
        (10, trade(1, "100.00", "2")), (11, depth(101, bids=[("100.00", "3")])),
        (20, trade(2, "100.00", "2")), (21, depth(102, bids=[("100.00", "1")])),
        (30, trade(3, "100.00", "0.9")), (31, depth(103, bids=[("100.00", "0.1")])),
        (35, trade(4, "100.00", "5", seller_aggressor=False)),      # a buyer lifting: never fills a bid
        (40, trade(5, "100.00", "0.3")), (41, depth(104, bids=[("100.00", "0")])),
        (50, trade(6, "100.00", "1")),
        # the second order: joins behind 5 at 99 (3 + 2 new), then 3 cancel
        (60, depth(105, bids=[("99.00", "5")])),
        (70, depth(106, bids=[("99.00", "2")])),
        (80, trade(7, "99.00", "1.5")), (90, trade(8, "99.00", "1")),
        *quiet_tail(100, u0=107),
    ])
    agent = script(tmp_path, "queue", """
r = c.call("place_signal", intent_id="q-1", instrument="binance:BTC-USDT", side="buy", quantity="1", limit_price="100")
assert r["status"] == "open", r
c.step(until_us=%d)                       # after the level at 99 shows 5
r2 = c.call("place_signal", intent_id="q-2", instrument="binance:BTC-USDT", side="buy", quantity="1", limit_price="99")
assert r2["status"] == "open", r2
try:
    while True:
        c.step()
except BacktestFinished:
    pass
dump({})
""" % ((T0 // 1000) + 65_000))
    backtest(tmp_path / "out", [rec], agent=agent, extra=["--maker-fee-bps", "0"], env={"DUMP": str(tmp_path / "dump.json")})
    validate_dump(tmp_path / "dump.json")
    rows = report(tmp_path / "out")["fills"]["rows"]
    got = [((t - T0 // 1000) // 1000, side, D(px), D(q), liq) for t, _, side, px, q, _, liq in rows]
    assert got == [(40, "buy", D(100), D("0.2"), "maker"), (50, "buy", D(100), D("0.8"), "maker"),
                   # behind 2 after the cancels: 1.5 traded, then 1 (0.5 of it left for us)
                   (90, "buy", D(99), D("0.5"), "maker")], got


def test_order_latency_passes_in_simulated_time(tmp_path):
    frames = [(0, SNAPSHOT)] + [(10 * k, depth(100 + k, asks=[("103.00", str(k))])) for k in range(1, 40)]
    # The ask at 101 goes at 60 ms: a market buy sent at 0 ms with 50 ms of latency still gets 101
    # (the venue sees it at 50 ms), one with 70 ms gets 102.
    frames[6] = (60, depth(106, asks=[("101.00", "0")]))
    rec = recording(tmp_path / "lat.txt", frames)
    agent = script(tmp_path, "lat", """
t0 = c.call("ping")["server_ts_us"]
r = c.call("place_signal", intent_id="l-1", instrument="binance:BTC-USDT", side="buy", quantity="0.5")
t1 = c.call("ping")["server_ts_us"]
dump({"t0": t0, "t1": t1, "result": r})
""")
    seen = {}
    for ms in (0, 50, 70):
        out = tmp_path / f"lat-{ms}"
        backtest(out, [rec], agent=agent, extra=["--latency-ms", str(ms)], env={"DUMP": str(tmp_path / f"dump-{ms}.json")})
        d = validate_dump(tmp_path / f"dump-{ms}.json")
        assert d["t1"] - d["t0"] == ms * 1000, (ms, d["t0"], d["t1"])
        assert d["result"]["status"] == "filled", d["result"]
        seen[ms] = D(d["result"]["average_price"])
        assert report(out)["fills"]["rows"][0][0] == d["t0"] + ms * 1000
    assert seen == {0: D(101), 50: D(101), 70: D(102)}, seen


def test_agents_that_leave_early_bad_usage_and_live_gateways(tmp_path, server):
    rec = recording(tmp_path / "short.txt", [(0, SNAPSHOT), *quiet_tail(10)])
    p = backtest(tmp_path / "early", [rec], agent="true")
    r = report(tmp_path / "early")
    assert r["replay"]["data_ended"] is False and r["trades"]["count"] == 0 and json.loads(p.stdout)["data_ended"] is False
    p = backtest(tmp_path / "fail", [rec], agent="exit 3", check=False)
    assert p.returncode == 1 and b"exited with status 3" in p.stderr and (tmp_path / "fail" / "report.json").exists()
    p = backtest(tmp_path / "x", [tmp_path / "missing.gz"], agent="true", check=False)
    assert p.returncode != 0 and b"cannot open recording" in p.stderr
    p = backtest(tmp_path / "x", [rec], agent="true", strategy="momentum", check=False)
    assert p.returncode != 0 and b"exactly one of --agent" in p.stderr
    p = backtest(tmp_path / "x", [rec], strategy="nope", check=False)
    assert p.returncode != 0 and b"unknown strategy" in p.stderr
    p = backtest(tmp_path / "x", [tmp_path / "short.txt"], agent="true", extra=["--venue", "kraken"], check=False)
    assert p.returncode != 0 and b"not implemented" in p.stderr
    # A recording that never gives a book.
    p = backtest(tmp_path / "x", [recording(tmp_path / "nobook.txt", quiet_tail(0))], agent="true", check=False)
    assert p.returncode != 0 and b"verified book" in p.stderr
    # A bad step and a gateway on live time.
    agent = script(tmp_path, "bad", """
bad = c.request("backtest.step", {"until_us": "soon"})
dump({"bad": bad})
""")
    backtest(tmp_path / "bad", [rec], agent=agent, env={"DUMP": str(tmp_path / "bad.json")})
    assert validate_dump(tmp_path / "bad.json")["bad"]["error"]["code"] == -32602
    c = server.client()
    e = c.request("backtest.step", {})
    assert e["error"]["data"]["code"] == "not_backtesting" and e["error"]["code"] == -32016


def test_a_recorded_paper_session_replays_to_the_same_fills(tmp_path):
    """Live: `serve --record` trades paper on the mock Binance feed (the real depth recording).
    The stream pauses at frame 1000, orders go in (a market buy that walks the book, resting bids
    at and below the touch, a resting ask), the rest streams and fills them. Replay: a backtest
    agent places the same orders at the same simulated times over that recording. The fills are
    the same — ids, sides, prices, quantities, fees, liquidity and, for resting orders, times."""
    if not have_data():
        pytest.skip("../shared/data not found (it is always present in CI)")
    m = MockVenues().start()
    rec = tmp_path / "rec"
    try:
        m.bn_checkpoints = {1000}
        s = Server(extra_args=["--record", str(rec)], config=m.config(venues=("binance",)))
        try:
            c = s.client()
            deadline = time.time() + 30
            while m.bn_paused_at != 1000 and time.time() < deadline:
                time.sleep(0.01)
            assert m.bn_paused_at == 1000
            _, last = m.bn_book_at(1001)
            deadline = time.time() + 30
            book = None
            while time.time() < deadline:
                r = c.request("get_book", {"instrument": "binance:BTC-USDT", "depth": 5})
                book = r.get("result")
                if book and book["freshness"]["verified"] and book["freshness"]["sequence"] == last:
                    break
                time.sleep(0.02)
            assert book and book["freshness"]["sequence"] == last, book
            bid, ask = D(book["bids"][0][0]), D(book["asks"][0][0])
            tick = D("0.01")
            plan = [
                dict(intent_id="p-mkt", instrument="binance:BTC-USDT", side="buy", quantity="0.3"),
                dict(intent_id="p-bid", instrument="binance:BTC-USDT", side="buy", quantity="0.2", limit_price=str(bid)),
                dict(intent_id="p-low", instrument="binance:BTC-USDT", side="buy", quantity="0.1", limit_price=str(bid - 50 * tick)),
                dict(intent_id="p-ask", instrument="binance:BTC-USDT", side="sell", quantity="0.25", limit_price=str(ask + 5 * tick)),
            ]
            for o in plan:
                r = c.call("place_signal", **o)
                assert r["status"] in ("filled", "open", "partially_filled"), r
            orders = {o["intent_id"]: o for o in c.call("get_orders", status="all")["orders"]}
            m.bn_resume.set()
            deadline = time.time() + 60
            _, final = m.bn_book_at(len(m.bn_frames))
            while time.time() < deadline:
                b = c.call("get_book", instrument="binance:BTC-USDT", depth=1)
                if m.bn_pos >= len(m.bn_frames) and b["freshness"]["sequence"] == final:
                    break
                time.sleep(0.05)
            assert b["freshness"]["sequence"] == final
            live = c.call("get_fills", limit=1000)["fills"][::-1]      # oldest first
        finally:
            assert s.stop() == 0
    finally:
        m.stop()
    assert len(live) >= 3 and {f["liquidity"] for f in live} == {"maker", "taker"}, live
    files = sorted(rec.glob("binance-*.gz"))
    assert files and json.loads((rec / "manifest.json").read_text())["venues"] == {"binance": ["BTCUSDT"]}
    timed = [dict(params=o, at_us=orders[o["intent_id"]]["created_ts_us"]) for o in plan]
    (tmp_path / "plan.json").write_text(json.dumps(timed))
    agent = script(tmp_path, "parity", f"""
for o in json.load(open({str(tmp_path / 'plan.json')!r})):
    c.step(until_us=o["at_us"])
    c.call("place_signal", **o["params"])
try:
    while True:
        c.step()
except BacktestFinished:
    pass
dump({{}})
""")
    backtest(tmp_path / "out", files, agent=agent, env={"DUMP": str(tmp_path / "dump.json")})
    validate_dump(tmp_path / "dump.json")
    r = report(tmp_path / "out")
    assert r["replay"]["decode_errors"] == 0 and r["replay"]["data_ended"] is True
    replayed = [(oid, side, D(px), D(q), D(fee), liq, t if liq == "maker" else None) for t, oid, side, px, q, fee, liq in r["fills"]["rows"]]
    seen = [(f["order_id"], f["side"], D(f["price"]), D(f["quantity"]), D(f["fee"]), f["liquidity"], f["ts_us"] if f["liquidity"] == "maker" else None)
            for f in live]
    assert replayed == seen
