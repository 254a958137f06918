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

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

from mock_exchange import Exchange, LoopThread, MockVenue, Reject, now_ms

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


# Obviously fake credentials (the spec's test key and the mock-server checklist's API key).
WALLET_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
WALLET = Account.from_key(WALLET_KEY).address
API_KEY = "00000000-0000-4000-8000-000000000000"
API_SECRET = "ZmFrZS1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMDAwMDA="
API_PASSPHRASE = "fake-passphrase-0000"
EXCHANGES = {(1, False): "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", (1, True): "0xC5d563A36AE78145C45a50134d48A1215220f80a",
             (2, False): "0xE111180000d2663C0091e4f400237545B87B996B", (2, True): "0xe2222d279d744050d28e00520010520000310F59"}
ZERO = "0x" + "00" * 32


def typed_order(o: dict, version: int, neg_risk: bool, chain_id=137) -> dict:
    """The EIP-712 document the venue verifies, built from the posted JSON (eth-account encodes it)."""
    side = 0 if o["side"] == "BUY" else 1
    if version == 1:
        fields = [("salt", "uint256"), ("maker", "address"), ("signer", "address"), ("taker", "address"), ("tokenId", "uint256"),
                  ("makerAmount", "uint256"), ("takerAmount", "uint256"), ("expiration", "uint256"), ("nonce", "uint256"),
                  ("feeRateBps", "uint256"), ("side", "uint8"), ("signatureType", "uint8")]
        msg = {"salt": int(o["salt"]), "maker": o["maker"], "signer": o["signer"], "taker": o["taker"], "tokenId": int(o["tokenId"]),
               "makerAmount": int(o["makerAmount"]), "takerAmount": int(o["takerAmount"]), "expiration": int(o["expiration"]),
               "nonce": int(o["nonce"]), "feeRateBps": int(o["feeRateBps"]), "side": side, "signatureType": int(o["signatureType"])}
    else:
        fields = [("salt", "uint256"), ("maker", "address"), ("signer", "address"), ("tokenId", "uint256"), ("makerAmount", "uint256"),
                  ("takerAmount", "uint256"), ("side", "uint8"), ("signatureType", "uint8"), ("timestamp", "uint256"), ("metadata", "bytes32"),
                  ("builder", "bytes32")]
        msg = {"salt": int(o["salt"]), "maker": o["maker"], "signer": o["signer"], "tokenId": int(o["tokenId"]), "makerAmount": int(o["makerAmount"]),
               "takerAmount": int(o["takerAmount"]), "side": side, "signatureType": int(o["signatureType"]), "timestamp": int(o["timestamp"]),
               "metadata": bytes.fromhex(o["metadata"][2:]), "builder": bytes.fromhex(o["builder"][2:])}
    return {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                       {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                      "Order": [{"name": n, "type": t} for n, t in fields]},
            "primaryType": "Order",
            "domain": {"name": "Polymarket CTF Exchange", "version": str(version), "chainId": chain_id, "verifyingContract": EXCHANGES[(version, neg_risk)]},
            "message": msg}


def l2_signature(ts: str, method: str, path: str, body: str) -> str:
    import base64
    import hashlib
    import hmac as _hmac
    key = base64.urlsafe_b64decode(API_SECRET)
    return base64.urlsafe_b64encode(_hmac.new(key, (ts + method + path + body).encode(), hashlib.sha256).digest()).decode()


