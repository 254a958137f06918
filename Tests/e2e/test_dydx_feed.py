"""dYdX v4 market data through the real binary: a mock Indexer (REST `perpetualMarkets`, WebSocket
`v4_orderbook` and `v4_trades` as documented: snapshot in `subscribed`, absolute sizes in
`channel_data`/`channel_batch_data`, "0" removes) streams a generated book; the gateway's book must
equal an independent reference, a crossed update must be resubscribed, a dropped socket rebuilt."""
import asyncio
import json
import random
import time
from decimal import Decimal as D

from aiohttp import WSMsgType, web

from conftest import Server, validate_client
from mock_exchange import LoopThread

MARKETS = {
    "BTC-USD": {"clobPairId": "0", "ticker": "BTC-USD", "status": "ACTIVE", "atomicResolution": -10, "quantumConversionExponent": -9,
                "stepBaseQuantums": 1000000, "subticksPerTick": 100000, "tickSize": "1", "stepSize": "0.0001", "oraclePrice": "65000"},
    "ETH-USD": {"clobPairId": "1", "ticker": "ETH-USD", "status": "ACTIVE", "atomicResolution": -9, "quantumConversionExponent": -9,
                "stepBaseQuantums": 1000000, "subticksPerTick": 100000, "tickSize": "0.1", "stepSize": "0.001", "oraclePrice": "3450"},
}


