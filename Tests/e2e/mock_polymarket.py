"""A mock Polymarket on 127.0.0.1: Gamma market metadata, the CLOB REST face and the market and
user WebSocket channels, in the venue's wire formats (../shared/specs/polymarket.md,
../shared/specs/execution/polymarket.md).

The market channel replays the real message samples of ../shared/data/polymarket: the nautilus
`book` (76 bids / 86 asks) and the legacy single-level `price_change` of the same token, the
current `price_changes[]` form, `last_trade_price` and `tick_size_change` frames, each re-keyed
onto the two markets the mock lists (`REKEYED` says which). The other token of each market gets
the complement book (1 − price), which is the mock's own. `reference_books()` applies the frames
independently of the gateway."""
from __future__ import annotations

import asyncio
import json
import pathlib
import threading
import time
from decimal import Decimal as D

from aiohttp import WSMsgType, web

from mock_exchange import LoopThread

DATA = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data" / "polymarket"

# Market A: the nautilus book's own market and token (Yes); its No token is the one the
# nautilus last_trade_price sample names on the same market.
A_SLUG = "will-the-mock-market-resolve-yes"
A_CONDITION = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
A_YES = "48331043336612883890938759509493159234755048973500640148014422747788308965732"
A_NO = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
# Market B: the tardis samples' market (book with tick_size, two trades, a tick change); a
# neg-risk market in the mock. Its second token id is the mock's.
B_SLUG = "mock-negrisk-candidate-market"
B_CONDITION = "0x7d325e7050162fe19c7d4dba4583cae55d1661f8b71ff6945916b8ba284eaa51"
B_ONE = "50004092451487013519117521377876897159157506656261391593572775546589316505011"
B_TWO = "50004092451487013519117521377876897159157506656261391593572775546589316505012"


def _load(name):
    return json.loads((DATA / name).read_text())


def _tardis():
    return [json.loads(l) for l in (DATA / "tardis_ws_samples.jsonl").read_text().splitlines() if l.strip()]


def complement(levels):
    """The other token's side of a binary market: price 1 − p, same size."""
    return [{"price": str(D(1) - D(l["price"])), "size": l["size"]} for l in levels]


def market_frames():
    """The market-channel frames, in order (each a JSON string)."""
    book_a = _load("nautilus_ws_messages_book.json")
    t = _tardis()
    book_b = next(x for x in t if isinstance(x, dict) and x.get("event_type") == "book")
    frames = []
    books = [
        dict(book_a),
        {"event_type": "book", "asset_id": A_NO, "market": A_CONDITION, "timestamp": book_a["timestamp"],
         "bids": complement(book_a["asks"]), "asks": complement(book_a["bids"]), "hash": ""},
        dict(book_b),
        {"event_type": "book", "asset_id": B_TWO, "market": B_CONDITION, "timestamp": book_b["timestamp"],
         "bids": complement(book_b["asks"]), "asks": complement(book_b["bids"]), "hash": "", "tick_size": "0.01"},
    ]
    frames.append(json.dumps(books))                                    # the initial dump: an array of books
    frames.append(json.dumps(_load("nautilus_ws_messages_price_change.json")))  # legacy single level, on A_YES
    v2 = _load("nautilus_ws_messages_price_change_v2.json")
    for c in v2["price_changes"]:
        c["asset_id"] = B_ONE
    v2["market"] = B_CONDITION
    frames.append(json.dumps(v2))
    changes = [x for x in t if isinstance(x, dict) and x.get("event_type") == "price_change"]
    remap = {changes[0]["price_changes"][0]["asset_id"]: A_YES, changes[0]["price_changes"][1]["asset_id"]: A_NO}
    for pc in changes[:2]:
        pc = json.loads(json.dumps(pc))
        for c in pc["price_changes"]:
            c["asset_id"] = remap[c["asset_id"]]
        pc["market"] = A_CONDITION
        frames.append(json.dumps(pc))
    frames.append(json.dumps(_load("nautilus_ws_messages_last_trade_price.json")))  # on A_NO
    for x in t:
        if isinstance(x, dict) and x.get("event_type") in ("last_trade_price", "tick_size_change"):
            frames.append(json.dumps(x))                                # on B_ONE
    return frames


REKEYED = "price_changes[] (nautilus v2) onto B_ONE; the first two tardis price_change frames onto A_YES/A_NO"


