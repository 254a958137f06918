"""A mock OKX v5 venue on 127.0.0.1 for spot BTC-USDT: public books (snapshot + updates with valid
CRC-32 checksums, from the recorded book), REST order entry/queries, and the private WebSocket
(`orders`, `account` channels after login) — OKX's wire formats (../shared/specs/execution/okx.md),
every request's key, passphrase, timestamp and HMAC verified with Python's hmac/base64.

Order faults (`faults.add("order", mode)`): hang, drop, 50004 (accepted; "API endpoint request
timeout"), 500_before, reset_before, 429 (50011). Stream: drop_streams(), stream_blocked,
duplicate_events (each orders push sent twice)."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import pathlib
import threading
import time
import zlib
from datetime import datetime, timezone
from decimal import Decimal as D

from aiohttp import WSMsgType, web

from mock_exchange import Exchange, MockVenue, Reject, now_ms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

API_KEY = "00000000-fake-key0-0000-000000000000"
SECRET = "FAKE0000SECRET1111FAKE2222SECRET"
PASSPHRASE = "fake-passphrase"


def s(x: D) -> str:
    t = format(x.normalize(), "f")
    return t


def sign(prehash: str) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), prehash.encode(), hashlib.sha256).digest()).decode()


class MockOKX(MockVenue):
    def __init__(self, balances=None):
        snap = None
        for line in (DATA / "okx/cryptofeed_books_2022-05-13.jsonl").read_text().splitlines():
            m = json.loads(line)
            if m["action"] == "snapshot" and m["arg"]["instId"] == "BTC-USDT":
                snap = m["data"][0]
                break
        self.bid_text = [(b[0], b[1]) for b in snap["bids"]]
        self.ask_text = [(a[0], a[1]) for a in snap["asks"]]
        super().__init__(Exchange("BTC-USDT", "BTC", "USDT", self.bid_text, self.ask_text, balances or {"USDT": "100000", "BTC": "0.5"},
                                  tick=D("0.1"), lot=D("0.00000001"), min_notional=D("0")))
        self.cancel_after = None            # ms when cancel-all-after fires
        self.cancel_after_history: list = []  # every timeOut asked (0 disables)
        self.cancel_after_triggers = 0

    def config(self, mode="live", orphans="cancel", submit_timeout_ms=1500, extra=""):
        base = f"127.0.0.1:{self.port}"
        return (f'[venues.okx]\nenabled = true\nmode = "{mode}"\nsymbols = ["BTC-USDT"]\n'
                f'ws_url = "ws://{base}/ws/v5/public"\nrest_url = "http://{base}"\nws_private_url = "ws://{base}/ws/v5/private"\n'
                f'api_key_env = "MOCK_OKX_KEY"\napi_secret_env = "MOCK_OKX_SECRET"\npassphrase_env = "MOCK_OKX_PASS"\n'
                f'submit_timeout_ms = {submit_timeout_ms}\norphans = "{orphans}"\nresolve_interval_ms = 100\nheartbeat_ms = 1000\n'
                f'backoff_min_ms = 50\nbackoff_max_ms = 500\nidle_timeout_ms = 5000\n{extra}')

    @staticmethod
    def env():
        return {"MOCK_OKX_KEY": API_KEY, "MOCK_OKX_SECRET": SECRET, "MOCK_OKX_PASS": PASSPHRASE}

    def app(self):
        app = web.Application()
        r = app.router
        r.add_get("/api/v5/public/time", self.h_time)
        r.add_get("/api/v5/public/instruments", self.h_instruments)
        r.add_post("/api/v5/trade/order", self.h_place)
        r.add_post("/api/v5/trade/cancel-order", self.h_cancel)
        r.add_post("/api/v5/trade/cancel-all-after", self.h_cancel_all_after)
        r.add_get("/api/v5/trade/order", self.h_query)
        r.add_get("/api/v5/trade/orders-pending", self.h_pending)
        r.add_get("/api/v5/trade/fills", self.h_fills)
        r.add_get("/api/v5/account/balance", self.h_balance)
        r.add_get("/ws/v5/public", self.ws_public)
        r.add_get("/ws/v5/private", self.ws_private)
        return app

    # ---- helpers ----
    @staticmethod
    def resp(code="0", msg="", data=None, status=200):
        return web.json_response({"code": code, "msg": msg, "data": data or [], "inTime": str(now_ms() * 1000), "outTime": str(now_ms() * 1000)}, status=status)

    async def verify(self, request: web.Request):
        self.count_signed()
        body = await request.text() if request.can_read_body else ""
        h = request.headers
        if h.get("OK-ACCESS-KEY") != API_KEY:
            return None, body, self.resp("50111", "Invalid OK-ACCESS-KEY", status=401)
        if h.get("OK-ACCESS-PASSPHRASE") != PASSPHRASE:
            return None, body, self.resp("50105", "Invalid OK-ACCESS-PASSPHRASE", status=401)
        ts = h.get("OK-ACCESS-TIMESTAMP", "")
        try:
            t = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            return None, body, self.resp("50107", "Invalid OK-ACCESS-TIMESTAMP", status=401)
        if abs(time.time() - t) > 30:
            return None, body, self.resp("50102", "Timestamp request expired", status=401)
        path = request.path_qs
        good = sign(ts + request.method + path + body)
        if not hmac.compare_digest(good, h.get("OK-ACCESS-SIGN", "")):
            self.bad_signature()
            return None, body, self.resp("50113", "Invalid Sign", status=401)
        return (json.loads(body) if body else {}), body, None

    def order_obj(self, o):
        state = {"new": "live", "partially_filled": "partially_filled", "filled": "filled", "cancelled": "canceled",
                 "expired": "canceled", "rejected": "canceled"}[o.status]
        last = o.trades[-1] if o.trades else None
        typ = "market" if o.type == "market" else ("post_only" if o.post_only else {"gtc": "limit", "ioc": "ioc", "fok": "fok"}[o.tif])
        return {"instType": "SPOT", "instId": o.symbol, "ordId": str(o.id), "clOrdId": o.client_id, "tag": "", "px": s(o.price) if o.price else "",
                "sz": s(o.qty), "ordType": typ, "side": o.side, "posSide": "net", "tdMode": "cash", "tgtCcy": "base_ccy" if o.type == "market" else "",
                "state": state, "accFillSz": s(o.filled), "fillPx": s(last.price) if last else "", "fillSz": s(last.qty) if last else "",
                "tradeId": str(last.id) if last else "", "fillTime": str(last.time_ms) if last else "",
                "avgPx": s(o.quote_filled / o.filled) if o.filled else "", "fee": s(-o.fees), "feeCcy": "USDT", "rebate": "0", "rebateCcy": "USDT",
                "pnl": "0", "category": "normal", "reduceOnly": "false",
                "cancelSource": ("14" if o.status == "expired" and o.tif == "ioc" else "13" if o.status == "expired" else "1" if o.status == "cancelled" else ""),
                "source": "", "cTime": str(o.created_ms), "uTime": str(o.updated_ms)}

    # ---- public ----
    async def h_time(self, request):
        return web.json_response({"code": "0", "msg": "", "data": [{"ts": str(now_ms())}]})

    async def h_instruments(self, request):
        if request.query.get("instType") != "SPOT":
            return self.resp(data=[])
        return self.resp(data=[{"instType": "SPOT", "instId": "BTC-USDT", "instIdCode": 100001, "baseCcy": "BTC", "quoteCcy": "USDT",
                                "tickSz": "0.1", "lotSz": "0.00000001", "minSz": "0.00001", "state": "live"}])

    def checksum(self):
        ex = self.ex
        bids = [(p, q) for p, q in self.bid_text if D(q) > 0][:25]
        asks = [(p, q) for p, q in self.ask_text if D(q) > 0][:25]
        parts = []
        for i in range(25):
            if i < len(bids):
                parts += list(bids[i])
            if i < len(asks):
                parts += list(asks[i])
        crc = zlib.crc32(":".join(parts).encode())
        return crc - (1 << 32) if crc >= (1 << 31) else crc

    async def ws_public(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        streaming = None

        async def stream(arg):
            await ws.send_str(json.dumps({"arg": arg, "action": "snapshot", "data": [{
                "asks": [[p, q, "0", "1"] for p, q in self.ask_text], "bids": [[p, q, "0", "1"] for p, q in self.bid_text],
                "ts": str(now_ms()), "checksum": self.checksum()}]}))
            while not ws.closed:
                await asyncio.sleep(0.1)
                await ws.send_str(json.dumps({"arg": arg, "action": "update", "data": [{"asks": [], "bids": [], "ts": str(now_ms()),
                                                                                         "checksum": self.checksum()}]}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                if msg.data == "ping":
                    await ws.send_str("pong")
                    continue
                req = json.loads(msg.data)
                if req.get("op") != "subscribe":
                    continue
                for a in req["args"]:
                    await ws.send_str(json.dumps({"event": "subscribe", "arg": a}))
                    if a["channel"] == "books" and streaming is None:
                        streaming = asyncio.ensure_future(stream(a))
        finally:
            if streaming:
                streaming.cancel()
        return ws

    # ---- trading ----
    async def h_place(self, request):
        body, raw, bad = await self.verify(request)
        if bad is not None:
            return bad
        self.count_order_request()
        fault = self.faults.take("order")
        if fault == "429":
            self.blocked_until = time.time() + 2
            return self.resp("50011", "Too Many Requests", status=429)
        if fault == "500_before":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "reset_before":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        exp = request.headers.get("expTime")
        if exp and now_ms() > int(exp):
            return self.resp("1", "", [{"clOrdId": body.get("clOrdId", ""), "ordId": "", "sCode": "50037", "sMsg": "Order expired"}])
        cid = body.get("clOrdId", "")
        ot = body.get("ordType")
        side = body.get("side")
        try:
            qty = D(body["sz"])
            px = D(body["px"]) if "px" in body else None
            if ot == "market":
                if body.get("tgtCcy") != "base_ccy" and side == "buy":
                    return self.resp("1", "", [{"clOrdId": cid, "ordId": "", "sCode": "51000", "sMsg": "test mock sizes market buys in base only"}])
                o = self.ex.place(cid, side, "market", "ioc", qty, None)
            elif ot == "post_only":
                o = self.ex.place(cid, side, "limit", "gtc", qty, px, post_only=True)
            elif ot in ("limit", "ioc", "fok"):
                o = self.ex.place(cid, side, "limit", {"limit": "gtc", "ioc": "ioc", "fok": "fok"}[ot], qty, px)
            else:
                return self.resp("51000", f"Parameter ordType error", status=400)
        except Reject as r:
            code = {"insufficient_balance": "51008", "duplicate": "51016", "post_only": "51124"}.get(r.kind, "51121")
            msg = {"51008": "Order failed. Insufficient USDT balance in account", "51016": "Client order ID already exists.",
                   "51124": "You can only place a post only order when it does not take liquidity"}.get(code, r.message)
            return self.resp("1", "", [{"clOrdId": cid, "ordId": "", "tag": "", "ts": str(now_ms()), "sCode": code, "sMsg": msg, "subCode": ""}])
        except (KeyError, ArithmeticError):
            return self.resp("51000", "Parameter error", status=400)
        if fault == "hang":
            await asyncio.sleep(5)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        if fault == "50004":
            return self.resp("50004", "API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).",
                             status=400)
        return self.resp("0", "", [{"clOrdId": cid, "ordId": str(o.id), "tag": "", "ts": str(now_ms()), "sCode": "0", "sMsg": "Order placed", "subCode": ""}])

    async def h_cancel(self, request):
        body, raw, bad = await self.verify(request)
        if bad is not None:
            return bad
        try:
            o = self.ex.cancel(cid=body.get("clOrdId"), venue_id=int(body["ordId"]) if body.get("ordId") else None)
        except Reject:
            return self.resp("1", "", [{"clOrdId": body.get("clOrdId", ""), "ordId": body.get("ordId", ""), "ts": str(now_ms()), "sCode": "51400",
                                        "sMsg": "Order cancellation failed as the order has been filled, canceled or does not exist."}])
        return self.resp("0", "", [{"clOrdId": o.client_id, "ordId": str(o.id), "ts": str(now_ms()), "sCode": "0", "sMsg": ""}])

    async def h_cancel_all_after(self, request):
        """The dead-man's switch: 0 disables, 10 … 120 s arms (re-arming moves the deadline); when it
        passes every open order is cancelled (cancelSource 20)."""
        body, raw, bad = await self.verify(request)
        if bad is not None:
            return bad
        try:
            secs = int(body.get("timeOut", ""))
        except ValueError:
            secs = -1
        if secs != 0 and not 10 <= secs <= 120:
            return self.resp("51000", "Parameter timeOut error", status=200)
        with self.lock:
            self.cancel_after = None if secs == 0 else now_ms() + secs * 1000
            self.cancel_after_history.append(secs)
            deadline = self.cancel_after
        if deadline is not None:
            asyncio.get_running_loop().call_later(secs + 0.01, self.fire_cancel_after, deadline)
        return self.resp("0", "", [{"triggerTime": str(deadline or 0), "tag": "", "ts": str(now_ms())}])

    def fire_cancel_after(self, deadline):
        with self.lock:
            if self.cancel_after != deadline:
                return
            self.cancel_after = None
            self.cancel_after_triggers += 1
        for o in [o for o in list(self.ex.orders.values()) if o.live]:
            self.ex.cancel(venue_id=o.id)

    async def h_query(self, request):
        _, _, bad = await self.verify(request)
        if bad is not None:
            return bad
        q = request.query
        o = self.ex.orders.get(int(q["ordId"])) if q.get("ordId") else self.ex.by_client(q.get("clOrdId", ""))
        if o is None:
            return self.resp("51603", "Order does not exist.")
        return self.resp(data=[self.order_obj(o)])

    async def h_pending(self, request):
        _, _, bad = await self.verify(request)
        if bad is not None:
            return bad
        return self.resp(data=[self.order_obj(o) for o in sorted(self.ex.open_orders(), key=lambda o: -o.id)])

    def fill_row(self, t, bill):
        return {"instType": "SPOT", "instId": t.symbol, "tradeId": str(t.id), "ordId": str(t.order_id), "clOrdId": t.client_id, "billId": str(bill),
                "subType": "1" if t.side == "buy" else "2", "tag": "", "fillPx": s(t.price), "fillSz": s(t.qty), "side": t.side, "posSide": "net",
                "execType": "M" if t.maker else "T", "feeCcy": "USDT", "fee": s(-t.fee), "feeRate": "-0.001", "fillPnl": "0",
                "fillTime": str(t.time_ms), "ts": str(t.time_ms + 1)}

    async def h_fills(self, request):
        _, _, bad = await self.verify(request)
        if bad is not None:
            return bad
        q = request.query
        rows = []
        with self.ex.lock:
            for t in reversed(self.ex.trades):   # newest first, as OKX pages them
                bill = 680800019754098688 + t.id
                if q.get("ordId") and str(t.order_id) != q["ordId"]:
                    continue
                if q.get("begin") and t.time_ms < int(q["begin"]):
                    continue
                if q.get("after") and bill >= int(q["after"]):
                    continue
                rows.append(self.fill_row(t, bill))
        return self.resp(data=rows[: int(q.get("limit", "100"))])

    def balance_details(self):
        ex = self.ex
        with ex.lock:
            return [{"ccy": a, "eq": s(ex.free[a] + ex.locked.get(a, D(0))), "cashBal": s(ex.free[a] + ex.locked.get(a, D(0))),
                     "availBal": s(ex.free[a]), "frozenBal": s(ex.locked.get(a, D(0))), "ordFrozen": s(ex.locked.get(a, D(0))),
                     "uTime": str(now_ms())} for a in sorted(ex.free)]

    async def h_balance(self, request):
        _, _, bad = await self.verify(request)
        if bad is not None:
            return bad
        return await self.held_account(self.resp(data=[{"uTime": str(now_ms()), "totalEq": "0", "details": self.balance_details()}]))

    # ---- private stream ----
    def on_exchange_event(self, kind, payload):
        if kind == "trade":
            o, tr = payload
            d = self.order_obj(o)
            d.update({"fillFee": s(-tr.fee), "fillFeeCcy": "USDT", "execType": "M" if tr.maker else "T", "tradeId": str(tr.id),
                      "fillSz": s(tr.qty), "fillPx": s(tr.price), "fillTime": str(tr.time_ms)})
        else:
            o = payload
            d = self.order_obj(o)
            d.update({"tradeId": "", "fillSz": "0", "fillPx": "", "fillFee": "0"})
        msgs = [json.dumps({"arg": {"channel": "orders", "instType": "ANY", "uid": "1"}, "data": [d]})]
        if self.duplicate_events:
            d2 = dict(d)
            d2["uTime"] = str(int(d["uTime"]) + 1)
            msgs.append(json.dumps({"arg": {"channel": "orders", "instType": "ANY", "uid": "1"}, "data": [d2]}))
        if kind in ("trade", "cancelled"):
            msgs.append(json.dumps({"arg": {"channel": "account", "uid": "1"}, "data": [{"uTime": str(now_ms()), "details": self.balance_details()}]}))
        self.push(msgs)

    async def ws_private(self, request):
        if self.stream_blocked.is_set():
            return web.Response(status=503, text="unavailable")
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        logged_in = False
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            if msg.data == "ping":
                await ws.send_str("pong")
                continue
            req = json.loads(msg.data)
            op = req.get("op")
            if op == "login":
                a = req["args"][0]
                ts = a.get("timestamp", "0")
                ok = (a.get("apiKey") == API_KEY and a.get("passphrase") == PASSPHRASE and abs(time.time() - int(ts)) <= 30
                      and hmac.compare_digest(sign(ts + "GET" + "/users/self/verify"), a.get("sign", "")))
                if not ok:
                    self.bad_signature()
                    await ws.send_str(json.dumps({"event": "error", "code": "60009", "msg": "Login failed.", "connId": "m1"}))
                    continue
                logged_in = True
                await ws.send_str(json.dumps({"event": "login", "code": "0", "msg": "", "connId": "m1"}))
            elif op == "subscribe":
                if not logged_in:
                    await ws.send_str(json.dumps({"event": "error", "code": "60011", "msg": "Please log in", "connId": "m1"}))
                    continue
                for a in req["args"]:
                    await ws.send_str(json.dumps({"id": req.get("id"), "event": "subscribe", "arg": a, "connId": "m1"}))
                self.user_sockets.add(ws)
        self.user_sockets.discard(ws)
        return ws

    def expected_balances(self):
        with self.ex.lock:
            return {a: (self.ex.free[a], self.ex.locked.get(a, D(0))) for a in self.ex.free}
