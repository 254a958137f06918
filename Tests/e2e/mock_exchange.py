"""The venue-independent half of the mock exchanges: one account on one symbol, a book loaded from
the real recordings in ../shared/data, order matching, balances, trades, and a log of every order
the venue accepted per client order id (the tests assert at most one order per intent).

Each venue face (mock_binance.py, mock_okx.py, mock_bybit.py) speaks its venue's wire format over
this core, verifies every signature with Python's own hmac (never our Swift code), and answers
bad requests with the venue's own errors. Faults are queued per endpoint by the tests."""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

D = Decimal


def now_ms() -> int:
    return int(time.time() * 1000)


class Reject(Exception):
    """A definite refusal: nothing was placed."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind        # insufficient_balance | post_only | filter | unknown_order | duplicate
        self.message = message


@dataclass
class Trade:
    id: int
    order_id: int
    client_id: str
    symbol: str
    side: str           # buy | sell
    price: D
    qty: D
    fee: D              # in the quote asset
    maker: bool
    time_ms: int


@dataclass
class Order:
    id: int
    client_id: str
    symbol: str
    side: str           # buy | sell
    type: str           # market | limit
    tif: str            # gtc | ioc | fok
    price: D | None
    qty: D
    post_only: bool = False
    filled: D = D(0)
    quote_filled: D = D(0)
    fees: D = D(0)
    status: str = "new"  # new | partially_filled | filled | cancelled | rejected | expired
    created_ms: int = 0
    updated_ms: int = 0
    cancel_client_id: str | None = None
    trades: list = field(default_factory=list)

    @property
    def remaining(self) -> D:
        return self.qty - self.filled

    @property
    def live(self) -> bool:
        return self.status in ("new", "partially_filled")


class Exchange:
    """One account trading one symbol against a static book (ours is the only flow that fills)."""

    def __init__(self, symbol: str, base: str, quote: str, bids, asks, balances: dict, tick: D, lot: D, min_notional: D,
                 taker_fee=D("0.001"), maker_fee=D("0.0005")):
        self.symbol, self.base, self.quote = symbol, base, quote
        self.bids = sorted(((D(p), D(q)) for p, q in bids), key=lambda x: -x[0])
        self.asks = sorted(((D(p), D(q)) for p, q in asks), key=lambda x: x[0])
        self.free = {k: D(v) for k, v in balances.items()}
        self.locked = {k: D(0) for k in balances}
        self.tick, self.lot, self.min_notional = tick, lot, min_notional
        self.taker_fee, self.maker_fee = taker_fee, maker_fee
        self.lock = threading.RLock()
        self.orders: dict[int, Order] = {}
        self.trades: list[Trade] = []
        self.accepted: dict[str, int] = {}      # client id -> venue orders created with it (must stay <= 1)
        self.order_ids = itertools.count(28457123)
        self.trade_ids = itertools.count(4012345)
        self.listeners: list = []               # callables(kind, payload) on every change
        self.margin = False                     # derivatives: the base balance is a signed position (shorts allowed)
        self.request_log: list = []             # (endpoint, verified) for every signed request
        self.ledger_status = None               # optional: core order -> the status the ledger must show
        self.check_balance = True               # spot-style balance check in place()

    # ---- events ----
    def emit(self, kind: str, payload):
        for cb in list(self.listeners):
            cb(kind, payload)

    # ---- queries ----
    def by_client(self, cid: str) -> Order | None:
        with self.lock:
            for o in sorted(self.orders.values(), key=lambda o: -o.id):
                if o.client_id == cid:
                    return o
        return None

    def open_orders(self):
        with self.lock:
            return [o for o in self.orders.values() if o.live]

    def balance(self, asset):
        with self.lock:
            return self.free.get(asset, D(0)), self.locked.get(asset, D(0))

    def best_bid(self):
        return self.bids[0][0]

    def best_ask(self):
        return self.asks[0][0]

    # ---- trading ----
    def place(self, cid: str, side: str, typ: str, tif: str, qty: D, price: D | None, post_only=False) -> Order:
        with self.lock:
            live = self.by_client(cid)
            if live is not None and live.live:
                raise Reject("duplicate", "Duplicate order sent.")
            if qty <= 0 or (qty / self.lot) != (qty / self.lot).to_integral_value():
                raise Reject("filter", "Filter failure: LOT_SIZE")
            if price is not None and (price / self.tick) != (price / self.tick).to_integral_value():
                raise Reject("filter", "Filter failure: PRICE_FILTER")
            ref = price if price is not None else (self.best_ask() if side == "buy" else self.best_bid())
            if qty * ref < self.min_notional:
                raise Reject("filter", "Filter failure: NOTIONAL")
            crosses = price is None or (side == "buy" and price >= self.best_ask()) or (side == "sell" and price <= self.best_bid())
            if post_only and crosses:
                raise Reject("post_only", "Order would immediately match and take.")
            # Balance: a buy needs quote for its worst case, a sell needs the base (a venue face
            # that judges margin itself switches this off).
            if not self.check_balance:
                pass
            elif side == "buy":
                need = qty * (price if price is not None else self.walk_cost(side, qty)[1] / max(qty, D("1e-18"))) * (1 + self.taker_fee)
                if self.free.get(self.quote, D(0)) < need:
                    raise Reject("insufficient_balance", "Account has insufficient balance for requested action.")
            elif not self.margin and self.free.get(self.base, D(0)) < qty:
                raise Reject("insufficient_balance", "Account has insufficient balance for requested action.")
            t = now_ms()
            o = Order(next(self.order_ids), cid, self.symbol, side, typ, tif, price, qty, post_only, created_ms=t, updated_ms=t)
            self.orders[o.id] = o
            self.accepted[cid] = self.accepted.get(cid, 0) + 1
            self.emit("new", o)
            # Taking part.
            levels = self.asks if side == "buy" else self.bids
            takes = []
            left = qty
            for p, q in levels:
                if left <= 0:
                    break
                if price is not None and ((side == "buy" and p > price) or (side == "sell" and p < price)):
                    break
                take = min(left, q)
                takes.append((p, take))
                left -= take
            if tif == "fok" and left > 0:
                o.status = "expired"
                o.updated_ms = now_ms()
                self.emit("expired", o)
                return o
            for p, q in takes:
                self._fill(o, p, q, maker=False)
            if o.remaining > 0:
                if typ == "market" or tif in ("ioc", "fok"):
                    o.status = "expired"
                    o.updated_ms = now_ms()
                    self.emit("expired", o)
                else:
                    self._lock_for(o, o.remaining)
            return o

    def walk_cost(self, side, qty):
        levels = self.asks if side == "buy" else self.bids
        left, cost = qty, D(0)
        for p, q in levels:
            take = min(left, q)
            cost += take * p
            left -= take
            if left <= 0:
                break
        if left > 0:
            cost += left * levels[-1][0]
        return qty, cost

    def _lock_for(self, o: Order, qty: D):
        if o.side == "sell" and self.margin:
            return
        if o.side == "buy":
            amt = qty * o.price
            self.free[self.quote] -= amt
            self.locked[self.quote] += amt
        else:
            self.free[self.base] -= qty
            self.locked[self.base] += qty

    def _unlock_for(self, o: Order, qty: D):
        if o.side == "sell" and self.margin:
            return
        if o.side == "buy":
            amt = qty * o.price
            self.free[self.quote] += amt
            self.locked[self.quote] -= amt
        else:
            self.free[self.base] += qty
            self.locked[self.base] -= qty

    def _fill(self, o: Order, price: D, qty: D, maker: bool):
        fee = (price * qty * (self.maker_fee if maker else self.taker_fee)).quantize(D("0.00000001"), rounding=ROUND_DOWN)
        if maker:
            self._unlock_for(o, qty)
        if o.side == "buy":
            self.free[self.quote] -= price * qty + fee
            self.free[self.base] = self.free.get(self.base, D(0)) + qty
        else:
            self.free[self.base] -= qty
            self.free[self.quote] += price * qty - fee
        o.filled += qty
        o.quote_filled += price * qty
        o.fees += fee
        o.status = "filled" if o.remaining <= 0 else "partially_filled"
        o.updated_ms = now_ms()
        tr = Trade(next(self.trade_ids), o.id, o.client_id, o.symbol, o.side, price, qty, fee, maker, o.updated_ms)
        o.trades.append(tr)
        self.trades.append(tr)
        self.emit("trade", (o, tr))

    def fill_resting(self, cid: str, qty: D | None = None) -> Trade:
        """The market comes to a resting order: a maker fill at its price (seen on the stream only)."""
        with self.lock:
            o = self.by_client(cid)
            assert o is not None and o.live and o.price is not None, f"{cid} is not resting"
            self._fill(o, o.price, min(qty or o.remaining, o.remaining), maker=True)
            return o.trades[-1]

    def cancel(self, cid: str | None = None, venue_id: int | None = None, cancel_cid: str | None = None) -> Order:
        with self.lock:
            o = self.orders.get(venue_id) if venue_id is not None else self.by_client(cid or "")
            if o is None:
                raise Reject("unknown_order", "Unknown order sent.")
            if not o.live:
                raise Reject("unknown_order", "Unknown order sent.")
            self._unlock_for(o, o.remaining)
            o.status = "cancelled"
            o.cancel_client_id = cancel_cid
            o.updated_ms = now_ms()
            self.emit("cancelled", o)
            return o

    # ---- checks the tests make ----
    def max_orders_per_client_id(self) -> int:
        with self.lock:
            return max(self.accepted.values(), default=0)

    def truth(self):
        """The venue's truth: orders by client id (status, filled) and trade ids."""
        with self.lock:
            return ({o.client_id: (o.status, o.filled) for o in self.orders.values()},
                    sorted(t.id for t in self.trades))