def reference_books(frames=None):
    """token -> (bids {price: size}, asks {price: size}), applying the frames as the venue defines
    them: a book replaces, price_change sets absolute sizes (0 removes), BUY = bids."""
    books = {}
    for f in frames or market_frames():
        msg = json.loads(f)
        for m in msg if isinstance(msg, list) else [msg]:
            kind = m.get("event_type")
            if kind == "book":
                books[m["asset_id"]] = ({D(l["price"]): D(l["size"]) for l in m["bids"] if D(l["size"]) > 0},
                                        {D(l["price"]): D(l["size"]) for l in m["asks"] if D(l["size"]) > 0})
            elif kind == "price_change":
                for c in m.get("price_changes", [m]):
                    side = books[c["asset_id"]][0 if c["side"] == "BUY" else 1]
                    if D(c["size"]) == 0:
                        side.pop(D(c["price"]), None)
                    else:
                        side[D(c["price"])] = D(c["size"])
    return books


def gamma_market(slug, condition, tokens, outcomes, tick, neg_risk, min_size=5):
    return {"id": str(abs(hash(slug)) % 1000000), "slug": slug, "question": f"Mock question for {slug}?", "conditionId": condition,
            "outcomes": json.dumps(outcomes), "outcomePrices": json.dumps(["0.5"] * len(outcomes)), "clobTokenIds": json.dumps(tokens),
            "negRisk": neg_risk, "orderPriceMinTickSize": tick, "orderMinSize": min_size, "acceptingOrders": True, "enableOrderBook": True,
            "active": True, "closed": False, "secondsDelay": 0, "endDate": "2026-12-31T12:00:00Z"}


class MockPolymarket:
    """Gamma + CLOB + market/user channels. `version` is what GET /version answers (1 or 2)."""

    def __init__(self, version=2):
        self.version = version
        self.markets = {
            A_SLUG: gamma_market(A_SLUG, A_CONDITION, [A_YES, A_NO], ["Yes", "No"], 0.001, False),
            B_SLUG: gamma_market(B_SLUG, B_CONDITION, [B_ONE, B_TWO], ["Alice", "Bob"], 0.01, True),
        }
        self.frames = market_frames()
        self.market_sockets = 0
        self.subscribed: list = []
        self.pings = 0
        self.lock = threading.Lock()
        self.server = LoopThread(self.app)

    def start(self):
        self.server.start()
        return self

    def stop(self):
        self.server.stop()

    @property
    def port(self):
        return self.server.port

    def config(self, mode="paper", markets=None, extra=""):
        base = f"127.0.0.1:{self.port}"
        ms = markets or [A_SLUG, B_CONDITION]
        return (f'[venues.polymarket]\nenabled = true\nmode = "{mode}"\nmarkets = {json.dumps(ms)}\n'
                f'gamma_url = "http://{base}/gamma"\nrest_url = "http://{base}"\nws_url = "ws://{base}/ws/market"\n'
                f'ws_private_url = "ws://{base}/ws/user"\nheartbeat_ms = 500\nidle_timeout_ms = 5000\nbackoff_min_ms = 50\nbackoff_max_ms = 500\n{extra}')

    def app(self):
        app = web.Application()
        r = app.router
        r.add_get("/gamma/markets/slug/{slug}", self.h_market_slug)
        r.add_get("/gamma/markets", self.h_markets)
        r.add_get("/version", self.h_version)
        r.add_get("/time", self.h_time)
        r.add_get("/ws/market", self.ws_market)
        return app

    # ---- Gamma ----
    async def h_market_slug(self, request):
        m = self.markets.get(request.match_info["slug"])
        if m is None:
            return web.json_response({"type": "not found", "error": "id not found"}, status=404)
        return web.json_response(m)

    async def h_markets(self, request):
        ids = set(request.query.get("condition_ids", "").split(","))
        return web.json_response([m for m in self.markets.values() if m["conditionId"] in ids])

    # ---- CLOB public ----
    async def h_version(self, request):
        return web.json_response({"version": self.version})

    async def h_time(self, request):
        return web.Response(text=str(int(time.time())))

    # ---- market channel ----
    async def ws_market(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        with self.lock:
            self.market_sockets += 1
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                if msg.data == "PING":
                    with self.lock:
                        self.pings += 1
                    await ws.send_str("PONG")
                    continue
                sub = json.loads(msg.data)
                assets = set(sub.get("assets_ids", []))
                with self.lock:
                    self.subscribed.append(sorted(assets))
                for f in self.frames:
                    await ws.send_str(f)
                    await asyncio.sleep(0.01)
        finally:
            with self.lock:
                self.market_sockets -= 1
        return ws
