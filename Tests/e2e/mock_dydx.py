"""A mock dYdX v4 on 127.0.0.1: a full node's REST face (latest block, accounts, BROADCAST_MODE_SYNC)
and the Indexer (REST `/v4/...` and the `/v4/ws` socket), with dYdX's wire formats
(../shared/specs/execution/dydx.md).

Every transaction is decoded with the official protobufs (v4-proto) and its SIGN_MODE_DIRECT
signature verified with `cryptography` over the SignDoc the mock rebuilds (chain id, account number),
the signer's address derived with RIPEMD-160 + bech32 — never with our Swift code. Stateful
transactions must carry the account's sequence (`incorrect account sequence`, sdk code 32, names the
expected one) and are placed when the next block is made; short-term orders skip the sequence, must
have `current height < good_til_block <= height + 40` and no timeout height, and are matched at
once against the recorded BTC book (Hyperliquid's BTC perp, ws_l2Book_BTC_2025-01-26.jsonl — no
dYdX recording exists in ../shared/data). Blocks come every `block_ms`; short-term orders past their
good-til-block and stateful ones past their time expire; a stateful transaction past its timeout
height is dropped. The account's REST sequence is the committed one (admitted but unmined
transactions are not counted), as on a real node.

Faults on `order` (a MsgPlaceOrder broadcast): hang, drop, 503 (taken, then a 503), 500_before,
reset_before, 429 (Retry-After: 2). Stream: `drop_streams()`, `stream_blocked`, `duplicate_events`."""
from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import json
import pathlib
import time
import uuid
from decimal import Decimal as D

import bech32
from aiohttp import WSMsgType, web
from Crypto.Hash import RIPEMD160
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from v4_proto.cosmos.crypto.secp256k1 import keys_pb2
from v4_proto.cosmos.tx.v1beta1 import tx_pb2
from v4_proto.dydxprotocol.clob import tx_pb2 as clob_tx

from mock_exchange import Exchange, MockVenue, Reject, now_ms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "hyperliquid"

# Obviously fake: the spec's test key K1 and its address.
KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
ADDRESS = "dydx1navfnxx0ywpgtdjevkkmk2k79lvr37jtmp8y6t"
MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
MNEMONIC_ADDRESS = "dydx19rl4cm2hmr8afy4kldpxz3fka4jguq0a4erelz"
CHAIN = "dydx-mainnet-1"
ACCOUNT_NUMBER = 12345
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
IMF = D("0.05")
MARKET = {"clobPairId": "0", "ticker": "BTC-USD", "status": "ACTIVE", "atomicResolution": -10, "quantumConversionExponent": -9,
          "stepBaseQuantums": 1000000, "subticksPerTick": 100000, "tickSize": "1", "stepSize": "0.0001", "oraclePrice": "105055",
          "initialMarginFraction": "0.05", "maintenanceMarginFraction": "0.03", "marketType": "CROSS"}
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def address_of(pub: bytes) -> str:
    return bech32.bech32_encode("dydx", bech32.convertbits(RIPEMD160.new(hashlib.sha256(pub).digest()).digest(), 8, 5))


def ledger_cid(client_id: int, metadata: int, flags: int, clob: int) -> str:
    """The gateway's client order id of a chain order (its documented scheme, written again here:
    the tag in the metadata's low 26 bits under the 0b101010 marker, the order number offset by
    the tag times 2654435761); another client's order keeps a dydx: name."""
    if metadata >> 26 == 0x2A:
        t = metadata & 0x3FFFFFF
        if t < 36 ** 5:
            tag, v = "", t
            for _ in range(5):
                tag = ALPHABET[v % 36] + tag
                v //= 36
            n = (client_id - t * 2654435761) % 2 ** 32
            if n > 0:
                return f"ax{tag}{n}"
    return f"dydx:{flags}:{clob}:{client_id}"


def chain_ids(cid: str):
    """(client_id, metadata) of one of the gateway's client order ids."""
    tag, n = cid[2:7], int(cid[7:])
    t = 0
    for ch in tag:
        t = t * 36 + ALPHABET.index(ch)
    return (n + t * 2654435761) % 2 ** 32, (0x2A << 26) | t