class FaultQueue:
    """Faults the tests queue per endpoint; each is consumed by one request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queues: dict[str, list] = {}

    def add(self, endpoint: str, *modes):
        with self.lock:
            self.queues.setdefault(endpoint, []).extend(modes)

    def take(self, endpoint: str):
        with self.lock:
            q = self.queues.get(endpoint)
            return q.pop(0) if q else None


class LoopThread:
    """Runs an aiohttp app on its own event loop thread, on 127.0.0.1 and a free port."""

    def __init__(self, app_factory):
        self.app_factory = app_factory
        self.loop: asyncio.AbstractEventLoop | None = None
        self.port = None
        self.ready = threading.Event()
        self.stopping = None

    def start(self):
        from aiohttp import web

        def run():
            async def main():
                self.loop = asyncio.get_running_loop()
                self.stopping = asyncio.Event()
                runner = web.AppRunner(self.app_factory(), handle_signals=False, shutdown_timeout=0.5)
                await runner.setup()
                site = web.TCPSite(runner, "127.0.0.1", 0)
                await site.start()
                self.port = site._server.sockets[0].getsockname()[1]
                self.ready.set()
                await self.stopping.wait()
                await runner.cleanup()
            asyncio.run(main())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "mock did not start"
        return self

    def call(self, fn, *args):
        """Runs fn(*args) on the loop thread (thread-safe hand-off)."""
        self.loop.call_soon_threadsafe(fn, *args)

    def stop(self):
        if self.loop and self.stopping:
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=10)


class MockVenue:
    """What every mock venue face shares: the server thread, the fault queue, counters the tests
    read, the private-stream sockets, and the switches for stream faults."""

    def __init__(self, ex: Exchange):
        self.ex = ex
        self.faults = FaultQueue()
        self._blocked_until = 0.0         # a 429 window the venue announced
        self.blocked_since = 0.0          # when it was announced
        self.requests_while_blocked = 0   # signed requests that arrived inside it (must stay 0)
        self.bad_signatures = 0
        self.signed_requests = 0
        self.order_requests = 0
        self.user_sockets: set = set()
        self.stream_blocked = threading.Event()
        self.duplicate_events = False
        self.lock = threading.Lock()
        self.account_hold = 0.0           # seconds an account read's answer is held after it was computed
        self.account_reads = 0            # account reads whose answer has been computed
        self.account_answers = 0          # ... and sent
        self.ex.listeners.append(self.on_exchange_event)
        self.server = LoopThread(self.app)

    def start(self):
        self.server.start()
        return self

    def stop(self):
        self.server.stop()

    @property
    def port(self):
        return self.server.port

    @property
    def blocked_until(self):
        return self._blocked_until

    @blocked_until.setter
    def blocked_until(self, t):
        self._blocked_until = t
        self.blocked_since = time.time()

    def count_signed(self):
        """Counts one signed request (and whether it broke an announced rate-limit window). A
        request that arrives within 150 ms of the 429 may have left before the gateway read it
        (a concurrent catch-up under load): it is not a breach."""
        with self.lock:
            self.signed_requests += 1
            now = time.time()
            if self.blocked_since + 0.15 <= now < self._blocked_until:
                self.requests_while_blocked += 1

    def bad_signature(self):
        with self.lock:
            self.bad_signatures += 1

    def count_order_request(self):
        with self.lock:
            self.order_requests += 1

    def push(self, messages):
        """Sends frames to every subscribed private stream, from any thread. While `stream_blocked`
        is set nothing is delivered (lost, as in a partition), and a stream that subscribed just as
        the block began (its connect was already admitted) is cut."""
        if self.stream_blocked.is_set():
            if self.user_sockets:
                self.drop_streams()
            return
        for ws in list(self.user_sockets):
            for m in messages:
                self.server.call(lambda w=ws, x=m: asyncio.ensure_future(self._send(w, x)))

    @staticmethod
    async def _send(ws, msg):
        try:
            await ws.send_str(msg)
        except Exception:
            pass

    async def held_account(self, response):
        """Sends an account read's answer (computed by the caller) after `account_hold` seconds."""
        self.account_reads += 1
        if self.account_hold:
            await asyncio.sleep(self.account_hold)
        self.account_answers += 1
        return response

    def drop_streams(self):
        """Closes every private-stream connection (events until a resubscribe are lost: no replay)."""
        socks = list(self.user_sockets)
        self.user_sockets.clear()
        for ws in socks:
            self.server.call(lambda w=ws: asyncio.ensure_future(w.close()))

    def app(self):
        raise NotImplementedError

    def on_exchange_event(self, kind, payload):
        raise NotImplementedError
