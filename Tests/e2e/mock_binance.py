"""A mock Binance spot venue on 127.0.0.1: public market data (REST snapshot + combined stream),
REST order entry and queries, and the WebSocket-API user data stream — Binance's real wire
formats (../shared/specs/execution/binance.md), every request's API key, HMAC signature and
timestamp window verified with Python's hmac, bad requests answered with Binance's own errors.

Faults (queued with `faults.add(endpoint, mode)`), for `order`:
  hang            accept the order, never answer (the client's timeout fires), then drop the connection
  drop            accept the order, then reset the connection without an answer
  503             accept the order, answer 503 {-1007 "Timeout waiting for response…"}
  500_before      answer 500 without accepting anything
  reset_before    reset the connection without accepting anything
  429             answer 429 with Retry-After: 2 (and count any request in that window)
Stream: `drop_streams()` closes every user-data connection; while `stream_blocked` is set,
reconnections are refused (events in that time are lost, as on Binance: no replay);
`duplicate_events` sends every executionReport twice."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import pathlib
import threading
import time
from decimal import Decimal as D
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from mock_exchange import Exchange, MockVenue, Reject, now_ms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

API_KEY = "FAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikey0001"
SECRET = "FAKESECRETfakesecretFAKESECRETfakesecretFAKESECRETfakesecret0001"


def fmt(x: D) -> str:
    return f"{x:.8f}"


class MockBinance(MockVenue):
    def __init__(self, balances=None, depth_levels=200):
        snap = json.loads((DATA / "binance/spot_btcusdt_snapshot.json").read_text())
        super().__init__(Exchange("BTCUSDT", "BTC", "USDT", snap["bids"][:depth_levels], snap["asks"][:depth_levels],
                                  balances or {"USDT": "100000", "BTC": "0.3"}, tick=D("0.01"), lot=D("0.00001"), min_notional=D("5")))
        self.snap = snap
        self.update_id = snap["lastUpdateId"]
        self.user_subscribes = 0

    def config(self, mode="live", orphans="cancel", submit_timeout_ms=1500, extra=""):
        base = f"127.0.0.1:{self.port}"
        return (f'[venues.binance]\nenabled = true\nmode = "{mode}"\nsymbols = ["BTCUSDT"]\n'
                f'ws_url = "ws://{base}"\nrest_url = "http://{base}"\nws_private_url = "ws://{base}/ws-api/v3"\n'
                f'api_key_env = "MOCK_BINANCE_KEY"\napi_secret_env = "MOCK_BINANCE_SECRET"\n'
                f'submit_timeout_ms = {submit_timeout_ms}\norphans = "{orphans}"\nresolve_interval_ms = 100\n'
                f'backoff_min_ms = 50\nbackoff_max_ms = 500\nidle_timeout_ms = 5000\n{extra}')

    @staticmethod
    def env():
        return {"MOCK_BINANCE_KEY": API_KEY, "MOCK_BINANCE_SECRET": SECRET}

    def app(self):
        app = web.Application()
        r = app.router
        r.add_get("/api/v3/time", self.h_time)
        r.add_get("/api/v3/exchangeInfo", self.h_info)
        r.add_get("/api/v3/depth", self.h_depth)
        r.add_route("*", "/api/v3/order", self.h_order)
        r.add_get("/api/v3/openOrders", self.h_open)
        r.add_get("/api/v3/myTrades", self.h_trades)
        r.add_get("/api/v3/account", self.h_account)
        r.add_get("/stream", self.ws_market)
        r.add_get("/ws-api/v3", self.ws_api)
        return app

    # ---- helpers ----
    @staticmethod
    def err(status, code, msg, headers=None):
        return web.Response(status=status, text=json.dumps({"code": code, "msg": msg}), content_type="application/json", headers=headers)

    def weight_headers(self, weight=1):
        return {"X-MBX-USED-WEIGHT-1M": str(weight)}

    def verify(self, request: web.Request):
        """API key, HMAC over the exact query (signature last), timestamp window. Returns params or an error response."""
        self.count_signed()
        if request.headers.get("X-MBX-APIKEY") != API_KEY:
            return None, self.err(401, -2015, "Invalid API-key, IP, or permissions for action.")
        raw = request.query_string
        if "&signature=" not in raw:
            return None, self.err(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
        payload, sig = raw.rsplit("&signature=", 1)
        good = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, sig):
            self.bad_signature()
            return None, self.err(400, -1022, "Signature for this request is not valid.")
        params = dict(parse_qsl(payload, keep_blank_values=True))
        ts = int(params.get("timestamp", "0"))
        window = int(params.get("recvWindow", "5000"))
        server = now_ms()
        if not (ts < server + 1000 and server - ts <= window):
            return None, self.err(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        return params, None

    def order_json(self, o, full=False, cancel=False):
        status = {"new": "NEW", "partially_filled": "PARTIALLY_FILLED", "filled": "FILLED", "cancelled": "CANCELED",
                  "expired": "EXPIRED", "rejected": "REJECTED"}[o.status]
        typ = "MARKET" if o.type == "market" else ("LIMIT_MAKER" if o.post_only else "LIMIT")
        d = {"symbol": o.symbol, "orderId": o.id, "orderListId": -1,
             "clientOrderId": (o.cancel_client_id or "cxlMock" + str(o.id)) if cancel else o.client_id,
             "transactTime": o.updated_ms, "price": fmt(o.price or D(0)), "origQty": fmt(o.qty), "executedQty": fmt(o.filled),
             "origQuoteOrderQty": "0.00000000", "cummulativeQuoteQty": fmt(o.quote_filled), "status": status,
             "timeInForce": o.tif.upper(), "type": typ, "side": o.side.upper(), "workingTime": o.created_ms, "selfTradePreventionMode": "EXPIRE_MAKER"}
        if cancel:
            d["origClientOrderId"] = o.client_id
        if full:
            d["fills"] = [{"price": fmt(t.price), "qty": fmt(t.qty), "commission": fmt(t.fee), "commissionAsset": "USDT", "tradeId": t.id}
                          for t in o.trades]
        return d

    def query_json(self, o):
        d = self.order_json(o)
        d.update({"time": o.created_ms, "updateTime": o.updated_ms, "isWorking": o.live})
        return d

    # ---- public ----
    async def h_time(self, request):
        return web.json_response({"serverTime": now_ms()})

    async def h_info(self, request):
        return web.json_response({"symbols": [{"symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "quoteAsset": "USDT", "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000.00", "tickSize": "0.01000000"},
            {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
            {"filterType": "NOTIONAL", "minNotional": "5.00000000"}]}]})

    async def h_depth(self, request):
        ex = self.ex
        return web.json_response({"lastUpdateId": self.update_id, "bids": [[str(p), str(q)] for p, q in ex.bids],
                                  "asks": [[str(p), str(q)] for p, q in ex.asks]})

    async def ws_market(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        try:
            while not ws.closed:
                self.update_id += 1
                await ws.send_str(json.dumps({"stream": "btcusdt@depth@100ms", "data": {
                    "e": "depthUpdate", "E": now_ms(), "s": "BTCUSDT", "U": self.update_id, "u": self.update_id, "b": [], "a": []}}))
                await asyncio.sleep(0.1)
        except Exception:
            pass
        return ws

    # ---- trading ----
    async def h_order(self, request: web.Request):
        params, bad = self.verify(request)
        if bad is not None:
            return bad
        ex = self.ex
        if request.method == "GET":
            o = ex.orders.get(int(params["orderId"])) if "orderId" in params else ex.by_client(params.get("origClientOrderId", ""))
            if o is None:
                return self.err(400, -2013, "Order does not exist.", self.weight_headers(4))
            return web.json_response(self.query_json(o), headers=self.weight_headers(4))
        if request.method == "DELETE":
            try:
                o = ex.cancel(cid=params.get("origClientOrderId"), venue_id=int(params["orderId"]) if "orderId" in params else None,
                              cancel_cid=params.get("newClientOrderId"))
            except Reject:
                return self.err(400, -2011, "Unknown order sent.")
            return web.json_response(self.order_json(o, cancel=True), headers=self.weight_headers(1))
        if request.method != "POST":
            return self.err(405, -1000, "method")
        self.count_order_request()
        fault = self.faults.take("order")
        if fault == "429":
            self.blocked_until = time.time() + 2
            return self.err(429, -1003, "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.", {"Retry-After": "2"})
        if fault == "500_before":
            return self.err(500, -1000, "An unknown error occurred while processing the request.")
        if fault == "reset_before":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        cid = params.get("newClientOrderId", "")
        typ = params.get("type", "")
        side = params.get("side", "").lower()
        try:
            qty = D(params["quantity"])
            price = D(params["price"]) if "price" in params else None
            if typ == "MARKET":
                o = ex.place(cid, side, "market", "ioc", qty, None)
            elif typ == "LIMIT_MAKER":
                o = ex.place(cid, side, "limit", "gtc", qty, price, post_only=True)
            elif typ == "LIMIT":
                o = ex.place(cid, side, "limit", params.get("timeInForce", "GTC").lower(), qty, price)
            else:
                return self.err(400, -1116, "Invalid orderType.")
        except Reject as r:
            if r.kind == "filter":
                return self.err(400, -1013, r.message)
            return self.err(400, -2010, r.message)
        except (KeyError, ArithmeticError):
            return self.err(400, -1102, "Mandatory parameter was not sent, was empty/null, or malformed.")
        if fault == "hang":
            await asyncio.sleep(5)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "503":
            return self.err(503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.")
        headers = self.weight_headers(1)
        headers["X-MBX-ORDER-COUNT-10S"] = "1"
        return web.json_response(self.order_json(o, full=params.get("newOrderRespType") == "FULL"), headers=headers)

    async def h_open(self, request):
        params, bad = self.verify(request)
        if bad is not None:
            return bad
        return web.json_response([self.query_json(o) for o in self.ex.open_orders()], headers=self.weight_headers(6))

    async def h_trades(self, request):
        params, bad = self.verify(request)
        if bad is not None:
            return bad
        ex = self.ex
        rows = []
        with ex.lock:
            for t in ex.trades:
                if "orderId" in params and t.order_id != int(params["orderId"]):
                    continue
                if "startTime" in params and t.time_ms < int(params["startTime"]):
                    continue
                rows.append({"symbol": t.symbol, "id": t.id, "orderId": t.order_id, "orderListId": -1, "price": fmt(t.price), "qty": fmt(t.qty),
                             "quoteQty": fmt(t.price * t.qty), "commission": fmt(t.fee), "commissionAsset": "USDT", "time": t.time_ms,
                             "isBuyer": t.side == "buy", "isMaker": t.maker, "isBestMatch": True})
        return web.json_response(rows, headers=self.weight_headers(20))

    async def h_account(self, request):
        params, bad = self.verify(request)
        if bad is not None:
            return bad
        ex = self.ex
        with ex.lock:
            bal = [{"asset": a, "free": fmt(ex.free[a]), "locked": fmt(ex.locked.get(a, D(0)))} for a in sorted(ex.free)]
        return await self.held_account(web.json_response({"canTrade": True, "accountType": "SPOT", "balances": bal, "permissions": ["SPOT"]},
                                                         headers=self.weight_headers(20)))

    # ---- user data stream (WebSocket API) ----
    def on_exchange_event(self, kind, payload):
        if kind == "trade":
            o, tr = payload
            events = [self.execution_report(o, "TRADE", tr), self.account_position()]
        else:
            o = payload
            x = {"new": "NEW", "cancelled": "CANCELED", "expired": "EXPIRED"}[kind]
            events = [self.execution_report(o, x, None)]
        if kind == "cancelled":
            events.append(self.account_position())
        msgs = []
        for ev in events:
            msg = json.dumps({"subscriptionId": 0, "event": ev})
            msgs.append(msg)
            if self.duplicate_events and ev["e"] == "executionReport":
                msgs.append(msg)
        self.push(msgs)

    def execution_report(self, o, x, tr):
        status = {"new": "NEW", "partially_filled": "PARTIALLY_FILLED", "filled": "FILLED", "cancelled": "CANCELED",
                  "expired": "EXPIRED", "rejected": "REJECTED"}[o.status]
        cancel = x == "CANCELED"
        return {"e": "executionReport", "E": now_ms(), "s": o.symbol, "c": (o.cancel_client_id or f"cxl{o.id}") if cancel else o.client_id,
                "S": o.side.upper(), "o": "MARKET" if o.type == "market" else "LIMIT", "f": o.tif.upper(), "q": fmt(o.qty),
                "p": fmt(o.price or D(0)), "P": "0.00000000", "F": "0.00000000", "g": -1, "C": o.client_id if cancel else "",
                "x": x, "X": status, "r": "NONE", "i": o.id, "l": fmt(tr.qty if tr else D(0)), "z": fmt(o.filled),
                "L": fmt(tr.price if tr else D(0)), "n": fmt(tr.fee) if tr else "0", "N": "USDT" if tr else None,
                "T": tr.time_ms if tr else o.updated_ms, "t": tr.id if tr else -1, "I": 6100001, "w": o.live, "m": bool(tr and tr.maker),
                "M": False, "O": o.created_ms, "Z": fmt(o.quote_filled), "Y": fmt(tr.price * tr.qty if tr else D(0)), "Q": "0.00000000",
                "V": "EXPIRE_MAKER"}

    def account_position(self):
        ex = self.ex
        with ex.lock:
            return {"e": "outboundAccountPosition", "E": now_ms(), "u": now_ms(),
                    "B": [{"a": a, "f": fmt(ex.free[a]), "l": fmt(ex.locked.get(a, D(0)))} for a in sorted(ex.free)]}

    async def ws_api(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        if self.stream_blocked.is_set():
            return web.Response(status=503, text="stream unavailable")
        await ws.prepare(request)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            req = json.loads(msg.data)
            rid, method, params = req.get("id"), req.get("method"), dict(req.get("params") or {})
            if method != "userDataStream.subscribe.signature":
                await ws.send_str(json.dumps({"id": rid, "status": 400, "error": {"code": -1100, "msg": f"unsupported method {method}"}}))
                continue
            sig = params.pop("signature", "")
            payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
            good = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
            if params.get("apiKey") != API_KEY:
                await ws.send_str(json.dumps({"id": rid, "status": 401, "error": {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}}))
                continue
            if not hmac.compare_digest(good, sig):
                self.bad_signature()
                await ws.send_str(json.dumps({"id": rid, "status": 400, "error": {"code": -1022, "msg": "Signature for this request is not valid."}}))
                continue
            server = now_ms()
            ts = int(params.get("timestamp", 0))
            if not (ts < server + 1000 and server - ts <= int(params.get("recvWindow", 5000))):
                await ws.send_str(json.dumps({"id": rid, "status": 400, "error": {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}}))
                continue
            with self.lock:
                self.user_subscribes += 1
            self.user_sockets.add(ws)
            await ws.send_str(json.dumps({"id": rid, "status": 200, "result": {"subscriptionId": 0}}))
        self.user_sockets.discard(ws)
        return ws

    def expected_balances(self):
        """The balances this venue reports, as {asset: (free, locked)}."""
        with self.ex.lock:
            return {a: (self.ex.free[a], self.ex.locked.get(a, D(0))) for a in self.ex.free}
