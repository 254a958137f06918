"""A mock Hyperliquid on 127.0.0.1: `/info`, `/exchange` and the WebSocket (`/ws`) with Hyperliquid's
wire formats (../shared/specs/hyperliquid.md, ../shared/specs/execution/hyperliquid.md).

Every action's signer is recovered with the official SDK (`recover_agent_or_user_from_l1_action`,
eth-account underneath — never our Swift code) and must be the approved agent; the mock refuses
reused, stale or far-future nonces per signer, expired actions, prices off Hyperliquid's grid
(5 significant figures, 6 − szDecimals decimals), orders under $10, post-only orders that would
cross, reduce-only orders that would grow the position, and orders beyond the account's margin,
with the venue's own texts. Orders match against the recorded BTC book
(ws_l2Book_BTC_2025-01-26.jsonl). A modify is a cancel-replace: the order gets a new oid under the
same cloid and the old oid reports `canceled` on `orderUpdates`, as on Hyperliquid.

Faults on `order` (an `order` action): hang, drop, 503 (accepted, then a 503), 500_before,
reset_before, 429 (Retry-After: 2). Stream: `drop_streams()` closes every socket with user
subscriptions; while `stream_blocked` is set user subscriptions are refused; `duplicate_events`
sends every fill push twice; while `lookups_blocked` is set `orderStatus` answers 500. `replay=True` serves the recorded l2Book and trades frames one by one
(pausing at `checkpoints`) instead of the static book."""
from __future__ import annotations

import asyncio
import json
import pathlib
import threading
import time
from decimal import Decimal as D

from aiohttp import WSMsgType, web
from eth_account import Account
from hyperliquid.utils.signing import recover_agent_or_user_from_l1_action

from mock_exchange import Exchange, MockVenue, Reject, now_ms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "hyperliquid"

# Obviously fake: the spec's test key (agent) and a made-up account address.
AGENT_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
AGENT = Account.from_key(AGENT_KEY).address.lower()
ACCOUNT = "0x" + "0" * 35 + "a11ce"
LEVERAGE = D(20)
SZ_DECIMALS = {"BTC": 5, "ETH": 4}


def s(x: D) -> str:
    """Hyperliquid's number strings: no exponent, no trailing zeros."""
    if x == 0:
        return "0.0"
    t = format(x.normalize(), "f")
    return t


def q6(x: D) -> D:
    return x.quantize(D("0.000001"))


def price_ok(px: D, sz_decimals: int, spot=False) -> bool:
    """Hyperliquid's price rule, independently of the gateway: at most (6 or 8) − szDecimals
    decimals, and at most 5 significant figures unless the price is an integer."""
    t = px.normalize()
    exp = t.as_tuple().exponent
    decimals = -exp if exp < 0 else 0
    if decimals > (8 if spot else 6) - sz_decimals:
        return False
    if px == px.to_integral_value():
        return True
    digits = t.as_tuple().digits
    return len(digits) <= 5


def book_frames():
    return (DATA / "ws_l2Book_BTC_2025-01-26.jsonl").read_text().splitlines()


def trade_frames():
    return (DATA / "ws_trades_BTC_2025-01-26.jsonl").read_text().splitlines()