def book():
    first = json.loads((DATA / "ws_l2Book_BTC_2025-01-26.jsonl").read_text().splitlines()[0])["data"]["levels"]
    # dYdX BTC steps are 0.0001: sizes rounded down onto the grid (empty levels dropped).
    def side(levels):
        out = []
        for l in levels:
            q = D(l["sz"]).quantize(D("0.0001"), rounding="ROUND_DOWN")
            if q > 0:
                out.append((l["px"], str(q)))
        return out
    return side(first[0]), side(first[1])


class Chain:
    """What the chain knows of one order besides the core's view."""

    def __init__(self, client_id, metadata, flags, clob, gtb, gtbt, tif, reduce_only, height):
        self.client_id, self.metadata, self.flags, self.clob = client_id, metadata, flags, clob
        self.gtb, self.gtbt, self.tif, self.reduce_only, self.created_height = gtb, gtbt, tif, reduce_only, height


class MockDYDX(MockVenue):
    def __init__(self, usdc="100000", block_ms=50, chain=CHAIN):
        bids, asks = book()
        super().__init__(Exchange("BTC-USD", "BTC", "USDC", bids, asks, {"USDC": usdc, "BTC": "0"},
                                  tick=D("1"), lot=D("0.0001"), min_notional=D("0"), taker_fee=D("0.0005"), maker_fee=D("0.0001")))
        self.ex.margin = True
        self.ex.check_balance = False
        self.ex.ledger_status = self.ledger_status
        self.chain_id = chain
        self.block_ms = block_ms
        self.height = 1000
        self.seq = 0                          # the next sequence CheckTx accepts
        self.mempool: list = []               # stateful messages admitted, placed at the next block
        self.chain: dict[int, Chain] = {}     # core order id -> chain facts
        self.by_chain_id: dict[tuple, int] = {}   # (client_id, flags, clob) -> core order id
        self.txs: list[dict] = []             # every verified transaction: kind, sequence, flags, gtb, timeout_height
        self.height_sockets: set = set()
        self.account_queries: list[str] = []
        self.fills_queries: list[dict] = []      # /v4/fills query strings, in order
        self.trade_height: dict[int, int] = {}   # trade id -> the height it happened at
        self._batch = None                    # events of one placement, sent as one Indexer message (one block's)
        self.list_cap = 1000                  # most orders one /v4/orders page lists (a test shrinks it: a long history)
        self.subaccount_subscriptions = 0
        self.expired_by_height = 0
        self.dropped_by_timeout = 0

    # ---- configuration ----
    def config(self, mode="live", orphans="cancel", submit_timeout_ms=1500, extra="", key_env="MOCK_DYDX_KEY", mnemonic=False, limit_orders="long_term",
               good_til_blocks=10):
        base = f"127.0.0.1:{self.port}"
        key = f'mnemonic_env = "MOCK_DYDX_MNEMONIC"\n' if mnemonic else f'key_env = "{key_env}"\n'
        return (f'[venues.dydx]\nenabled = true\nmode = "{mode}"\nsymbols = ["BTC-USD"]\n'
                f'ws_url = "ws://{base}/v4/ws"\nrest_url = "http://{base}/v4"\nnode_url = "http://{base}"\nchain_id = "{self.chain_id}"\n'
                f'{key}good_til_blocks = {good_til_blocks}\nblock_time_ms = 200\nlimit_orders = "{limit_orders}"\n'
                f'submit_timeout_ms = {submit_timeout_ms}\norphans = "{orphans}"\nresolve_interval_ms = 100\nheartbeat_ms = 1000\n'
                f'backoff_min_ms = 50\nbackoff_max_ms = 500\nidle_timeout_ms = 5000\n{extra}')

    @staticmethod
    def env():
        return {"MOCK_DYDX_KEY": KEY, "MOCK_DYDX_MNEMONIC": MNEMONIC}

    def app(self):
        app = web.Application()
        app.router.add_get("/cosmos/base/tendermint/v1beta1/blocks/latest", self.h_latest)
        app.router.add_get("/cosmos/auth/v1beta1/accounts/{address}", self.h_account)
        app.router.add_post("/cosmos/tx/v1beta1/txs", self.h_broadcast)
        app.router.add_get("/v4/perpetualMarkets", self.h_markets)
        app.router.add_get("/v4/height", self.h_height)
        app.router.add_get("/v4/orders", self.h_orders)
        app.router.add_get("/v4/orders/{id}", self.h_order)
        app.router.add_get("/v4/fills", self.h_fills)
        app.router.add_get("/v4/addresses/{address}/subaccountNumber/{n}", self.h_subaccount)
        app.router.add_get("/v4/ws", self.ws)
        app.on_startup.append(self.start_blocks)
        return app

    async def start_blocks(self, app):
        self.block_task = asyncio.ensure_future(self.blocks())

    async def h_markets(self, request):
        return web.json_response({"markets": {"BTC-USD": MARKET}})

    async def h_height(self, request):
        return web.json_response({"height": str(self.height), "time": iso(now_ms())})

    # ---- the account as dYdX computes it ----
    def ledger_status(self, o):
        """What the gateway must show: an IOC's remainder is cancelled (expired when nothing
        matched); a resting order that outlived its good-til-block (or time) is expired."""
        c = self.chain.get(o.id)
        if o.status == "expired":
            if c is None or c.tif == 1:
                return "cancelled" if o.filled > 0 else "expired"
            return "expired"
        return {"new": "open"}.get(o.status, o.status)

    def position(self):
        ex = self.ex
        with ex.lock:
            q = ex.free.get("BTC", D(0)) + ex.locked.get("BTC", D(0))
            cost = sum((t.qty * t.price * (1 if t.side == "buy" else -1) for t in ex.trades), D(0))
            mark = (ex.best_bid() + ex.best_ask()) / 2
            collateral = ex.free["USDC"] + ex.locked["USDC"] + cost
            entry = abs(cost / q) if q else D(0)
            upnl = (mark - entry) * q if q else D(0)
            return q, entry, mark, collateral, upnl

    def subaccount(self):
        q, entry, mark, collateral, upnl = self.position()
        six = D("0.000001")
        equity = (collateral + upnl).quantize(six)
        free = max(D(0), equity - (abs(q) * mark * IMF)).quantize(six)
        positions = {}
        if q:
            positions["BTC-USD"] = {"market": "BTC-USD", "status": "OPEN", "side": "LONG" if q > 0 else "SHORT", "size": str(q),
                                    "maxSize": str(abs(q)), "entryPrice": str(entry.quantize(six)), "exitPrice": None,
                                    "realizedPnl": "0", "unrealizedPnl": str(upnl.quantize(six)), "createdAt": iso(now_ms()),
                                    "createdAtHeight": str(self.height), "closedAt": None, "sumOpen": str(abs(q)), "sumClose": "0",
                                    "netFunding": "0", "subaccountNumber": 0}
        usdc = collateral - q * entry if q else collateral
        return {"address": ADDRESS, "subaccountNumber": 0, "equity": str(equity), "freeCollateral": str(free),
                "openPerpetualPositions": positions,
                "assetPositions": {"USDC": {"symbol": "USDC", "side": "LONG" if usdc >= 0 else "SHORT", "size": str(abs(usdc).quantize(six)),
                                            "assetId": "0", "subaccountNumber": 0}},
                "marginEnabled": True, "updatedAtHeight": str(self.height)}

    def expected_balances(self):
        s = self.subaccount()
        equity, free = D(s["equity"]), D(s["freeCollateral"])
        free = min(max(free, D(0)), equity)
        return {"USDC": (free, equity - free)}

    def margin_problem(self, side, qty, price):
        q, entry, mark, collateral, upnl = self.position()
        with self.ex.lock:
            open_notional = sum((o.remaining * o.price for o in self.ex.open_orders() if o.price), D(0))
        after = abs(q + (qty if side == "buy" else -qty))
        need = (after * mark + open_notional + (qty * price if after > abs(q) else 0)) * IMF
        return need > collateral + upnl

    # ---- wire objects ----
    def uuid_of(self, c: Chain) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{ADDRESS}/0/{c.client_id}/{c.clob}/{c.flags}"))

    def chain_of(self, o) -> Chain:
        c = self.chain.get(o.id)
        if c is None:
            # Placed straight on the core by a test (an orphan): a long-term order of ours.
            cl, meta = chain_ids(o.client_id) if o.client_id.startswith("ax") else (int(o.client_id.split(":")[-1]), 0)
            c = Chain(cl, meta, 64, 0, None, int(time.time()) + 86400, 0, False, self.height)
            self.chain[o.id] = c
            self.by_chain_id[(cl, 64, 0)] = o.id
        return c

    def order_obj(self, o):
        c = self.chain_of(o)
        short = c.flags == 0
        word = {"new": "BEST_EFFORT_OPENED" if short else "OPEN", "partially_filled": "OPEN", "filled": "FILLED",
                "cancelled": "BEST_EFFORT_CANCELED" if short else "CANCELED", "expired": "CANCELED", "rejected": "CANCELED"}[o.status]
        return {"id": self.uuid_of(c), "subaccountId": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{ADDRESS}/0")), "clientId": str(c.client_id),
                "clobPairId": str(c.clob), "side": "BUY" if o.side == "buy" else "SELL", "size": str(o.qty), "totalFilled": str(o.filled),
                "price": str(o.price), "type": "LIMIT", "status": word, "timeInForce": {1: "IOC", 2: "POST_ONLY"}.get(c.tif, "GTT"),
                "reduceOnly": c.reduce_only, "orderFlags": str(c.flags), "goodTilBlock": str(c.gtb) if c.gtb is not None else None,
                "goodTilBlockTime": iso(c.gtbt * 1000) if c.gtbt is not None else None, "createdAtHeight": str(c.created_height),
                "clientMetadata": str(c.metadata), "triggerPrice": None, "ticker": "BTC-USD", "updatedAt": iso(o.updated_ms),
                "updatedAtHeight": str(self.height), "postOnly": c.tif == 2, "subaccountNumber": 0}

    def fill_obj(self, o, t):
        c = self.chain_of(o)
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"fill/{t.id}")), "side": "BUY" if t.side == "buy" else "SELL",
                "liquidity": "MAKER" if t.maker else "TAKER", "type": "LIMIT", "market": "BTC-USD", "marketType": "PERPETUAL",
                "price": str(t.price), "size": str(t.qty), "fee": str(t.fee), "createdAt": iso(t.time_ms), "createdAtHeight": str(self.trade_height.get(t.id, self.height)),
                "orderId": self.uuid_of(c), "clientMetadata": str(c.metadata), "subaccountNumber": 0}

    # ---- blocks ----
    async def blocks(self):
        while True:
            await asyncio.sleep(self.block_ms / 1000)
            try:
                self.make_block()
            except Exception as e:          # a broken block must not stop the chain
                print("mock dydx block failed:", repr(e))

    def make_block(self):
        ex = self.ex
        with self.lock:
            self.height += 1
            pending, self.mempool = self.mempool, []
        for kind, msg, timeout_height in pending:
            if timeout_height and timeout_height < self.height:
                self.dropped_by_timeout += 1
                continue
            if kind == "place":
                try:
                    self.place(msg, stateful=True)
                except Reject:
                    pass
            else:
                self.cancel(msg)
        now_s = time.time()
        with ex.lock:
            for o in list(ex.orders.values()):
                c = self.chain.get(o.id)
                if not o.live or c is None:
                    continue
                if (c.gtb is not None and c.gtb < self.height) or (c.gtbt is not None and c.gtbt < now_s):
                    ex._unlock_for(o, o.remaining)
                    o.status = "expired"
                    o.updated_ms = now_ms()
                    self.expired_by_height += 1
                    ex.emit("expired", o)
        msg = json.dumps({"type": "channel_data", "channel": "v4_block_height", "connection_id": "c", "message_id": 0, "version": "1.0.0",
                          "contents": {"blockHeight": str(self.height), "time": iso(now_ms())}})
        for ws in list(self.height_sockets):
            self.server.loop.create_task(self._send(ws, msg))

    # ---- node REST ----
    async def h_latest(self, request):
        return web.json_response({"block_id": {"hash": base64.b64encode(hashlib.sha256(str(self.height).encode()).digest()).decode()},
                                  "block": {"header": {"chain_id": self.chain_id, "height": str(self.height), "time": iso(now_ms())}}})

    async def h_account(self, request):
        a = request.match_info["address"]
        self.account_queries.append(a)
        if a != ADDRESS:
            return web.json_response({"code": 5, "message": f"rpc error: code = NotFound desc = account {a} not found: key not found", "details": []},
                                     status=404)
        with self.lock:
            committed = self.seq - sum(1 for _ in self.mempool)
        return web.json_response({"account": {"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": ADDRESS, "pub_key": None,
                                              "account_number": str(ACCOUNT_NUMBER), "sequence": str(committed)}})

    @staticmethod
    def answer(code=0, codespace="", log="", txhash=""):
        return web.json_response({"tx_response": {"height": "0", "txhash": txhash, "codespace": codespace, "code": code, "data": "", "raw_log": log,
                                                  "logs": [], "info": "", "gas_wanted": "1000000", "gas_used": "0", "tx": None, "timestamp": "",
                                                  "events": []}})

    def verify(self, raw: bytes):
        """Decodes a TxRaw with the official protobufs and checks its one SIGN_MODE_DIRECT
        signature against the SignDoc rebuilt here. Returns (body, signer_info, address) or an error."""
        tx = tx_pb2.TxRaw()
        tx.ParseFromString(raw)
        body = tx_pb2.TxBody()
        body.ParseFromString(tx.body_bytes)
        auth = tx_pb2.AuthInfo()
        auth.ParseFromString(tx.auth_info_bytes)
        if len(auth.signer_infos) != 1 or len(tx.signatures) != 1 or len(tx.signatures[0]) != 64:
            return "one signer and one 64-byte signature expected"
        si = auth.signer_infos[0]
        pk = keys_pb2.PubKey()
        pk.ParseFromString(si.public_key.value)
        addr = address_of(pk.key)
        doc = tx_pb2.SignDoc(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes, chain_id=self.chain_id,
                             account_number=ACCOUNT_NUMBER).SerializeToString()
        r, s = int.from_bytes(tx.signatures[0][:32], "big"), int.from_bytes(tx.signatures[0][32:], "big")
        if s > N // 2:
            return "signature is not low-s"
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), pk.key).verify(encode_dss_signature(r, s), doc, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return f"signature verification failed; please verify account number ({ACCOUNT_NUMBER}) and chain-id ({self.chain_id})"
        return body, si, addr

    async def h_broadcast(self, request):
        try:
            req = await request.json()
            raw = base64.b64decode(req["tx_bytes"], validate=True)
            mode = req.get("mode")
        except Exception:
            return web.json_response({"code": 3, "message": "invalid request: tx_bytes must be base64", "details": []}, status=400)
        if mode != "BROADCAST_MODE_SYNC":
            return web.json_response({"code": 3, "message": f"unsupported broadcast mode {mode}", "details": []}, status=400)
        self.count_signed()
        txhash = hashlib.sha256(raw).hexdigest().upper()
        try:
            v = self.verify(raw)
        except Exception as e:
            return self.answer(2, "sdk", f"tx parse error: {e}", txhash)
        if isinstance(v, str):
            self.bad_signature()
            return self.answer(4, "sdk", v + ": unauthorized", txhash)
        body, si, signer = v
        msgs = []
        for m in body.messages:
            if m.type_url == "/dydxprotocol.clob.MsgPlaceOrder":
                x = clob_tx.MsgPlaceOrder()
                x.ParseFromString(m.value)
                msgs.append(("place", x.order))
            elif m.type_url == "/dydxprotocol.clob.MsgCancelOrder":
                x = clob_tx.MsgCancelOrder()
                x.ParseFromString(m.value)
                msgs.append(("cancel", x))
            else:
                return self.answer(2, "sdk", f"unable to resolve type URL {m.type_url}: tx parse error", txhash)
        if len(msgs) != 1:
            return self.answer(18, "sdk", "one order message per transaction in this mock: invalid request", txhash)
        kind, msg = msgs[0]
        oid = msg.order_id
        if oid.subaccount_id.owner != signer:
            self.bad_signature()
            return self.answer(4, "sdk", f"signer {signer} does not own subaccount {oid.subaccount_id.owner}: unauthorized", txhash)
        short = oid.order_flags == 0
        with self.lock:
            self.txs.append({"kind": kind, "sequence": si.sequence, "flags": oid.order_flags, "timeout_height": body.timeout_height,
                             "gtb": msg.good_til_block if kind == "place" and msg.WhichOneof("good_til_oneof") == "good_til_block" else None})
        fault = None
        if kind == "place":
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
        if short and body.timeout_height:
            return self.answer(18, "sdk", "a short term clob message may not have a non-zero timeout height, use goodTilBlock instead: invalid request", txhash)
        if body.timeout_height and body.timeout_height < self.height:
            return self.answer(30, "sdk", f"block height: {self.height}, timeout height: {body.timeout_height}: tx timeout height", txhash)
        if not short:
            with self.lock:
                if si.sequence != self.seq:
                    return self.answer(32, "sdk", f"account sequence mismatch, expected {self.seq}, got {si.sequence}: incorrect account sequence", txhash)
        try:
            if kind == "place":
                self.check_place(msg)
                if short:
                    self.place(msg, stateful=False)
            else:
                self.check_cancel(msg)
                if short:
                    self.cancel(msg)
        except Reject as r:
            space, code = r.kind.split(":")
            return self.answer(int(code), space, r.message, txhash)
        if not short:
            with self.lock:
                self.seq += 1
                self.mempool.append((kind, msg, body.timeout_height))
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
        return self.answer(0, "", "", txhash)

    # ---- the CLOB ----
    def check_place(self, o):
        """Stateless and CheckTx rules, with the chain's codes (kind = "codespace:code")."""
        oid = o.order_id
        flags, gt = oid.order_flags, o.WhichOneof("good_til_oneof")
        if oid.clob_pair_id != 0:
            raise Reject("clob:1001", f"clob pair {oid.clob_pair_id} not found")
        if o.quantums == 0 or o.quantums % MARKET["stepBaseQuantums"]:
            raise Reject("clob:4", f"invalid order quantums {o.quantums}: must be a positive multiple of {MARKET['stepBaseQuantums']}")
        if o.subticks == 0 or o.subticks % MARKET["subticksPerTick"]:
            raise Reject("clob:6", f"invalid order subticks {o.subticks}: must be a positive multiple of {MARKET['subticksPerTick']}")
        if o.time_in_force == 3:
            raise Reject("clob:48", "fill-or-kill is deprecated")
        if o.reduce_only and o.time_in_force != 1:
            raise Reject("clob:9003", "Reduce-only is currently disabled for non-IOC orders")
        if flags == 0:
            if gt != "good_til_block" or o.good_til_block == 0:
                raise Reject("clob:5", "short-term order needs a goodTilBlock")
            if o.good_til_block <= self.height:
                raise Reject("clob:10", f"the next block height is past the order's goodTilBlock {o.good_til_block}")
            if o.good_til_block > self.height + 40:
                raise Reject("clob:11", f"goodTilBlock {o.good_til_block} is more than ShortBlockWindow (40) blocks past {self.height}")
        elif flags == 64:
            if o.time_in_force == 1:
                raise Reject("clob:3002", "Stateful orders cannot require immediate execution")
            if gt != "good_til_block_time" or o.good_til_block_time == 0:
                raise Reject("clob:3001", "stateful order needs a goodTilBlockTime")
            if o.good_til_block_time <= time.time():
                raise Reject("clob:3003", "goodTilBlockTime is in the past")
            if o.good_til_block_time > time.time() + 95 * 86400:
                raise Reject("clob:3004", "goodTilBlockTime exceeds the stateful order time window (95 days)")
        else:
            raise Reject("clob:3000", f"invalid order flags {flags}")
        key = (oid.client_id, flags, oid.clob_pair_id)
        with self.ex.lock:
            prev = self.ex.orders.get(self.by_chain_id.get(key, -1))
            if prev is not None and prev.live:
                raise Reject("clob:3005" if flags else "clob:30", "an order with this OrderId already exists")
        px = D(o.subticks) / D(10) ** 5
        qty = D(o.quantums) / D(10) ** 10
        side = "buy" if o.side == 1 else "sell"
        if o.time_in_force == 2 and ((side == "buy" and px >= self.ex.best_ask()) or (side == "sell" and px <= self.ex.best_bid())):
            raise Reject("clob:2003", "post-only order would cross the book")
        q = self.position()[0]
        if o.reduce_only and (q == 0 or (q > 0) == (side == "buy") or qty > abs(q)):
            raise Reject("clob:2001", "reduce-only order would increase the position")
        if self.margin_problem(side, qty, px):
            raise Reject("clob:3007", "Order would fail collateralization check (undercollateralized)")

    def place(self, o, stateful):
        oid = o.order_id
        px = D(o.subticks) / D(10) ** 5
        qty = D(o.quantums) / D(10) ** 10
        cid = ledger_cid(oid.client_id, o.client_metadata, oid.order_flags, oid.clob_pair_id)
        c = Chain(oid.client_id, o.client_metadata, oid.order_flags, oid.clob_pair_id,
                  o.good_til_block if o.WhichOneof("good_til_oneof") == "good_til_block" else None,
                  o.good_til_block_time if o.WhichOneof("good_til_oneof") == "good_til_block_time" else None,
                  o.time_in_force, o.reduce_only, self.height)
        ex = self.ex
        with ex.lock:
            # The chain facts must be known before the core emits the order's first event.
            pending = {"c": c}
            ex.listeners.insert(0, lambda kind, payload, p=pending: self.bind(kind, payload, p))
            self._batch = []
            try:
                ex.place(cid, "buy" if o.side == 1 else "sell", "limit", "ioc" if o.time_in_force == 1 else "gtc", qty, px, post_only=o.time_in_force == 2)
            finally:
                ex.listeners.pop(0)
                batch, self._batch = self._batch, None
            # The Indexer reports a block's changes to an order together: its state after the
            # block, and the fills it got in it.
            if batch:
                core = batch[-1][1][0] if batch[-1][0] == "trade" else batch[-1][1]
                fills = [self.fill_obj(*p) for k, p in batch if k == "trade"]
                msgs = [{"orders": [self.order_obj(core)], "fills": fills, "blockHeight": str(self.height)} if fills else
                        {"orders": [self.order_obj(core)], "blockHeight": str(self.height)}]
                if fills and self.duplicate_events:
                    msgs.append({"fills": fills})
                self.push_contents(msgs)

    def bind(self, kind, payload, pending):
        o = payload[0] if kind == "trade" else payload
        if o.id not in self.chain and "c" in pending:
            c = pending.pop("c")
            self.chain[o.id] = c
            self.by_chain_id[(c.client_id, c.flags, c.clob)] = o.id

    def check_cancel(self, m):
        oid = m.order_id
        key = (oid.client_id, oid.order_flags, oid.clob_pair_id)
        with self.ex.lock:
            o = self.ex.orders.get(self.by_chain_id.get(key, -1))
            if oid.order_flags != 0 and (o is None or not o.live):
                raise Reject("clob:3006", "stateful order does not exist")

    def cancel(self, m):
        oid = m.order_id
        key = (oid.client_id, oid.order_flags, oid.clob_pair_id)
        with self.ex.lock:
            o = self.ex.orders.get(self.by_chain_id.get(key, -1))
            if o is not None and o.live:
                self.ex.cancel(venue_id=o.id)

    # ---- Indexer REST ----
    def mine(self, request):
        return request.query.get("address") == ADDRESS and request.query.get("subaccountNumber", "0") == "0"

    async def h_orders(self, request):
        if not self.mine(request):
            return web.json_response([])
        limit = min(int(request.query.get("limit", "100")), self.list_cap)
        with self.ex.lock:
            rows = [self.order_obj(o) for o in sorted(self.ex.orders.values(), key=lambda o: -o.id)]
        return web.json_response(rows[:limit])

    async def h_order(self, request):
        want = request.match_info["id"]
        with self.ex.lock:
            for o in self.ex.orders.values():
                if self.uuid_of(self.chain_of(o)) == want:
                    return web.json_response(self.order_obj(o))
        return web.json_response({"errors": [{"msg": f"No order with id {want}"}]}, status=404)

    async def h_fills(self, request):
        if not self.mine(request):
            return web.json_response({"fills": []})
        limit = min(int(request.query.get("limit", "100")), 1000)
        before = request.query.get("createdBeforeOrAtHeight")
        with self.lock:
            self.fills_queries.append(dict(request.query))
        with self.ex.lock:
            rows = [self.fill_obj(self.ex.orders[t.order_id], t) for t in sorted(self.ex.trades, key=lambda t: -t.id)]
        if before is not None:
            rows = [r for r in rows if int(r["createdAtHeight"]) <= int(before)]
        offset = (max(1, int(request.query.get("page", "1"))) - 1) * limit
        return web.json_response({"fills": rows[offset:offset + limit], "pageSize": limit, "totalResults": len(rows), "offset": offset})

    async def h_subaccount(self, request):
        if request.match_info["address"] != ADDRESS or request.match_info["n"] != "0":
            return web.json_response({"errors": [{"msg": "Subaccount not found"}]}, status=404)
        return web.json_response({"subaccount": self.subaccount()})

    # ---- Indexer WebSocket ----
    def on_exchange_event(self, kind, payload):
        if kind == "trade":
            self.trade_height.setdefault(payload[1].id, self.height)
        if self._batch is not None:
            self._batch.append((kind, payload))
            return
        if kind == "trade":
            o, tr = payload
            fill = self.fill_obj(o, tr)
            contents = {"orders": [self.order_obj(o)], "fills": [fill], "blockHeight": str(self.height)}
            msgs = [contents]
            if self.duplicate_events:
                msgs.append({"fills": [fill]})
        else:
            msgs = [{"orders": [self.order_obj(payload)], "blockHeight": str(self.height)}]
        self.push_contents(msgs)

    def push_contents(self, msgs):
        self.push([json.dumps({"type": "channel_data", "connection_id": "c", "message_id": 0, "channel": "v4_subaccounts",
                               "id": f"{ADDRESS}/0", "version": "3.0.0", "contents": m}) for m in msgs])

    async def ws(self, request):
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        mid = 0

        async def send(obj):
            nonlocal mid
            mid += 1
            obj.setdefault("connection_id", "c")
            obj["message_id"] = mid
            await ws.send_str(json.dumps(obj))
        tasks = []
        await send({"type": "connected"})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                try:
                    m = json.loads(msg.data)
                except ValueError:
                    await send({"type": "error", "message": f"Invalid message: could not parse: {msg.data[:100]}"})
                    continue
                t, ch, id_ = m.get("type"), m.get("channel"), m.get("id")
                if t == "ping":
                    await send({"type": "pong", "id": m.get("id")})
                    continue
                if t != "subscribe":
                    continue
                if ch == "v4_orderbook" and id_ == "BTC-USD":
                    with self.ex.lock:
                        bids = [{"price": str(p), "size": str(q)} for p, q in self.ex.bids[:50]]
                        asks = [{"price": str(p), "size": str(q)} for p, q in self.ex.asks[:50]]
                    await send({"type": "subscribed", "channel": ch, "id": id_, "contents": {"bids": bids, "asks": asks}})
                    tasks.append(asyncio.ensure_future(self.book_ticks(ws, send)))
                elif ch == "v4_trades" and id_ == "BTC-USD":
                    await send({"type": "subscribed", "channel": ch, "id": id_, "contents": {"trades": []}})
                elif ch == "v4_block_height":
                    await send({"type": "subscribed", "channel": ch, "contents": {"height": str(self.height), "time": iso(now_ms())}})
                    self.height_sockets.add(ws)
                elif ch == "v4_subaccounts" and id_ == f"{ADDRESS}/0":
                    if self.stream_blocked.is_set():
                        await send({"type": "error", "message": f"Internal error, could not fetch data for subscription: {ch}", "channel": ch, "id": id_})
                        continue
                    with self.ex.lock:
                        orders = [self.order_obj(o) for o in self.ex.orders.values() if o.live]
                    await send({"type": "subscribed", "channel": ch, "id": id_, "contents": {"subaccount": self.subaccount(), "orders": orders,
                                                                                            "blockHeight": str(self.height)}})
                    self.user_sockets.add(ws)
                    with self.lock:
                        self.subaccount_subscriptions += 1
                else:
                    await send({"type": "error", "message": f"Invalid subscribe message: channel {ch} id {id_}"})
        finally:
            for x in tasks:
                x.cancel()
            self.user_sockets.discard(ws)
            self.height_sockets.discard(ws)
        return ws

    async def book_ticks(self, ws, send):
        """The static book's best levels again every 200 ms (absolute sizes: a no-op that keeps it fresh)."""
        while not ws.closed:
            await asyncio.sleep(0.2)
            with self.ex.lock:
                update = {"bids": [[str(p), str(q)] for p, q in self.ex.bids[:1]], "asks": [[str(p), str(q)] for p, q in self.ex.asks[:1]]}
            try:
                await send({"type": "channel_data", "channel": "v4_orderbook", "id": "BTC-USD", "version": "1.0.0", "contents": update})
            except Exception:
                return
