"""A local mock of Binance, OKX and Bybit market data (WebSocket + REST on one 127.0.0.1 port),
replaying the real recordings in ../shared/data, with switchable faults. Also the reference book
the tests compare the gateway against (plain dicts of Decimal, independent of the Swift code)."""
import asyncio
import json
import pathlib
import threading
import zlib
from decimal import Decimal
from http import HTTPStatus

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def have_data() -> bool:
    return (DATA / "binance" / "spot_btcusdt_depth_updates.jsonl").exists()


class RefBook:
    """Reference L2 book: price text -> size text per side, ordered on demand."""

    def __init__(self):
        self.bids: dict = {}
        self.asks: dict = {}

    def apply(self, bids, asks):
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for lv in levels:
                p, q = lv[0], lv[1]
                if Decimal(q) == 0:
                    side.pop(Decimal(p), None)
                else:
                    side[Decimal(p)] = (p, q)

    def top(self, n):
        b = sorted(self.bids.items(), key=lambda kv: -kv[0])[:n]
        a = sorted(self.asks.items(), key=lambda kv: kv[0])[:n]
        return [(k, Decimal(v[1])) for k, v in b], [(k, Decimal(v[1])) for k, v in a]

    def levels(self):
        b = sorted(self.bids.items(), key=lambda kv: -kv[0])
        a = sorted(self.asks.items(), key=lambda kv: kv[0])
        return [[v[0], v[1]] for _, v in b], [[v[0], v[1]] for _, v in a]

    def okx_checksum(self):
        b, a = self.levels()
        parts = []
        for i in range(25):
            if i < len(b):
                parts += b[i]
            if i < len(a):
                parts += a[i]
        crc = zlib.crc32(":".join(parts).encode())
        return crc - (1 << 32) if crc >= (1 << 31) else crc


def http(status, body: str):
    return Response(status.value, status.phrase, Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body.encode())))]), body.encode())