class MockPolymarket(MockVenue):
    """Gamma + CLOB + market/user channels. `version` is what GET /version answers (1 or 2).
    Orders on A_YES and B_ONE match against their books (mock_exchange.Exchange, keyed by the
    order hash); every order's signature is recovered with eth-account and every L2 header's HMAC
    checked with Python's hmac. Trades go MATCHED → MINED → CONFIRMED on the user channel, or,
    while `fail_trades` > 0, MATCHED → RETRYING → FAILED with the balances put back."""

    def __init__(self, version=2):
        book = reference_books()
        def ex_for(token, tick):
            bids, asks = book[token]
            return Exchange(token, token, "USDC", sorted(bids.items(), reverse=True), sorted(asks.items()),
                            {"USDC": "1000", token: "0"}, tick=D(tick), lot=D("0.01"), min_notional=D("0"), taker_fee=D("0"), maker_fee=D("0"))
        super().__init__(ex_for(A_YES, "0.001"))
        self.exchanges = {A_YES: self.ex, B_ONE: ex_for(B_ONE, "0.01")}
        self.exchanges[B_ONE].listeners.append(self.on_exchange_event)
        self.neg_risk = {A_YES: False, A_NO: False, B_ONE: True, B_TWO: True}
        self.market_of = {A_YES: A_CONDITION, A_NO: A_CONDITION, B_ONE: B_CONDITION, B_TWO: B_CONDITION}
        self.pm_orders: dict[str, object] = {}     # order hash -> core order
        self.token_of: dict[str, str] = {}
        self.pm_trades: dict[str, dict] = {}       # trade id -> trade object (current status)
        self.fail_trades = 0
        self.trade_seq = 0
        self.posted = 0                            # POST /order requests with a valid signature
        self.version_mismatches = 0
        self.order_versions: dict[str, int] = {}   # order hash -> the exchange version it was signed for
        self.version = version
        self.markets = {
            A_SLUG: gamma_market(A_SLUG, A_CONDITION, [A_YES, A_NO], ["Yes", "No"], 0.001, False),
            B_SLUG: gamma_market(B_SLUG, B_CONDITION, [B_ONE, B_TWO], ["Alice", "Bob"], 0.01, True),
        }
        self.frames = market_frames()
        self.market_sockets = 0
        self.subscribed: list = []
        self.pings = 0
        # Heartbeats (the key's dead-man's switch): the id the next one must carry (None: not
        # armed), when the last was accepted, and what happened.
        self.hb_expected = None
        self.hb_last = 0.0
        self.hb_window = 10.0
        self.hb_seq = 0
        self.hb_accepted = 0
        self.hb_stale = 0
        self.hb_times: list[float] = []
        self.hb_expiries = 0
        self.hb_cancelled: list[str] = []
        self._hb_stop = threading.Event()

    def config(self, mode="paper", markets=None, extra="", orphans="cancel", submit_timeout_ms=1500):
        base = f"127.0.0.1:{self.port}"
        ms = markets or [A_SLUG, B_CONDITION]
        live = ('key_env = "MOCK_PM_KEY"\napi_key_env = "MOCK_PM_API_KEY"\napi_secret_env = "MOCK_PM_SECRET"\n'
                f'api_passphrase_env = "MOCK_PM_PASSPHRASE"\norphans = "{orphans}"\nsubmit_timeout_ms = {submit_timeout_ms}\nresolve_interval_ms = 100\n'
                if mode == "live" else "")
        return (f'[venues.polymarket]\nenabled = true\nmode = "{mode}"\nmarkets = {json.dumps(ms)}\n'
                f'gamma_url = "http://{base}/gamma"\nrest_url = "http://{base}"\nws_url = "ws://{base}/ws/market"\n'
                f'ws_private_url = "ws://{base}/ws/user"\nheartbeat_ms = 500\nidle_timeout_ms = 5000\nbackoff_min_ms = 50\nbackoff_max_ms = 500\n{live}{extra}')

    @staticmethod
    def env():
        return {"MOCK_PM_KEY": WALLET_KEY, "MOCK_PM_API_KEY": API_KEY, "MOCK_PM_SECRET": API_SECRET, "MOCK_PM_PASSPHRASE": API_PASSPHRASE}

    def app(self):
        app = web.Application()
        r = app.router
        r.add_get("/gamma/markets/slug/{slug}", self.h_market_slug)
        r.add_get("/gamma/markets", self.h_markets)
        r.add_get("/version", self.h_version)
        r.add_get("/time", self.h_time)
        r.add_get("/ws/market", self.ws_market)
        r.add_get("/ws/user", self.ws_user)
        r.add_post("/order", self.h_order)
        r.add_delete("/order", self.h_cancel)
        r.add_delete("/cancel-all", self.h_cancel_all)
        r.add_post("/v1/heartbeats", self.h_heartbeat)
        r.add_get("/data/order/{id}", self.h_get_order)
        r.add_get("/data/orders", self.h_open_orders)
        r.add_get("/data/trades", self.h_trades)
        r.add_get("/balance-allowance", self.h_balance)
        r.add_post("/auth/api-key", self.h_create_key)
        r.add_get("/auth/derive-api-key", self.h_derive_key)
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


    # ---- L2 authentication ----
    async def verify(self, request):
        """The body text, or an error response: every L2 header present and the HMAC right."""
        self.count_signed()
        body = await request.text() if request.can_read_body else ""
        h = request.headers
        if h.get("POLY_API_KEY") != API_KEY or h.get("POLY_PASSPHRASE") != API_PASSPHRASE or (h.get("POLY_ADDRESS") or "").lower() != WALLET.lower():
            return None, web.json_response({"error": "Unauthorized/Invalid api key"}, status=401)
        ts = h.get("POLY_TIMESTAMP", "")
        if not ts.isdigit() or abs(int(ts) - time.time()) > 30:
            return None, web.json_response({"error": "Unauthorized/Invalid api key"}, status=401)
        if l2_signature(ts, request.method, request.path, body) != h.get("POLY_SIGNATURE"):
            self.bad_signature()
            return None, web.json_response({"error": "Unauthorized/Invalid api key"}, status=401)
        return body, None

    # ---- orders ----
    def item(self, oid):
        o, token = self.pm_orders[oid], self.token_of[oid]
        status = {"new": "LIVE", "partially_filled": "LIVE", "filled": "MATCHED", "cancelled": "CANCELED", "expired": "UNMATCHED"}[o.status]
        return {"id": oid, "status": status, "owner": API_KEY, "maker_address": WALLET, "market": self.market_of[token], "asset_id": token,
                "side": o.side.upper(), "original_size": str(o.qty), "size_matched": str(o.filled), "price": str(o.price),
                "associate_trades": [str(t.id) for t in o.trades], "outcome": "Yes", "created_at": o.created_ms // 1000, "expiration": "0",
                "order_type": "GTC"}

    async def h_order(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        self.count_order_request()
        req = json.loads(body)
        o = req["order"]
        if req.get("owner") != API_KEY:
            return web.json_response({"error": "the order owner has to be the owner of the API KEY"}, status=400)
        v = 2 if "timestamp" in o else 1
        if v != self.version:
            with self.lock:
                self.version_mismatches += 1
            return web.json_response({"error": "order_version_mismatch"}, status=400)
        token = o["tokenId"]
        if token not in self.neg_risk:
            return web.json_response({"error": "market not found"}, status=400)
        typed = typed_order(o, v, self.neg_risk[token])
        signable = encode_typed_data(full_message=typed)
        try:
            signer = Account.recover_message(signable, signature=bytes.fromhex(o["signature"][2:]))
        except Exception:
            signer = ""
        if signer.lower() != o["signer"].lower() or signer.lower() != WALLET.lower() or o["maker"].lower() != WALLET.lower():
            self.bad_signature()
            return web.json_response({"error": "invalid signature"}, status=400)
        oid = "0x" + _hash_eip191_message(signable).hex()
        with self.lock:
            self.posted += 1
        fault = self.faults.take("order")
        if fault == "500_before":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "429":
            self.blocked_until = time.time() + 1
            return web.json_response({"error": "Too Many Requests"}, status=429, headers={"Retry-After": "1"})
        if oid in self.pm_orders:
            return web.json_response({"error": f"order {oid} is invalid. Duplicated."}, status=400)
        ex = self.exchanges.get(token)
        if ex is None:
            return web.json_response({"error": "the market is not yet ready to process new orders"}, status=400)
        side = o["side"].lower()
        maker, taker = D(o["makerAmount"]) / D(10**6), D(o["takerAmount"]) / D(10**6)
        size, price = (taker, maker / taker) if side == "buy" else (maker, taker / maker)
        tif = {"GTC": "gtc", "GTD": "gtc", "FAK": "ioc", "FOK": "fok"}[req["orderType"]]
        try:
            core = ex.place(oid, side, "limit", tif, size, price, post_only=bool(req.get("postOnly")))
        except Reject as r:
            msg = {"insufficient_balance": "not enough balance / allowance", "post_only": "invalid post-only order: order crosses book"}.get(r.kind, r.message)
            return web.json_response({"success": False, "errorMsg": msg, "orderID": "", "status": "", "makingAmount": "", "takingAmount": ""}, status=400)
        with self.lock:
            self.pm_orders[oid] = core
            self.token_of[oid] = token
            self.order_versions[oid] = v
        if core.status == "expired" and core.filled == 0:
            msg = ("order couldn't be fully filled. FOK orders are fully filled or killed." if tif == "fok" else
                   "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.")
            return web.json_response({"success": False, "errorMsg": msg, "orderID": oid, "status": "unmatched", "makingAmount": "", "takingAmount": ""}, status=400)
        if fault in ("drop", "hang"):
            if fault == "hang":
                await asyncio.sleep(4)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "503":
            return web.Response(status=503, text="Service Unavailable")
        if core.filled > 0:
            quote = core.quote_filled
            making, taking = (quote, core.filled) if side == "buy" else (core.filled, quote)
            trade_ids = [self.trade_of.get(t.id) for t in core.trades]
            return web.json_response({"success": True, "errorMsg": "", "orderID": oid, "status": "matched", "makingAmount": str(making),
                                      "takingAmount": str(taking), "tradeIDs": trade_ids, "transactionsHashes": []})
        return web.json_response({"success": True, "errorMsg": "", "orderID": oid, "status": "live", "makingAmount": "", "takingAmount": "",
                                  "tradeIDs": [], "transactionsHashes": []})

    async def h_cancel(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        oid = json.loads(body or "{}").get("orderID", "")
        o = self.pm_orders.get(oid)
        if o is None or not o.live:
            return web.json_response({"canceled": [], "not_canceled": {oid: "order not found" if o is None else "order already matched or canceled"}})
        self.exchanges[self.token_of[oid]].cancel(cid=oid)
        return web.json_response({"canceled": [oid], "not_canceled": {}})

    async def h_cancel_all(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        done = []
        for oid, o in list(self.pm_orders.items()):
            if o.live:
                self.exchanges[self.token_of[oid]].cancel(cid=oid)
                done.append(oid)
        return web.json_response({"canceled": done, "not_canceled": {}})

    # ---- heartbeats ----
    def start(self):
        super().start()
        threading.Thread(target=self._hb_watch, daemon=True).start()
        return self

    def stop(self):
        self._hb_stop.set()
        super().stop()

    def _hb_watch(self):
        """About `hb_window` s without an accepted heartbeat: every open order of the key is
        cancelled (CANCELLATION on the user channel) and the registration dropped."""
        while not self._hb_stop.wait(0.1):
            with self.lock:
                due = self.hb_expected is not None and time.time() - self.hb_last > self.hb_window
                if due:
                    self.hb_expected = None
                    self.hb_expiries += 1
            if due:
                for oid, o in list(self.pm_orders.items()):
                    if o.live:
                        try:
                            self.exchanges[self.token_of[oid]].cancel(cid=oid)
                            self.hb_cancelled.append(oid)
                        except Reject:
                            pass

    async def h_heartbeat(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        try:
            hid = json.loads(body or "{}").get("heartbeat_id")
        except (ValueError, AttributeError):
            hid = None
        if not isinstance(hid, str):
            return web.json_response({"error_msg": "invalid heartbeat request"}, status=400)
        with self.lock:
            expected = self.hb_expected
            ok = hid == (expected or "")
            if ok:
                self.hb_seq += 1
                self.hb_expected = f"hb-{self.hb_seq:04d}"
                self.hb_last = time.time()
                self.hb_accepted += 1
                self.hb_times.append(self.hb_last)
                nxt = self.hb_expected
            else:
                self.hb_stale += 1
        if not ok:
            return web.json_response({"error_msg": "Invalid Heartbeat ID", "heartbeat_id": expected or ""}, status=400)
        if self.faults.take("heartbeat") == "drop":
            # Accepted, but the answer is lost: the next one carries a stale id.
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        return web.json_response({"heartbeat_id": nxt})

    async def h_get_order(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        oid = request.match_info["id"]
        if oid not in self.pm_orders:
            return web.json_response({"error": "order not found"}, status=404)
        return web.json_response(self.item(oid))

    async def h_open_orders(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        data = [self.item(oid) for oid, o in self.pm_orders.items() if o.live]
        return web.json_response({"limit": 100, "next_cursor": "LTE=", "count": len(data), "data": data})

    async def h_trades(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        after = int(request.query.get("after", "0"))
        market = request.query.get("market")
        data = []
        for t in list(self.pm_trades.values()):
            if int(t["match_time"]) >= after and (market is None or t["market"] == market):
                rest = dict(t, status="TRADE_STATUS_" + t["status"])
                rest.pop("event_type", None)
                rest.pop("type", None)
                data.append(rest)
        return web.json_response({"limit": 100, "next_cursor": "LTE=", "count": len(data), "data": data})

    async def h_balance(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        if request.query.get("asset_type") == "COLLATERAL":
            total = sum((ex.free["USDC"] + ex.locked["USDC"] for ex in self.exchanges.values()), D(0))
        else:
            ex = self.exchanges.get(request.query.get("token_id", ""))
            total = (ex.free[ex.base] + ex.locked[ex.base]) if ex else D(0)
        return web.json_response({"balance": str(int(total * 10**6)), "allowances": {EXCHANGES[(2, False)]: str(2**256 - 1)}})

    def expected_balances(self):
        usdc = sum((ex.free["USDC"] + ex.locked["USDC"] for ex in self.exchanges.values()), D(0))
        return {"USDC": (usdc, D(0))}

    # ---- user channel ----
    @property
    def trade_of(self):
        if not hasattr(self, "_trade_of"):
            self._trade_of = {}
        return self._trade_of

    def on_exchange_event(self, kind, payload):
        msgs = []
        if kind == "trade":
            o, tr = payload
            token = o.symbol
            self.trade_seq += 1
            tid = f"{self.trade_seq:08d}-mock-trade"
            self.trade_of[tr.id] = tid
            other = "0x" + f"{self.trade_seq:064x}"
            base = {"event_type": "trade", "type": "TRADE", "id": tid, "market": self.market_of[token], "asset_id": token, "fee_rate_bps": "0",
                    "status": "MATCHED", "match_time": str(int(time.time())), "last_update": str(int(time.time())), "outcome": "Yes",
                    "owner": API_KEY, "trade_owner": API_KEY, "bucket_index": 0, "transaction_hash": ""}
            if tr.maker:      # someone took our resting order: we are a maker
                t = dict(base, taker_order_id=other, side="SELL" if o.side == "buy" else "BUY", size=str(tr.qty), price=str(tr.price),
                         trader_side="MAKER", maker_orders=[{"order_id": o.client_id, "owner": API_KEY, "maker_address": WALLET,
                                                             "matched_amount": str(tr.qty), "price": str(tr.price), "fee_rate_bps": "0",
                                                             "asset_id": token, "outcome": "Yes", "side": o.side.upper()}])
            else:             # our order took liquidity
                t = dict(base, taker_order_id=o.client_id, side=o.side.upper(), size=str(tr.qty), price=str(tr.price), trader_side="TAKER",
                         maker_orders=[{"order_id": other, "owner": "someone-else", "maker_address": "0x" + "22" * 20, "matched_amount": str(tr.qty),
                                        "price": str(tr.price), "fee_rate_bps": "0", "asset_id": token, "outcome": "Yes",
                                        "side": "SELL" if o.side == "buy" else "BUY"}])
            self.pm_trades[tid] = t
            failing = self.fail_trades > 0
            if failing:
                self.fail_trades -= 1
            msgs.append(json.dumps(t))
            if self.duplicate_events:
                msgs.append(json.dumps(t))
            self.server.call(lambda: asyncio.ensure_future(self.settle(tid, o, tr, failing)))
        status = {"new": "LIVE", "partially_filled": "LIVE", "filled": "MATCHED", "cancelled": "CANCELED", "expired": "UNMATCHED"}
        o = payload[0] if kind == "trade" else payload
        if o.client_id in self.pm_orders or kind == "new":
            ev = {"new": "PLACEMENT", "trade": "UPDATE", "cancelled": "CANCELLATION", "expired": "CANCELLATION"}.get(kind, "UPDATE")
            msgs.append(json.dumps([{"event_type": "order", "id": o.client_id, "owner": API_KEY, "market": self.market_of[o.symbol], "asset_id": o.symbol,
                                     "side": o.side.upper(), "original_size": str(o.qty), "size_matched": str(o.filled), "price": str(o.price),
                                     "type": ev, "status": status[o.status], "order_type": "GTC", "timestamp": str(now_ms())}]))
        self.push(msgs)

    async def settle(self, tid, o, tr, failing):
        """The trade's life on chain: MINED then CONFIRMED, or RETRYING then FAILED (balances back)."""
        for st in (["RETRYING", "FAILED"] if failing else ["MINED", "CONFIRMED"]):
            await asyncio.sleep(0.15)
            self.pm_trades[tid] = dict(self.pm_trades[tid], status=st, last_update=str(int(time.time())))
            if st == "FAILED":
                ex = self.exchanges[o.symbol]
                with ex.lock:
                    if o.side == "buy":
                        ex.free["USDC"] += tr.price * tr.qty
                        ex.free[ex.base] -= tr.qty
                    else:
                        ex.free["USDC"] -= tr.price * tr.qty
                        ex.free[ex.base] += tr.qty
            self.push([json.dumps(self.pm_trades[tid])])

    async def ws_user(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        authed = False
        if self.stream_blocked.is_set():
            await ws.close()              # the channel is unavailable: the client backs off and retries
            return ws
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                if msg.data == "PING":
                    await ws.send_str("PONG")
                    continue
                sub = json.loads(msg.data)
                a = sub.get("auth", {})
                if sub.get("type") != "user" or a.get("apiKey") != API_KEY or a.get("secret") != API_SECRET or a.get("passphrase") != API_PASSPHRASE:
                    self.bad_signature()
                    await ws.close()
                    break
                authed = True
                with self.lock:
                    self.user_subscriptions = getattr(self, "user_subscriptions", 0) + 1
                self.user_sockets.add(ws)
        finally:
            self.user_sockets.discard(ws)
        return ws


    # ---- L1: API keys ----
    def verify_l1(self, request):
        """The ClobAuth signature in the POLY_* headers, recovered with eth-account."""
        h = request.headers
        doc = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                          {"name": "chainId", "type": "uint256"}],
                         "ClobAuth": [{"name": "address", "type": "address"}, {"name": "timestamp", "type": "string"},
                                      {"name": "nonce", "type": "uint256"}, {"name": "message", "type": "string"}]},
               "primaryType": "ClobAuth", "domain": {"name": "ClobAuthDomain", "version": "1", "chainId": 137},
               "message": {"address": h.get("POLY_ADDRESS", ""), "timestamp": h.get("POLY_TIMESTAMP", ""), "nonce": int(h.get("POLY_NONCE", "0") or 0),
                           "message": "This message attests that I control the given wallet"}}
        try:
            who = Account.recover_message(encode_typed_data(full_message=doc), signature=bytes.fromhex(h.get("POLY_SIGNATURE", "0x")[2:]))
        except Exception:
            who = ""
        ok = who.lower() == h.get("POLY_ADDRESS", "").lower() == WALLET.lower()
        if not ok:
            self.bad_signature()
        return ok

    async def h_create_key(self, request):
        if not self.verify_l1(request):
            return web.json_response({"error": "Invalid L1 Request headers"}, status=401)
        with self.lock:
            self.keys_created = getattr(self, "keys_created", 0) + 1
            first = self.keys_created == 1
        if not first:
            return web.json_response({"error": "Could not create api key"}, status=400)
        return web.json_response({"apiKey": API_KEY, "secret": API_SECRET, "passphrase": API_PASSPHRASE})

    async def h_derive_key(self, request):
        if not self.verify_l1(request):
            return web.json_response({"error": "Invalid L1 Request headers"}, status=401)
        return web.json_response({"apiKey": API_KEY, "secret": API_SECRET, "passphrase": API_PASSPHRASE})
