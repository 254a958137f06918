"""A mock Bybit v5 venue on 127.0.0.1 for linear XRPUSDT: public orderbook (recorded snapshot, then
deltas continuing `u`), REST order entry/queries (acknowledgements, as Bybit answers), the private
stream (`order`, `execution`, `position`, `wallet` after `auth`) — Bybit's wire formats
(../shared/specs/execution/bybit.md), every request's key, timestamp window and HMAC verified with
Python's hmac, bad requests answered with Bybit's own retCodes.

Order faults: hang, drop, 10000 (accepted; "Server Timeout"), 500_before, reset_before, 429 (10006
with X-Bapi-Limit-Reset-Timestamp). Stream: drop_streams(), stream_blocked, duplicate_events."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import pathlib
import threading
import time
import uuid
from decimal import Decimal as D

from aiohttp import WSMsgType, web

from mock_exchange import Exchange, MockVenue, Reject, now_ms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

API_KEY = "FAKEbybitKEY0001"
SECRET = "FAKEbybitSECRETfakeBYBITsecret00"


def s(x: D) -> str:
    return format(x.normalize(), "f") if x != 0 else "0"


class MockBybit(MockVenue):
    def __init__(self, balances=None):
        snap = json.loads((DATA / "bybit/2024-12-01_XRPUSDT_ob500.jsonl").read_text().splitlines()[0])["data"]
        # A linear perp: the base "balance" is the signed position (shorts allowed).
        self.uuid_of: dict[int, str] = {}
        self.exec_ids: dict[int, str] = {}
        super().__init__(Exchange("XRPUSDT", "XRP", "USDT", snap["b"][:100], snap["a"][:100], balances or {"USDT": "100000", "XRP": "0"},
                                  tick=D("0.0001"), lot=D("1"), min_notional=D("5")))
        self.ex.margin = True
        self.u = snap["u"]

    def config(self, mode="live", orphans="cancel", submit_timeout_ms=1500, extra=""):
        base = f"127.0.0.1:{self.port}"
        return (f'[venues.bybit]\nenabled = true\nmode = "{mode}"\ncategory = "linear"\nsymbols = ["XRPUSDT"]\n'
                f'ws_url = "ws://{base}/v5/public/linear"\nrest_url = "http://{base}"\nws_private_url = "ws://{base}/v5/private"\n'
                f'api_key_env = "MOCK_BYBIT_KEY"\napi_secret_env = "MOCK_BYBIT_SECRET"\n'
                f'submit_timeout_ms = {submit_timeout_ms}\norphans = "{orphans}"\nresolve_interval_ms = 100\nheartbeat_ms = 1000\n'
                f'backoff_min_ms = 50\nbackoff_max_ms = 500\nidle_timeout_ms = 5000\n{extra}')

    @staticmethod
    def env():
        return {"MOCK_BYBIT_KEY": API_KEY, "MOCK_BYBIT_SECRET": SECRET}

    def app(self):
        app = web.Application()
        r = app.router
        r.add_get("/v5/market/time", self.h_time)
        r.add_get("/v5/market/instruments-info", self.h_instruments)
        r.add_post("/v5/order/create", self.h_create)
        r.add_post("/v5/order/cancel", self.h_cancel)
        r.add_get("/v5/order/realtime", self.h_realtime)
        r.add_get("/v5/execution/list", self.h_executions)
        r.add_get("/v5/account/wallet-balance", self.h_wallet)
        r.add_get("/v5/position/list", self.h_positions)
        r.add_get("/v5/public/linear", self.ws_public)
        r.add_get("/v5/private", self.ws_private)
        return app

    # ---- helpers ----
    def env_json(self, result=None, code=0, msg="OK", status=200, headers=None):
        h = {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "9", "X-Bapi-Limit-Reset-Timestamp": str(now_ms() + 1000)}
        h.update(headers or {})
        return web.json_response({"retCode": code, "retMsg": msg, "result": result if result is not None else {}, "retExtInfo": {}, "time": now_ms()},
                                 status=status, headers=h)

    async def verify(self, request: web.Request):
        self.count_signed()
        body = await request.text() if request.can_read_body else ""
        h = request.headers
        if h.get("X-BAPI-API-KEY") != API_KEY:
            return None, self.env_json(code=10003, msg="API key is invalid.")
        ts, rw = h.get("X-BAPI-TIMESTAMP", "0"), h.get("X-BAPI-RECV-WINDOW", "5000")
        server = now_ms()
        if not (server - int(rw) <= int(ts) < server + 1000):
            return None, self.env_json(code=10002, msg=f"invalid request, please check your server timestamp or recv_window param. "
                                                        f"req_timestamp[{ts}],server_timestamp[{server}],recv_window[{rw}]")
        payload = request.query_string if request.method == "GET" else body
        good = hmac.new(SECRET.encode(), (ts + API_KEY + rw + payload).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, h.get("X-BAPI-SIGN", "")):
            self.bad_signature()
            return None, self.env_json(code=10004, msg="error sign! origin_string[...]")
        return (json.loads(body) if body else dict(request.query)), None

    def oid(self, o):
        if o.id not in self.uuid_of:
            self.uuid_of[o.id] = str(uuid.UUID(int=o.id))
        return self.uuid_of[o.id]

    def order_obj(self, o):
        status = {"new": "New", "partially_filled": "PartiallyFilled", "filled": "Filled", "cancelled": "Cancelled",
                  "expired": "Cancelled", "rejected": "Rejected"}[o.status]
        tif = "PostOnly" if o.post_only else ("IOC" if o.type == "market" else o.tif.upper())
        return {"orderId": self.oid(o), "orderLinkId": o.client_id, "blockTradeId": "", "symbol": o.symbol, "price": s(o.price or D(0)),
                "qty": s(o.qty), "side": "Buy" if o.side == "buy" else "Sell", "isLeverage": "", "positionIdx": 0, "orderStatus": status,
                "createType": "CreateByUser", "cancelType": "CancelByUser" if o.status == "cancelled" else "UNKNOWN",
                "rejectReason": "EC_NoImmediateQtyToFill" if o.status == "expired" else "EC_NoError",
                "avgPrice": s(o.quote_filled / o.filled) if o.filled else "", "leavesQty": s(o.remaining if o.live else D(0)),
                "leavesValue": "0", "cumExecQty": s(o.filled), "cumExecValue": s(o.quote_filled), "cumExecFee": s(o.fees),
                "cumFeeDetail": {"USDT": s(o.fees)}, "timeInForce": tif, "orderType": "Market" if o.type == "market" else "Limit",
                "stopOrderType": "", "triggerPrice": "", "takeProfit": "", "stopLoss": "", "reduceOnly": False, "closeOnTrigger": False,
                "smpType": "None", "smpGroup": 0, "smpOrderId": "", "createdTime": str(o.created_ms), "updatedTime": str(o.updated_ms)}

    def exec_obj(self, o, t):
        if t.id not in self.exec_ids:
            self.exec_ids[t.id] = str(uuid.UUID(int=(1 << 64) + t.id))
        return {"category": "linear", "symbol": t.symbol, "orderId": self.oid(o), "orderLinkId": o.client_id, "side": "Buy" if t.side == "buy" else "Sell",
                "orderPrice": s(o.price or t.price), "orderQty": s(o.qty), "leavesQty": s(o.remaining), "createType": "CreateByUser",
                "orderType": "Market" if o.type == "market" else "Limit", "stopOrderType": "", "execFee": s(t.fee), "execId": self.exec_ids[t.id],
                "execPrice": s(t.price), "execQty": s(t.qty), "execType": "Trade", "execValue": s(t.price * t.qty), "execTime": str(t.time_ms),
                "feeCurrency": "USDT", "isMaker": t.maker, "feeRate": "0.0005", "markPrice": s(t.price), "closedSize": "", "seq": t.id, "extraFees": ""}

    def position_obj(self):
        ex = self.ex
        with ex.lock:
            q = ex.free.get("XRP", D(0)) + ex.locked.get("XRP", D(0))
            buys = sum((t.qty for t in ex.trades if t.side == "buy"), D(0)) - sum((t.qty for t in ex.trades if t.side == "sell"), D(0))
            cost = sum((t.qty * t.price * (1 if t.side == "buy" else -1) for t in ex.trades), D(0))
            avg = abs(cost / buys) if buys else D(0)
            mark = (ex.best_bid() + ex.best_ask()) / 2
        return {"positionIdx": 0, "symbol": "XRPUSDT", "side": "Buy" if q > 0 else ("Sell" if q < 0 else ""), "size": s(abs(q)),
                "avgPrice": s(avg.quantize(D("0.0001"))), "positionValue": s(abs(q) * avg), "markPrice": s(mark),
                "unrealisedPnl": s(((mark - avg) * q).quantize(D("0.0001"))), "updatedTime": str(now_ms())}

    def wallet_obj(self):
        ex = self.ex
        with ex.lock:
            # Wallet balance of a perp account: cash plus the position at cost (so equity = wallet + unrealized).
            q = ex.free.get("XRP", D(0))
            cost = sum((t.qty * t.price * (1 if t.side == "buy" else -1) for t in ex.trades), D(0))
            wallet = ex.free["USDT"] + ex.locked["USDT"] + cost
            return [{"accountType": "UNIFIED", "coin": [{"coin": "USDT", "walletBalance": s(wallet), "locked": s(ex.locked["USDT"]),
                                                         "equity": s(wallet)}]}]

    # ---- public ----
    async def h_time(self, request):
        return web.json_response({"retCode": 0, "retMsg": "OK", "result": {"timeSecond": str(now_ms() // 1000), "timeNano": str(now_ms() * 1_000_000)},
                                  "retExtInfo": {}, "time": now_ms()})

    async def h_instruments(self, request):
        return web.json_response({"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": [
            {"symbol": "XRPUSDT", "baseCoin": "XRP", "quoteCoin": "USDT", "priceFilter": {"tickSize": "0.0001"},
             "lotSizeFilter": {"qtyStep": "1", "minNotionalValue": "5"}}]}})

    async def ws_public(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        streaming = None

        async def stream(topic):
            ex = self.ex
            self.u += 1
            await ws.send_str(json.dumps({"topic": topic, "type": "snapshot", "ts": now_ms(), "data": {
                "s": "XRPUSDT", "b": [[str(p), str(q)] for p, q in ex.bids], "a": [[str(p), str(q)] for p, q in ex.asks], "u": self.u, "seq": self.u},
                "cts": now_ms()}))
            while not ws.closed:
                await asyncio.sleep(0.1)
                self.u += 1
                await ws.send_str(json.dumps({"topic": topic, "type": "delta", "ts": now_ms(), "data": {"s": "XRPUSDT", "b": [], "a": [], "u": self.u,
                                                                                                        "seq": self.u}, "cts": now_ms()}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                req = json.loads(msg.data)
                if req.get("op") == "ping":
                    await ws.send_str(json.dumps({"success": True, "ret_msg": "pong", "conn_id": "m", "op": "ping"}))
                    continue
                if req.get("op") != "subscribe":
                    continue
                await ws.send_str(json.dumps({"success": True, "ret_msg": "", "conn_id": "m", "op": "subscribe"}))
                for t in req.get("args", []):
                    if t.startswith("orderbook.") and streaming is None:
                        streaming = asyncio.ensure_future(stream(t))
        finally:
            if streaming:
                streaming.cancel()
        return ws

    # ---- trading ----
    async def h_create(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        self.count_order_request()
        fault = self.faults.take("order")
        if fault == "429":
            self.blocked_until = time.time() + 2
            return self.env_json(code=10006, msg="Too many visits!", headers={"X-Bapi-Limit-Status": "0",
                                                                               "X-Bapi-Limit-Reset-Timestamp": str(now_ms() + 2000)})
        if fault == "500_before":
            return web.Response(status=502, text="Bad Gateway")
        if fault == "reset_before":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        cid = body.get("orderLinkId", "")
        side = body.get("side", "").lower()
        if self.ex.by_client(cid) is not None:
            return self.env_json(code=110072, msg="OrderLinkedID is duplicate")
        try:
            qty = D(body["qty"])
            px = D(body["price"]) if "price" in body else None
            if body.get("orderType") == "Market":
                o = self.ex.place(cid, side, "market", "ioc", qty, None)
            else:
                tif = body.get("timeInForce", "GTC")
                o = self.ex.place(cid, side, "limit", {"GTC": "gtc", "IOC": "ioc", "FOK": "fok", "PostOnly": "gtc"}[tif], qty, px,
                                  post_only=tif == "PostOnly")
        except Reject as r:
            code = {"insufficient_balance": 110007, "duplicate": 110072, "post_only": 110094}.get(r.kind, 10001)
            return self.env_json(code=code, msg=r.message)
        except (KeyError, ArithmeticError):
            return self.env_json(code=10001, msg="params error")
        if fault == "hang":
            await asyncio.sleep(5)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "10000":
            return self.env_json(code=10000, msg="Server Timeout")
        return self.env_json({"orderId": self.oid(o), "orderLinkId": cid})

    async def h_cancel(self, request):
        body, bad = await self.verify(request)
        if bad is not None:
            return bad
        o = None
        if body.get("orderId"):
            o = next((x for x in self.ex.orders.values() if self.oid(x) == body["orderId"]), None)
        else:
            o = self.ex.by_client(body.get("orderLinkId", ""))
        if o is None or not o.live:
            return self.env_json(code=110001, msg="Order does not exist")
        self.ex.cancel(venue_id=o.id)
        return self.env_json({"orderId": self.oid(o), "orderLinkId": o.client_id})

    async def h_realtime(self, request):
        q, bad = await self.verify(request)
        if bad is not None:
            return bad
        if q.get("orderLinkId"):
            o = self.ex.by_client(q["orderLinkId"])
            lst = [self.order_obj(o)] if o else []
        else:
            lst = [self.order_obj(o) for o in sorted(self.ex.open_orders(), key=lambda o: -o.id)]
        return self.env_json({"category": "linear", "nextPageCursor": "", "list": lst})

    async def h_executions(self, request):
        q, bad = await self.verify(request)
        if bad is not None:
            return bad
        rows = []
        with self.ex.lock:
            for t in reversed(self.ex.trades):
                o = self.ex.orders[t.order_id]
                if q.get("orderId") and self.oid(o) != q["orderId"]:
                    continue
                if q.get("startTime") and t.time_ms < int(q["startTime"]):
                    continue
                rows.append(self.exec_obj(o, t))
        return self.env_json({"category": "linear", "nextPageCursor": "", "list": rows})

    async def h_wallet(self, request):
        _, bad = await self.verify(request)
        if bad is not None:
            return bad
        return await self.held_account(self.env_json({"list": self.wallet_obj()}))

    async def h_positions(self, request):
        _, bad = await self.verify(request)
        if bad is not None:
            return bad
        return self.env_json({"category": "linear", "nextPageCursor": "", "list": [self.position_obj()]})

    # ---- private stream ----
    def on_exchange_event(self, kind, payload):
        msgs = []
        if kind == "trade":
            o, tr = payload
            ex_msg = json.dumps({"id": f"e{tr.id}", "topic": "execution", "creationTime": now_ms(), "data": [self.exec_obj(o, tr)]})
            msgs.append(ex_msg)
            if self.duplicate_events:
                msgs.append(ex_msg)
        else:
            o = payload
        msgs.append(json.dumps({"id": f"o{o.id}-{o.updated_ms}", "topic": "order", "creationTime": now_ms(), "data": [self.order_obj(o)]}))
        if kind in ("trade", "cancelled"):
            msgs.append(json.dumps({"id": "p", "topic": "position", "creationTime": now_ms(), "data": [self.position_obj()]}))
            msgs.append(json.dumps({"id": "w", "topic": "wallet", "creationTime": now_ms(), "data": self.wallet_obj()}))
        self.push(msgs)

    async def ws_private(self, request):
        if self.stream_blocked.is_set():
            return web.Response(status=503, text="unavailable")
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        authed = False
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            req = json.loads(msg.data)
            op = req.get("op")
            if op == "ping":
                await ws.send_str(json.dumps({"req_id": req.get("req_id"), "op": "pong", "args": [str(now_ms())], "conn_id": "mock-1"}))
            elif op == "auth":
                key, expires, sig = req["args"]
                good = hmac.new(SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                if key != API_KEY or int(expires) < now_ms() or not hmac.compare_digest(good, sig):
                    self.bad_signature()
                    await ws.send_str(json.dumps({"success": False, "ret_msg": "error sign!", "op": "auth", "conn_id": "mock-1"}))
                    continue
                authed = True
                await ws.send_str(json.dumps({"success": True, "ret_msg": "", "op": "auth", "conn_id": "mock-1"}))
            elif op == "subscribe":
                if not authed:
                    await ws.send_str(json.dumps({"success": False, "ret_msg": "Request not authorized", "op": "subscribe", "conn_id": "mock-1"}))
                    continue
                self.user_sockets.add(ws)
                await ws.send_str(json.dumps({"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "mock-1", "req_id": req.get("req_id")}))
        self.user_sockets.discard(ws)
        return ws

    def expected_balances(self):
        c = self.wallet_obj()[0]["coin"][0]
        return {"USDT": (D(c["walletBalance"]) - D(c["locked"]), D(c["locked"]))}