class MockHyperliquid(MockVenue):
    def __init__(self, usdc="100000", replay=False, mainnet=True, agent=AGENT):
        first = json.loads(book_frames()[0])["data"]["levels"]
        bids = [(l["px"], l["sz"]) for l in first[0]]
        asks = [(l["px"], l["sz"]) for l in first[1]]
        super().__init__(Exchange("BTC", "BTC", "USDC", bids, asks, {"USDC": usdc, "BTC": "0"},
                                  tick=D("0.1"), lot=D("0.00001"), min_notional=D("10"), taker_fee=D("0.00035"), maker_fee=D("0.0001")))
        self.ex.margin = True
        self.ex.check_balance = False              # margin is judged by margin_problem()
        self.ex.ledger_status = self.ledger_status
        self.mainnet = mainnet
        self.agent = agent.lower()
        self.replay = replay
        self.checkpoints: set[int] = set()
        self.paused_at = None
        self.resume = threading.Event()
        self.frames_sent = 0
        self.trades_go = threading.Event()         # replay: trades start once the test is listening
        self.lookups_blocked = threading.Event()   # while set, orderStatus answers 500 (an order stays unresolved)
        # Hyperliquid state the core does not keep.
        self.oid_of: dict[int, int] = {}          # core order id -> current oid
        self.order_by_oid: dict[int, object] = {}  # every oid ever (superseded ones too) -> core order
        self.cloid_of: dict[int, str] = {}
        self.next_oid = 77738308
        self.nonces: dict[str, list[int]] = {}     # signer -> nonces seen (highest 100 kept)
        self.actions: list[dict] = []              # every verified action: {"type","nonce","expiresAfter","n"}
        self.fundings: list[dict] = []
        self.collateral_adj = D(0)                 # funding paid or received
        self.user_subscriptions = 0
        self.snapshot_fills = True                 # userFills' first push carries the recent fills
        self.start_position: dict[int, D] = {}    # tid -> position before the fill
        self.scheduled_cancel = None               # ms UTC when every open order is cancelled (scheduleCancel)
        self.schedule_history: list = []           # every scheduleCancel: its time (None clears)
        self.scheduled_triggers = 0                # times the schedule fired (the venue caps it at 10 a day)

    # ---- configuration ----
    def config(self, mode="live", orphans="cancel", submit_timeout_ms=1500, extra="", key_env="MOCK_HL_KEY", testnet=False):
        base = f"127.0.0.1:{self.port}"
        return (f'[venues.hyperliquid]\nenabled = true\nmode = "{mode}"\ncoins = ["BTC"]\n'
                + ("testnet = true\n" if testnet else "")
                + f'ws_url = "ws://{base}/ws"\nrest_url = "http://{base}"\n'
                f'key_env = "{key_env}"\naccount_address = "{ACCOUNT}"\n'
                f'submit_timeout_ms = {submit_timeout_ms}\norphans = "{orphans}"\nresolve_interval_ms = 100\nheartbeat_ms = 1000\n'
                f'backoff_min_ms = 50\nbackoff_max_ms = 500\nidle_timeout_ms = 5000\n{extra}')

    @staticmethod
    def env():
        return {"MOCK_HL_KEY": AGENT_KEY}

    def app(self):
        app = web.Application()
        app.router.add_post("/info", self.h_info)
        app.router.add_post("/exchange", self.h_exchange)
        app.router.add_get("/ws", self.ws)
        return app

    # ---- the account as Hyperliquid computes it ----
    def ledger_status(self, o):
        """What the gateway must show for a core order: an IOC remainder is cancelled by the venue
        (a fully unfilled IOC is refused as iocCancelRejected: expired)."""
        if o.status == "expired":
            return "cancelled" if o.filled > 0 else "expired"
        return {"new": "open"}.get(o.status, o.status)

    def word(self, o):
        return {"new": "open", "partially_filled": "open", "filled": "filled", "cancelled": "canceled", "rejected": "rejected",
                "expired": "canceled" if o.filled > 0 else "iocCancelRejected"}[o.status]

    def oid(self, o):
        if o.id not in self.oid_of:
            self.next_oid += 1
            self.oid_of[o.id] = self.next_oid
            self.order_by_oid[self.next_oid] = o
        return self.oid_of[o.id]

    def position(self):
        ex = self.ex
        with ex.lock:
            q = ex.free.get("BTC", D(0)) + ex.locked.get("BTC", D(0))
            cost = sum((t.qty * t.price * (1 if t.side == "buy" else -1) for t in ex.trades), D(0))
            mark = (ex.best_bid() + ex.best_ask()) / 2
            collateral = ex.free["USDC"] + ex.locked["USDC"] + cost + self.collateral_adj
            entry = abs(cost / q) if q else D(0)
            upnl = q6((mark - entry) * q) if q else D(0)
            return q, entry, mark, collateral, upnl

    def clearinghouse(self):
        q, entry, mark, collateral, upnl = self.position()
        value = q6(collateral + upnl)
        used = q6(abs(q) * mark / LEVERAGE)
        withdrawable = max(D(0), value - used)
        positions = []
        if q:
            liq = q6(entry - (collateral / q) * (1 - 1 / (2 * LEVERAGE))) if q > 0 else q6(entry + (collateral / -q) * (1 - 1 / (2 * LEVERAGE)))
            positions.append({"type": "oneWay", "position": {
                "coin": "BTC", "szi": s(q), "entryPx": s(q6(entry)), "positionValue": s(q6(abs(q) * mark)), "unrealizedPnl": s(upnl),
                "returnOnEquity": "0.0", "liquidationPx": s(max(liq, D(0))), "marginUsed": s(used),
                "leverage": {"type": "cross", "value": int(LEVERAGE)}, "maxLeverage": 40, "cumFunding": {"allTime": "0.0", "sinceOpen": "0.0", "sinceChange": "0.0"}}})
        summary = {"accountValue": s(value), "totalNtlPos": s(q6(abs(q) * mark)), "totalRawUsd": s(q6(collateral)), "totalMarginUsed": s(used)}
        return {"marginSummary": summary, "crossMarginSummary": summary, "crossMaintenanceMarginUsed": s(q6(used / 2)),
                "withdrawable": s(withdrawable), "assetPositions": positions, "time": now_ms()}

    def expected_balances(self):
        c = self.clearinghouse()
        value = D(c["marginSummary"]["accountValue"])
        upnl = sum((D(p["position"]["unrealizedPnl"]) for p in c["assetPositions"]), D(0))
        collateral = value - upnl
        free = min(max(D(c["withdrawable"]), D(0)), collateral)
        return {"USDC": (free, collateral - free)}

    # ---- wire objects ----
    def order_obj(self, o, oid=None):
        return {"coin": "BTC", "side": "B" if o.side == "buy" else "A", "limitPx": s(o.price or D(0)), "sz": s(o.remaining if o.live else D(0)),
                "oid": oid or self.oid(o), "timestamp": o.created_ms, "origSz": s(o.qty), "cloid": o.client_id,
                "orderType": "Limit", "tif": "Alo" if o.post_only else ("Ioc" if o.tif == "ioc" else "Gtc"), "reduceOnly": False,
                "isTrigger": False, "triggerPx": "0.0", "triggerCondition": "N/A", "isPositionTpsl": False, "children": []}

    def fill_obj(self, o, t):
        start = self.start_position.get(t.id)
        if start is None:
            start = sum(((x.qty if x.side == "buy" else -x.qty) for x in self.ex.trades if x.id < t.id), D(0))
            self.start_position[t.id] = start
        return {"coin": "BTC", "px": s(t.price), "sz": s(t.qty), "side": "B" if t.side == "buy" else "A", "time": t.time_ms,
                "startPosition": s(start), "dir": "Open Long" if t.side == "buy" else "Open Short", "closedPnl": "0.0",
                "hash": "0x" + f"{t.id:064x}", "oid": self.oid_of.get(o.id) or self.oid(o), "crossed": not t.maker, "fee": s(t.fee),
                "tid": t.id, "feeToken": "USDC"}

    # ---- /info ----
    async def h_info(self, request):
        try:
            body = await request.json()
        except Exception:
            return web.Response(status=422, text="Failed to deserialize the JSON body into the target type")
        t = body.get("type")
        user = (body.get("user") or "").lower()
        mine = user == ACCOUNT
        ex = self.ex
        if t == "meta":
            return web.json_response({"universe": [{"name": "BTC", "szDecimals": 5, "maxLeverage": 40}, {"name": "ETH", "szDecimals": 4, "maxLeverage": 25}]})
        if t == "spotMeta":
            return web.json_response({"tokens": [{"name": "USDC", "szDecimals": 8, "weiDecimals": 8, "index": 0}], "universe": []})
        if t == "orderStatus":
            if self.lookups_blocked.is_set():
                return web.Response(status=500, text="Internal Server Error")
            oid = body.get("oid")
            o = None
            if mine:
                with ex.lock:
                    if isinstance(oid, int):
                        o = self.order_by_oid.get(oid)
                    elif isinstance(oid, str):
                        o = ex.by_client(oid.lower())
            if o is None:
                return web.json_response({"status": "unknownOid"})
            return web.json_response({"status": "order", "order": {"order": self.order_obj(o), "status": self.word(o), "statusTimestamp": o.updated_ms}})
        if t in ("frontendOpenOrders", "openOrders"):
            if not mine:
                return web.json_response([])
            with ex.lock:
                return web.json_response([self.order_obj(o) for o in sorted(ex.open_orders(), key=lambda o: -o.id)])
        if t in ("userFills", "userFillsByTime"):
            if not mine:
                return web.json_response([])
            start = int(body.get("startTime", 0))
            end = int(body.get("endTime", 1 << 62))
            with ex.lock:
                rows = [self.fill_obj(ex.orders[t_.order_id], t_) for t_ in ex.trades if start <= t_.time_ms <= end]
            return web.json_response(rows[:2000])
        if t == "clearinghouseState":
            return web.json_response(self.clearinghouse() if mine else {"marginSummary": {"accountValue": "0.0", "totalNtlPos": "0.0", "totalRawUsd": "0.0",
                                                                                         "totalMarginUsed": "0.0"}, "withdrawable": "0.0", "assetPositions": []})
        if t == "spotClearinghouseState":
            return web.json_response({"balances": []})
        if t == "userRateLimit":
            return web.json_response({"cumVlm": "0.0", "nRequestsUsed": len(self.actions), "nRequestsCap": 10000, "nRequestsSurplus": 0})
        if t == "userFunding":
            return web.json_response([{"time": f["time"], "hash": "0x0", "delta": dict(f, type="funding")} for f in self.fundings] if mine else [])
        return web.Response(status=422, text="Failed to deserialize the JSON body into the target type")

    # ---- /exchange ----
    def check_nonce(self, signer, nonce):
        now = now_ms()
        seen = self.nonces.setdefault(signer, [])
        if nonce in seen:
            return f"Invalid nonce: duplicate nonce {nonce}"
        if nonce > now + 86_400_000:
            return f"Invalid nonce: nonce too high {nonce} > {now + 86_400_000}"
        if nonce < now - 2 * 86_400_000 or (len(seen) >= 100 and nonce < min(seen)):
            return f"Invalid nonce: nonce too low {nonce} < {min(seen) if seen else now - 2 * 86_400_000}"
        seen.append(nonce)
        seen.sort()
        del seen[:-100]
        return None

    async def h_exchange(self, request: web.Request):
        try:
            body = await request.json()
            action, nonce, sig = body["action"], body["nonce"], body["signature"]
            vault, expires = body.get("vaultAddress"), body.get("expiresAfter")
        except Exception:
            return web.Response(status=422, text="Failed to deserialize the JSON body into the target type")
        self.count_signed()
        signer = recover_agent_or_user_from_l1_action(action, sig, vault, nonce, expires, self.mainnet).lower()
        if signer != self.agent:
            self.bad_signature()
            return web.json_response({"status": "err", "response": f"User or API Wallet {signer} does not exist."})
        with self.lock:
            problem = self.check_nonce(signer, nonce)
        if problem:
            return web.json_response({"status": "err", "response": problem})
        if expires is not None and expires < now_ms():
            return web.json_response({"status": "err", "response": f"Action expired: expiresAfter {expires} is in the past"})
        kind = action.get("type")
        with self.lock:
            self.actions.append({"type": kind, "nonce": nonce, "expiresAfter": expires, "n": len(action.get("orders", action.get("cancels", action.get("modifies", []))))})
        if kind == "order":
            return await self.order_action(request, action)
        if kind in ("cancel", "cancelByCloid"):
            return web.json_response({"status": "ok", "response": {"type": "cancel", "data": {"statuses": [self.cancel_one(kind, c) for c in action["cancels"]]}}})
        if kind == "batchModify":
            return web.json_response({"status": "ok", "response": {"type": "batchModify", "data": {"statuses": [self.modify_one(m) for m in action["modifies"]]}}})
        if kind == "scheduleCancel":
            t = action.get("time")
            if t is not None and t < now_ms() + 5000:
                return web.json_response({"status": "err", "response": "Scheduled cancel time too early, must be at least 5 seconds from now."})
            if t is not None and self.scheduled_triggers >= 10:
                return web.json_response({"status": "err", "response": "Too many scheduled cancel triggers today."})
            with self.lock:
                self.scheduled_cancel = t
                self.schedule_history.append(t)
            if t is not None:
                asyncio.get_running_loop().call_later((t - now_ms()) / 1000 + 0.01, self.fire_schedule, t)
            return web.json_response({"status": "ok", "response": {"type": "default"}})
        return web.Response(status=422, text="Failed to deserialize the JSON body into the target type")

    async def order_action(self, request, action):
        self.count_order_request()
        fault = self.faults.take("order")
        if fault == "429":
            self.blocked_until = time.time() + 2
            return web.Response(status=429, text="Too many requests", headers={"Retry-After": "2"})
        if fault == "500_before":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "reset_before":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        statuses = [self.place_one(w) for w in action["orders"]]
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
            return web.Response(status=503, text="Service Unavailable")
        return web.json_response({"status": "ok", "response": {"type": "order", "data": {"statuses": statuses}}})

    def margin_problem(self, side, qty, price):
        """Initial margin of the position after the order (and the other open orders) against the account value."""
        q, entry, mark, collateral, upnl = self.position()
        with self.ex.lock:
            open_notional = sum((o.remaining * o.price for o in self.ex.open_orders() if o.price), D(0))
        after = abs(q + (qty if side == "buy" else -qty))
        need = (after * mark + open_notional + (qty * price if after > abs(q) else 0)) / LEVERAGE
        return need > collateral + upnl

    def place_one(self, w):
        ex = self.ex
        try:
            asset, buy, px, sz, reduce, tif = w["a"], w["b"], D(w["p"]), D(w["s"]), w["r"], w["t"]["limit"]["tif"]
        except (KeyError, ArithmeticError, TypeError):
            return {"error": "Invalid order"}
        if asset != 0:
            return {"error": f"Asset {asset} is not tradable in this mock"}
        cloid = (w.get("c") or "").lower()
        if not price_ok(px, SZ_DECIMALS["BTC"]):
            return {"error": "Price must be divisible by tick size. asset=0"}
        if sz <= 0 or sz != sz.quantize(D("0.00001")):
            return {"error": "Order has invalid size. asset=0"}
        if px * sz < 10:
            return {"error": "Order must have minimum value of $10. asset=0"}
        side = "buy" if buy else "sell"
        crosses = (buy and px >= ex.best_ask()) or (not buy and px <= ex.best_bid())
        if tif == "Alo" and crosses:
            return {"error": f"Post only order would have immediately matched, bbo was {s(ex.best_bid())}@{s(ex.best_ask())}. asset=0"}
        q = self.position()[0]
        if reduce and (q == 0 or (q > 0) == buy or sz > abs(q)):
            return {"error": "Reduce only order would increase position. asset=0"}
        if self.margin_problem(side, sz, px):
            return {"error": "Insufficient margin to place order. asset=0"}
        try:
            o = ex.place(cloid, side, "limit", "ioc" if tif == "Ioc" else "gtc", sz, px, post_only=tif == "Alo")
        except Reject as r:
            if r.kind == "insufficient_balance":
                return {"error": "Insufficient margin to place order. asset=0"}
            if r.kind == "duplicate":
                return {"error": "Duplicate cloid: an open order already uses it. asset=0"}
            return {"error": r.message}
        oid = self.oid(o)
        if o.status == "expired" and o.filled == 0:
            return {"error": "Order could not immediately match against any resting orders. asset=0"}
        if o.filled > 0:
            return {"filled": {"totalSz": s(o.filled), "avgPx": s(q6(o.quote_filled / o.filled)), "oid": oid, "cloid": cloid or None}}
        return {"resting": {"oid": oid, "cloid": cloid or None}}

    def find(self, ref):
        ex = self.ex
        with ex.lock:
            if isinstance(ref, int):
                o = self.order_by_oid.get(ref)
                # A superseded oid no longer names a live order.
                return o if o is not None and self.oid_of.get(o.id) == ref else None
            return ex.by_client(str(ref).lower())

    def cancel_one(self, kind, c):
        o = self.find(c.get("o") if kind == "cancel" else c.get("cloid"))
        if o is None or not o.live:
            return {"error": "Order was never placed, already canceled, or filled. asset=0"}
        self.ex.cancel(venue_id=o.id)
        return "success"

    def fire_schedule(self, t):
        """The venue's dead-man's switch: at the scheduled time every open order is cancelled
        (statuses `scheduledCancel`), unless the schedule was moved or cleared meanwhile."""
        with self.lock:
            if self.scheduled_cancel != t:
                return
            self.scheduled_cancel = None
            self.scheduled_triggers += 1
        for o in [o for o in list(self.ex.orders.values()) if o.live]:
            self.ex.cancel(venue_id=o.id)

    def modify_one(self, m):
        """Cancel-replace: the order keeps its cloid and fills, gets a new oid, price and size; a
        crossing price takes liquidity at once."""
        ex = self.ex
        o = self.find(m.get("oid"))
        w = m.get("order", {})
        if o is None or not o.live:
            return {"error": "Cannot modify canceled or filled order. asset=0"}
        try:
            px, sz = D(w["p"]), D(w["s"])
        except (KeyError, ArithmeticError):
            return {"error": "Invalid order"}
        if not price_ok(px, SZ_DECIMALS["BTC"]):
            return {"error": "Price must be divisible by tick size. asset=0"}
        if px * sz < 10:
            return {"error": "Order must have minimum value of $10. asset=0"}
        if w.get("t", {}).get("limit", {}).get("tif") == "Alo" and ((o.side == "buy" and px >= ex.best_ask()) or (o.side == "sell" and px <= ex.best_bid())):
            return {"error": f"Post only order would have immediately matched, bbo was {s(ex.best_bid())}@{s(ex.best_ask())}. asset=0"}
        with ex.lock:
            old_oid = self.oid_of[o.id]
            ex._unlock_for(o, o.remaining)
            # The old leg ends (as the venue reports it), the new one rests under a new oid.
            self.push([json.dumps({"channel": "orderUpdates", "data": [{"order": dict(self.order_obj(o, oid=old_oid), sz="0.0"),
                                                                         "status": "canceled", "statusTimestamp": now_ms()}]})])
            self.next_oid += 1
            self.oid_of[o.id] = self.next_oid
            self.order_by_oid[self.next_oid] = o
            o.price = px
            o.qty = o.filled + sz
            o.updated_ms = now_ms()
            levels = ex.asks if o.side == "buy" else ex.bids
            for p, q in list(levels):
                if o.remaining <= 0 or (o.side == "buy" and p > px) or (o.side == "sell" and p < px):
                    break
                ex._fill(o, p, min(o.remaining, q), maker=False)
            if o.remaining > 0:
                ex._lock_for(o, o.remaining)
                ex.emit("new", o)
            filled_now = o.filled
        if o.remaining <= 0:
            return {"filled": {"totalSz": s(sz), "avgPx": s(q6(o.quote_filled / filled_now)), "oid": self.next_oid, "cloid": o.client_id}}
        return {"resting": {"oid": self.oid_of[o.id], "cloid": o.client_id}}

    def pay_funding(self, rate: D):
        """A funding payment on the open position (longs pay a positive rate), pushed on userFundings."""
        q, entry, mark, collateral, upnl = self.position()
        usdc = q6(-q * mark * rate)
        self.collateral_adj += usdc
        f = {"time": now_ms(), "coin": "BTC", "usdc": s(usdc), "szi": s(q), "fundingRate": s(rate), "nSamples": None}
        self.fundings.append(f)
        msg = json.dumps({"channel": "userFundings", "data": {"user": ACCOUNT, "fundings": [f]}})
        self.push([msg, msg] if self.duplicate_events else [msg])
        return usdc

    # ---- user channels ----
    def on_exchange_event(self, kind, payload):
        msgs = []
        if kind == "trade":
            o, tr = payload
            fills = json.dumps({"channel": "userFills", "data": {"user": ACCOUNT, "fills": [self.fill_obj(o, tr)]}})
            msgs.append(fills)
            if self.duplicate_events:
                msgs.append(fills)
        else:
            o = payload
        msgs.append(json.dumps({"channel": "orderUpdates", "data": [{"order": self.order_obj(o), "status": self.word(o), "statusTimestamp": now_ms()}]}))
        self.push(msgs)

    # ---- WebSocket ----
    async def ws(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        tasks = []
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    req = json.loads(msg.data)
                except ValueError:
                    await ws.send_str(json.dumps({"channel": "error", "data": f"Invalid JSON: {msg.data[:100]}"}))
                    continue
                if req.get("method") == "ping":
                    await ws.send_str(json.dumps({"channel": "pong"}))
                    continue
                if req.get("method") != "subscribe":
                    continue
                sub = req.get("subscription", {})
                t = sub.get("type")
                if t in ("orderUpdates", "userFills", "userFundings", "userEvents"):
                    if self.stream_blocked.is_set():
                        await ws.send_str(json.dumps({"channel": "error", "data": f"Error subscribing: service unavailable {json.dumps(sub)}"}))
                        continue
                    await ws.send_str(json.dumps({"channel": "subscriptionResponse", "data": {"method": "subscribe", "subscription": sub}}))
                    self.user_sockets.add(ws)
                    with self.lock:
                        self.user_subscriptions += 1
                    user = (sub.get("user") or "").lower()
                    if t == "userFills":
                        with self.ex.lock:
                            fills = [self.fill_obj(self.ex.orders[x.order_id], x) for x in self.ex.trades] if user == ACCOUNT and self.snapshot_fills else []
                        await ws.send_str(json.dumps({"channel": "userFills", "data": {"isSnapshot": True, "user": user, "fills": fills}}))
                    if t == "userFundings":
                        await ws.send_str(json.dumps({"channel": "userFundings", "data": {"isSnapshot": True, "user": user,
                                                                                          "fundings": list(self.fundings) if user == ACCOUNT else []}}))
                    continue
                await ws.send_str(json.dumps({"channel": "subscriptionResponse", "data": {"method": "subscribe", "subscription": sub}}))
                if t == "l2Book" and sub.get("coin") == "BTC":
                    tasks.append(asyncio.ensure_future(self.replay_books(ws) if self.replay else self.static_books(ws)))
                elif t == "trades" and sub.get("coin") == "BTC" and self.replay:
                    tasks.append(asyncio.ensure_future(self.replay_trades(ws)))
                elif t == "activeAssetCtx" and sub.get("coin") == "BTC":
                    await ws.send_str(json.dumps({"channel": "activeAssetCtx", "data": {"coin": "BTC", "ctx": {
                        "funding": "0.0000125", "openInterest": "27353.17682", "prevDayPx": "104000.0", "dayNtlVlm": "1516669192.19",
                        "premium": "-0.0005927453", "oraclePx": "105060.0", "markPx": "105057.0", "midPx": "105055.5",
                        "impactPxs": ["105055.0", "105056.0"], "dayBaseVlm": "19707.77457"}}}))
        finally:
            for t in tasks:
                t.cancel()
            self.user_sockets.discard(ws)
        return ws

    async def static_books(self, ws):
        ex = self.ex
        while not ws.closed:
            with ex.lock:
                levels = [[{"px": s(p), "sz": s(q), "n": 1} for p, q in ex.bids[:20]], [{"px": s(p), "sz": s(q), "n": 1} for p, q in ex.asks[:20]]]
            await ws.send_str(json.dumps({"channel": "l2Book", "data": {"coin": "BTC", "time": now_ms(), "levels": levels}}))
            await asyncio.sleep(0.2)

    async def replay_books(self, ws):
        for k, line in enumerate(book_frames()):
            if ws.closed:
                return
            await ws.send_str(line)
            self.frames_sent = k + 1
            if k in self.checkpoints:
                self.paused_at = k
                while not self.resume.is_set():
                    await asyncio.sleep(0.005)
                self.resume.clear()
                self.paused_at = None
        while not ws.closed:
            await asyncio.sleep(0.5)

    async def replay_trades(self, ws):
        while not self.trades_go.is_set():
            await asyncio.sleep(0.01)
        for line in trade_frames():
            if ws.closed:
                return
            await ws.send_str(line)
            await asyncio.sleep(0.01)

    def orphan_cid(self, sample_cid, n):
        """One of our cloids (same ledger tag as `sample_cid`) for order number n."""
        return sample_cid[:-18] + str(n).rjust(18, "0")