class MockIndexer:
    def __init__(self, seed=5):
        self.rng = random.Random(seed)
        self.books = {t: self.fresh(t) for t in MARKETS}       # the venue's current book: {"bids": {px: sz}, "asks": {...}}
        self.last_id = {}                                      # ticker -> message_id of the last book message sent
        self.finished = {}                                     # ticker -> that id once a subscription's burst is all sent
        self.subscribes = {t: 0 for t in MARKETS}
        self.connections = 0
        self.sockets = []
        self.trades_sent = []
        self.lt = LoopThread(self.app)

    def fresh(self, t):
        mid = D(MARKETS[t]["oraclePrice"])
        tick = D(MARKETS[t]["tickSize"])
        return {"bids": {str(mid - tick * k): str(D(self.rng.randint(1, 500)) / 1000) for k in range(1, 30)},
                "asks": {str(mid + tick * k): str(D(self.rng.randint(1, 500)) / 1000) for k in range(1, 30)}}

    def app(self):
        a = web.Application()
        a.router.add_get("/v4/perpetualMarkets", lambda r: web.json_response({"markets": MARKETS}))
        a.router.add_get("/v4/ws", self.ws)
        return a

    def start(self):
        self.lt.start()
        self.url = f"http://127.0.0.1:{self.lt.port}/v4"
        self.ws_url = f"ws://127.0.0.1:{self.lt.port}/v4/ws"
        return self

    def stop(self):
        self.lt.stop()

    def update(self, t):
        """A random change at one or more levels; absolute sizes, "0" removes."""
        book = self.books[t]
        tick = D(MARKETS[t]["tickSize"])
        bids, asks = [], []
        best_bid = max(D(p) for p in book["bids"]) if book["bids"] else D(MARKETS[t]["oraclePrice"]) - tick
        best_ask = min(D(p) for p in book["asks"]) if book["asks"] else D(MARKETS[t]["oraclePrice"]) + tick
        for _ in range(self.rng.randint(1, 3)):
            side = self.rng.choice(["bids", "asks"])
            if side == "bids":
                px = best_bid - tick * self.rng.randint(0, 40)
            else:
                px = best_ask + tick * self.rng.randint(0, 40)
            key = str(px)
            if key in book[side] and self.rng.random() < 0.4:
                size = "0"
                del book[side][key]
            else:
                size = str(D(self.rng.randint(1, 900)) / 1000)
                book[side][key] = size
            (bids if side == "bids" else asks).append([key, size])
        return {"bids": bids, "asks": asks} if bids and asks else ({"bids": bids} if bids else {"asks": asks})

    async def ws(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        self.connections += 1
        self.sockets.append(ws)
        mid = 0

        async def send(obj):
            nonlocal mid
            mid += 1
            obj["message_id"] = mid
            obj["connection_id"] = "c1"
            await ws.send_str(json.dumps(obj))
            return mid
        await send({"type": "connected"})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                m = json.loads(msg.data)
                if m.get("type") == "ping":
                    await send({"type": "pong"})
                    continue
                t, ch = m.get("id"), m.get("channel")
                if m.get("type") == "unsubscribe":
                    await send({"type": "unsubscribed", "channel": ch, "id": t})
                    continue
                if m.get("type") != "subscribe" or t not in MARKETS:
                    await send({"type": "error", "message": f"Invalid subscribe message: {msg.data}"})
                    continue
                if ch == "v4_trades":
                    await send({"type": "subscribed", "channel": ch, "id": t, "contents": {"trades": []}})
                    trade = {"id": f"{t}-t1", "side": "SELL", "size": "0.25", "price": MARKETS[t]["oraclePrice"], "createdAt": "2026-12-01T00:00:00Z", "type": "LIMIT"}
                    self.trades_sent.append(trade)
                    await send({"type": "channel_data", "channel": ch, "id": t, "version": "2.1.0", "contents": {"trades": [trade]}})
                    continue
                self.subscribes[t] += 1
                self.finished[t] = None
                book = self.books[t]
                self.last_id[t] = await send({"type": "subscribed", "channel": ch, "id": t, "contents": {
                    "bids": [{"price": p, "size": s} for p, s in book["bids"].items()], "asks": [{"price": p, "size": s} for p, s in book["asks"].items()]}})
                for k in range(120):
                    if k % 10 == 9:
                        batch = [self.update(t) for _ in range(3)]
                        self.last_id[t] = await send({"type": "channel_batch_data", "channel": ch, "id": t, "version": "1.0.0", "contents": batch})
                    else:
                        self.last_id[t] = await send({"type": "channel_data", "channel": ch, "id": t, "version": "1.0.0", "contents": self.update(t)})
                    if k % 20 == 0:
                        await asyncio.sleep(0)
                self.finished[t] = self.last_id[t]
        except Exception:
            pass
        return ws

    def cross(self, t):
        """One crossed update (a bid above the best ask), as the Indexer's optimistic view can show."""
        async def go():
            ask = min(D(p) for p in self.books[t]["asks"])
            for ws in self.sockets:
                if not ws.closed:
                    await ws.send_str(json.dumps({"type": "channel_data", "channel": "v4_orderbook", "id": t, "message_id": 10**6,
                                                  "contents": {"bids": [[str(ask + 5), "1"]]}}))
        self.lt.call(lambda: asyncio.ensure_future(go()))

    def drop(self):
        async def go():
            for ws in self.sockets:
                await ws.close()
        self.lt.call(lambda: asyncio.ensure_future(go()))

    def top(self, t, n=20):
        b = self.books[t]
        bids = sorted(((D(p), D(s)) for p, s in b["bids"].items()), reverse=True)[:n]
        asks = sorted((D(p), D(s)) for p, s in b["asks"].items())[:n]
        return bids, asks


def wait_book(c, inst, pred, timeout=20):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        r = c.request("get_book", {"instrument": inst, "depth": 20})
        last = r.get("result")
        if last and pred(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"{inst}: {last and last['freshness']}")


def levels(side):
    return [(D(p), D(q)) for p, q in side]


def test_dydx_indexer_books_trades_resubscribe_and_reconnect():
    m = MockIndexer().start()
    try:
        s = Server(config=f'[venues.dydx]\nenabled = true\nws_url = "{m.ws_url}"\nrest_url = "{m.url}"\nsymbols = ["BTC-USD", "ETH-USD"]\n'
                          f'backoff_min_ms = 50\nbackoff_max_ms = 200\n')
        try:
            c = s.client()
            # The markets load from the Indexer after start: wait for them (at most 10 s).
            deadline = time.time() + 10
            while True:
                insts = {i["id"]: i for i in c.call("list_instruments", venue="dydx")["instruments"]}
                if insts or time.time() > deadline:
                    break
                time.sleep(0.05)
            assert set(insts) == {"dydx:BTC-USD-PERP", "dydx:ETH-USD-PERP"}
            assert D(insts["dydx:BTC-USD-PERP"]["tick_size"]) == 1 and D(insts["dydx:ETH-USD-PERP"]["lot_size"]) == D("0.001")
            trades = c.subscribe("trades", instrument="dydx:BTC-USD-PERP")
            for t, inst in (("BTC-USD", "dydx:BTC-USD-PERP"), ("ETH-USD", "dydx:ETH-USD-PERP")):
                b = wait_book(c, inst, lambda b, t=t: b["freshness"]["verified"] and b["freshness"]["sequence"] == m.finished.get(t))
                bids, asks = m.top(t)
                assert levels(b["bids"]) == bids and levels(b["asks"]) == asks
            # A crossed update: the book is dropped and rebuilt from a fresh snapshot.
            m.cross("BTC-USD")
            deadline = time.time() + 20
            while time.time() < deadline and m.subscribes["BTC-USD"] < 2:
                time.sleep(0.05)
            assert m.subscribes["BTC-USD"] == 2
            b = wait_book(c, "dydx:BTC-USD-PERP", lambda b: b["freshness"]["verified"] and b["freshness"]["sequence"] == m.finished.get("BTC-USD"))
            assert levels(b["bids"]) == m.top("BTC-USD")[0]
            feed = next(f for f in c.call("get_health")["feeds"] if f["venue"] == "dydx")
            assert feed["resyncs"] >= 1
            # The socket drops: reconnect, resubscribe, rebuild.
            m.drop()
            deadline = time.time() + 20
            while time.time() < deadline and m.connections < 2:
                time.sleep(0.05)
            assert m.connections >= 2
            b = wait_book(c, "dydx:ETH-USD-PERP", lambda b: b["freshness"]["verified"] and b["freshness"]["sequence"] == m.finished.get("ETH-USD"))
            assert levels(b["asks"]) == m.top("ETH-USD")[1]
            # The reconnection's trades channel printed a trade after our subscription: it arrives as the venue printed it.
            got = trades.get(timeout=10)["data"]
            assert D(got["price"]) == 65000 and D(got["quantity"]) == D("0.25") and got["aggressor"] == "sell" and got["instrument"] == "dydx:BTC-USD-PERP"
            # Paper trading on the venue's book (mode = "paper", the default).
            r = c.call("place_signal", intent_id="dydx-paper-1", instrument="dydx:ETH-USD-PERP", side="buy", quantity="0.01")
            assert r["status"] == "filled" and D(r["average_price"]) == m.top("ETH-USD")[1][0][0]
        finally:
            for cl in s.clients:
                validate_client(cl)
            assert s.stop() == 0
    finally:
        m.stop()


def test_dydx_live_mode_without_key_or_node_is_refused_clearly():
    import subprocess
    from conftest import BIN
    import tempfile
    base = '[venues.dydx]\nenabled = true\nmode = "live"\nsymbols = ["BTC-USD"]\n'
    cases = [(base, "exactly one of key_env, key_file, mnemonic_env or mnemonic_file"),
             (base + 'key_env = "K"\nmnemonic_env = "M"\n', "exactly one of key_env"),
             (base + 'key_env = "K"\n', "needs node_url"),
             (base + 'key_env = "K"\nnode_url = "http://127.0.0.1:1"\ngood_til_blocks = 41\n', "good_til_blocks"),
             (base + 'key_env = "K"\nnode_url = "http://127.0.0.1:1"\nlimit_orders = "gtc"\n', "long_term"),
             (base + 'key_env = "MOCK_UNSET_DYDX_KEY"\nnode_url = "http://127.0.0.1:1"\n', "MOCK_UNSET_DYDX_KEY")]
    for cfg, want in cases:
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(cfg)
            f.flush()
            p = subprocess.run([BIN, "serve", "--stdio", "--config", f.name], capture_output=True, text=True, timeout=30, input="")
        assert p.returncode != 0 and want in p.stderr, (cfg, p.stderr[-500:])