class MockVenues:
    """Serves all three venues. Faults are attributes the test sets before or during the run."""

    def __init__(self):
        self.lock = threading.Lock()
        # Binance
        self.bn_snapshot = json.loads((DATA / "binance/spot_btcusdt_snapshot.json").read_text())
        self.bn_frames = (DATA / "binance/spot_btcusdt_depth_updates.jsonl").read_text().splitlines()
        self.bn_events = [json.loads(l) for l in self.bn_frames]
        self.bn_pos = 0                 # next frame to send
        self.bn_checkpoints: set = set()
        self.bn_paused_at = None
        self.bn_resume = threading.Event()
        self.bn_close_after = None      # close the socket after sending this frame index (once)
        self.bn_drop = None             # skip this frame index (once)
        self.bn_snapshot_failures = 0   # answer this many snapshot requests with 503
        self.bn_silent_after = None     # stop sending (socket stays open) after this index (once)
        self.bn_connections = 0
        self.bn_snapshot_requests = 0
        self.bn_trades = (DATA / "binance/spot_btcusdt_trade_sample.jsonl").read_text().splitlines()
        # OKX
        self.okx_frames = (DATA / "okx/cryptofeed_books_2022-05-13.jsonl").read_text().splitlines()
        self.okx_connections = 0
        self.okx_corrupt_index = None   # corrupt one size in this frame (once): checksum must fail
        self.okx_resubscribes = 0
        self.okx_extra: list = []       # frames sent after the recording
        self.okx_checkpoints: set = set()
        self.okx_paused_at = None
        self.okx_resume = threading.Event()
        # Bybit
        self.bybit_frames = (DATA / "bybit/2024-12-01_XRPUSDT_ob500.jsonl").read_text().splitlines()
        self.bybit_extra: list = []
        self.bybit_checkpoints: set = set()
        self.bybit_paused_at = None
        self.bybit_resume = threading.Event()
        self.bybit_connections = 0
        self.loop = None
        self.port = None
        self.done = threading.Event()

    # ---- Binance reference state at a stream position ----
    def bn_book_at(self, pos):
        """The book after frames[:pos] (frames older than the snapshot are already in it)."""
        ref = RefBook()
        ref.apply(self.bn_snapshot["bids"], self.bn_snapshot["asks"])
        last = self.bn_snapshot["lastUpdateId"]
        for ev in self.bn_events[:pos]:
            if ev["u"] > self.bn_snapshot["lastUpdateId"]:
                ref.apply(ev["b"], ev["a"])
                last = ev["u"]
        return ref, last

    def bn_snapshot_body(self):
        with self.lock:
            pos = self.bn_pos
        ref, last = self.bn_book_at(pos)
        b, a = ref.levels()
        return json.dumps({"lastUpdateId": last, "bids": b[:1000], "asks": a[:1000]})

    # ---- HTTP ----
    def process_request(self, connection, request):
        path = request.path
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        if path.startswith("/api/v3/depth"):
            with self.lock:
                self.bn_snapshot_requests += 1
                if self.bn_snapshot_failures > 0:
                    self.bn_snapshot_failures -= 1
                    return http(HTTPStatus.SERVICE_UNAVAILABLE, '{"code":-1,"msg":"unavailable"}')
            return http(HTTPStatus.OK, self.bn_snapshot_body())
        if path.startswith("/api/v3/exchangeInfo"):
            return http(HTTPStatus.OK, json.dumps({"symbols": [{"symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "quoteAsset": "USDT", "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000.00", "tickSize": "0.01000000"},
                {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
                {"filterType": "NOTIONAL", "minNotional": "5.00000000"}]}]}))
        if path.startswith("/api/v5/public/instruments"):
            data = [{"instId": i, "instType": "SPOT", "baseCcy": i.split("-")[0], "quoteCcy": i.split("-")[1], "tickSz": "0.1" if i != "UNI-USD-SWAP" else "0.001", "lotSz": "0.00000001" if i == "BTC-USDT" else "1"}
                    for i in ("BTC-USDT", "BTC-USD-220527", "UNI-USD-SWAP")]
            return http(HTTPStatus.OK, json.dumps({"code": "0", "data": data}))
        if path.startswith("/v5/market/instruments-info"):
            return http(HTTPStatus.OK, json.dumps({"retCode": 0, "result": {"category": "linear", "list": [
                {"symbol": "XRPUSDT", "baseCoin": "XRP", "quoteCoin": "USDT", "priceFilter": {"tickSize": "0.0001"}, "lotSizeFilter": {"qtyStep": "1", "minNotionalValue": "5"}}]}}))
        return http(HTTPStatus.NOT_FOUND, '{"error":"not found"}')

    # ---- WebSocket ----
    async def handler(self, ws):
        path = ws.request.path
        try:
            if path.startswith("/stream"):
                await self.binance(ws)
            elif path.startswith("/ws/v5/public"):
                await self.okx(ws)
            elif path.startswith("/v5/public"):
                await self.bybit(ws)
        except Exception:
            pass

    async def binance(self, ws):
        with self.lock:
            self.bn_connections += 1
        while True:
            with self.lock:
                pos = self.bn_pos
            if pos >= len(self.bn_frames):
                await asyncio.sleep(0.05)   # hold the socket open, like a quiet market
                continue
            if self.bn_silent_after is not None and pos > self.bn_silent_after:
                self.bn_silent_after = None
                await asyncio.sleep(3600)   # silent but open: the client's idle timeout must fire
            if self.bn_drop == pos:
                self.bn_drop = None
                with self.lock:
                    self.bn_pos += 1
                continue
            await ws.send('{"stream":"btcusdt@depth@100ms","data":' + self.bn_frames[pos] + "}")
            if pos % 100 == 0 and pos // 100 < len(self.bn_trades):
                await ws.send('{"stream":"btcusdt@trade","data":' + self.bn_trades[pos // 100] + "}")
            with self.lock:
                self.bn_pos += 1
            if pos % 200 == 0:
                await asyncio.sleep(0)
            if pos in self.bn_checkpoints:
                self.bn_paused_at = pos
                while not self.bn_resume.is_set():
                    await asyncio.sleep(0.01)
                self.bn_resume.clear()
                self.bn_paused_at = None
            if self.bn_close_after == pos:
                self.bn_close_after = None
                await ws.close()
                return

    async def okx(self, ws):
        with self.lock:
            self.okx_connections += 1
        ref = {}
        streaming = None

        async def stream():
            for k, line in enumerate(self.okx_frames + self.okx_extra):
                m = json.loads(line)
                inst = m["arg"]["instId"]
                d = m["data"][0]
                if m["action"] == "snapshot":
                    ref[inst] = RefBook()
                ref[inst].apply(d["bids"], d["asks"])
                if self.okx_corrupt_index == k:
                    self.okx_corrupt_index = None
                    lv = json.loads(json.dumps((d["asks"] or d["bids"])[0]))
                    bad = json.loads(line)
                    side = "asks" if d["asks"] else "bids"
                    bad["data"][0][side][0][1] = str(Decimal(lv[1]) + 1)
                    before = self.okx_resubscribes
                    await ws.send(json.dumps(bad))
                    # The client must resubscribe; hold the stream until it has.
                    for _ in range(1000):
                        await asyncio.sleep(0.01)
                        if self.okx_resubscribes > before:
                            break
                    continue
                await ws.send(line)
                if k % 20 == 0:
                    await asyncio.sleep(0.001)
                if k in self.okx_checkpoints:
                    self.okx_paused_at = k
                    while not self.okx_resume.is_set():
                        await asyncio.sleep(0.01)
                    self.okx_resume.clear()
                    self.okx_paused_at = None

        async for msg in ws:
            if msg == "ping":
                await ws.send("pong")
                continue
            req = json.loads(msg)
            if req.get("op") != "subscribe":
                continue
            await ws.send(json.dumps({"event": "subscribe", "arg": req["args"][0]}))
            if streaming is None:
                streaming = asyncio.create_task(stream())
                continue
            # A resubscription: a fresh snapshot of the current book, with a valid checksum.
            self.okx_resubscribes += 1
            for a in req["args"]:
                if a["channel"] != "books" or a["instId"] not in ref:
                    continue
                r = ref[a["instId"]]
                b, s = r.levels()
                await ws.send(json.dumps({"arg": a, "action": "snapshot", "data": [{"asks": [x + ["0", "1"] for x in s], "bids": [x + ["0", "1"] for x in b], "ts": "1652459200000", "checksum": r.okx_checksum()}]}))

    async def bybit(self, ws):
        with self.lock:
            self.bybit_connections += 1
        first = True
        async for msg in ws:
            req = json.loads(msg)
            if req.get("op") == "ping":
                await ws.send(json.dumps({"success": True, "ret_msg": "pong", "conn_id": "m", "op": "ping"}))
                continue
            if req.get("op") != "subscribe":
                continue
            await ws.send(json.dumps({"success": True, "ret_msg": "", "conn_id": "m", "op": "subscribe"}))
            if req.get("args") and not any(a.startswith("orderbook.") for a in req["args"]):
                continue
            for k, line in enumerate(self.bybit_frames):
                await ws.send(line)
                if first and k in self.bybit_checkpoints:
                    self.bybit_paused_at = k
                    while not self.bybit_resume.is_set():
                        await asyncio.sleep(0.01)
                    self.bybit_resume.clear()
                    self.bybit_paused_at = None
            if first:
                first = False
                for f in self.bybit_extra:
                    await ws.send(f)

    # ---- lifecycle ----
    def start(self):
        ready = threading.Event()

        def run():
            async def main():
                self.loop = asyncio.get_running_loop()
                async with serve(self.handler, "127.0.0.1", 0, process_request=self.process_request, max_size=None) as server:
                    self.port = server.sockets[0].getsockname()[1]
                    ready.set()
                    while not self.done.is_set():
                        await asyncio.sleep(0.05)
            asyncio.run(main())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10), "mock venue did not start"
        return self

    def stop(self):
        self.done.set()
        self.bn_resume.set()
        self.okx_resume.set()
        self.bybit_resume.set()
        self.thread.join(timeout=10)

    def config(self, venues=("binance", "okx", "bybit"), idle_ms=5000, backoff_ms=100):
        out = []
        base = f"127.0.0.1:{self.port}"
        if "binance" in venues:
            out.append(f'[venues.binance]\nenabled = true\nws_url = "ws://{base}"\nrest_url = "http://{base}"\nsymbols = ["BTCUSDT"]\n'
                       f"idle_timeout_ms = {idle_ms}\nbackoff_min_ms = {backoff_ms}\nbackoff_max_ms = 1000\n")
        if "okx" in venues:
            out.append(f'[venues.okx]\nenabled = true\nws_url = "ws://{base}/ws/v5/public"\nrest_url = "http://{base}"\nsymbols = ["BTC-USDT", "BTC-USD-220527", "UNI-USD-SWAP"]\n'
                       f"idle_timeout_ms = {idle_ms}\nheartbeat_ms = 500\nbackoff_min_ms = {backoff_ms}\nbackoff_max_ms = 1000\n")
        if "bybit" in venues:
            out.append(f'[venues.bybit]\nenabled = true\ncategory = "linear"\nws_url = "ws://{base}/v5/public/linear"\nrest_url = "http://{base}"\nsymbols = ["XRPUSDT"]\n'
                       f"idle_timeout_ms = {idle_ms}\nheartbeat_ms = 500\nbackoff_min_ms = {backoff_ms}\nbackoff_max_ms = 1000\n")
        return "\n".join(out)
