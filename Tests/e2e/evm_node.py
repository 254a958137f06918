"""A real EVM behind Ethereum JSON-RPC, for tests: py-evm through eth-tester, with a transaction pool
of its own in front (geth's rules: nonce too low, already known, replacement needs +10 % on both fee
fields, fee cap below the base fee stays pending, gapped nonces wait), blocks mined on a timer, and
test controls (pause mining, mine the first-seen version of a nonce, reorg, lose answers).

    node = EVMNode(chain_id=31337, funded={address: wei}).start()   # node.url
    ...
    node.stop()
"""
from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import eth_tester.backends.pyevm.main as pyevm_main
from eth_abi import encode as abi_encode
from eth_tester import PyEVMBackend
from eth_utils import keccak, to_canonical_address, to_checksum_address

GWEI = 10**9


def qty(n: int) -> str:
    return hex(n)


def data(b: bytes) -> str:
    return "0x" + b.hex()


def parse_qty(x) -> int:
    if isinstance(x, int):
        return x
    return int(x, 16)


def parse_data(x) -> bytes:
    x = x or "0x"
    return bytes.fromhex(x[2:] if x.startswith("0x") else x)


class RPCFail(Exception):
    def __init__(self, code: int, message: str, data_hex: str | None = None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data_hex


class PoolTx:
    def __init__(self, raw: bytes, tx):
        self.raw, self.tx = raw, tx
        self.hash = tx.hash
        self.sender = tx.sender
        self.nonce = tx.nonce
        self.max_fee = getattr(tx, "max_fee_per_gas", None) or tx.gas_price
        self.tip = getattr(tx, "max_priority_fee_per_gas", None) or tx.gas_price
        self.seen = time.time()


class EVMNode:
    def __init__(self, chain_id: int = 31337, funded: dict | None = None, block_ms: int = 150):
        self.chain_id = chain_id
        self.lock = threading.RLock()
        state = {}
        for addr, wei in (funded or {}).items():
            state[to_canonical_address(addr)] = {"balance": wei, "nonce": 0, "code": b"", "storage": {}}
        self.backend = PyEVMBackend(genesis_state=state or None)
        # The tester chain hard-codes its chain id: a node for `chain_id` refuses other chains' signatures.
        type(self.backend.chain).chain_id = chain_id
        self.backend.chain.chain_id = chain_id
        self.pool: dict[bytes, dict[int, list[PoolTx]]] = {}   # sender -> nonce -> versions (first seen first)
        self.known: dict[bytes, PoolTx] = {}                     # hash -> pool tx (every version ever accepted)
        self.mined: dict[bytes, int] = {}                        # hash -> block number
        self.block_ms = block_ms
        self.mining = True
        self.mine_first_seen = False   # mine the first version of a replaced nonce (as another node might)
        self.drop_answers = 0          # apply the next N sendRawTransaction, then drop the connection
        self.fail_next: list = []      # [(method, code, message)] answered instead of running
        self.sent: list[bytes] = []    # every raw tx received (including duplicates)
        self.calls: dict[str, int] = {}
        self.server = None
        self.thread = None
        self.miner = None
        self.stopping = threading.Event()

    # ---- lifecycle ----
    def start(self) -> "EVMNode":
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                try:
                    req = json.loads(body)
                except ValueError:
                    return self.reply({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
                if isinstance(req, list):
                    out = [node.handle(r) for r in req]
                    if any(o is None for o in out):
                        return self.drop()
                    return self.reply(out)
                out = node.handle(req)
                if out is None:
                    return self.drop()
                self.reply(out)

            def drop(self):
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass

            def reply(self, obj):
                b = json.dumps(obj).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.miner = threading.Thread(target=self._mine_loop, daemon=True)
        self.miner.start()
        return self

    def stop(self):
        self.stopping.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def _mine_loop(self):
        while not self.stopping.wait(self.block_ms / 1000):
            if self.mining:
                self.mine()

    # ---- chain helpers ----
    def head(self) -> int:
        return self.backend.chain.get_canonical_head().block_number

    def base_fee(self) -> int:
        return self.backend.chain.get_block().header.base_fee_per_gas

    def account_nonce(self, addr: bytes) -> int:
        return self.backend.chain.get_vm().state.get_nonce(addr)

    def balance(self, addr: bytes) -> int:
        return self.backend.chain.get_vm().state.get_balance(addr)

    def mine(self, n: int = 1):
        """Mines blocks with every executable pool transaction (per sender in nonce order, the
        highest-fee version of each nonce unless `mine_first_seen`)."""
        with self.lock:
            for _ in range(n):
                base = self.base_fee()
                included = 0
                for sender, by_nonce in list(self.pool.items()):
                    nonce = self.account_nonce(sender)
                    while nonce in by_nonce:
                        versions = by_nonce[nonce]
                        pick = versions[0] if self.mine_first_seen else max(versions, key=lambda v: (v.max_fee, v.tip))
                        if pick.max_fee < base:
                            break   # stuck until replaced or the base fee falls
                        try:
                            self.backend.send_raw_transaction(pick.raw)
                        except Exception:
                            break
                        del by_nonce[nonce]
                        nonce += 1
                        included += 1
                    if not by_nonce:
                        del self.pool[sender]
                block_hash = self.backend.mine_blocks(1)[0]
                block = self.backend.chain.get_canonical_block_by_number(self.head())
                for tx in block.transactions:
                    self.mined[tx.hash] = block.number

    # ---- JSON-RPC ----
    def handle(self, req):
        rid = req.get("id") if isinstance(req, dict) else None
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32600, "message": "invalid request"}}
        method, params = req["method"], req.get("params") or []
        self.calls[method] = self.calls.get(method, 0) + 1
        for k, (m, code, msg) in enumerate(self.fail_next):
            if m == method:
                del self.fail_next[k]
                if code is None:
                    return None
                return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": msg}}
        fn = getattr(self, "rpc_" + method, None)
        if fn is None:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": f"the method {method} does not exist/is not available"}}
        try:
            with self.lock:
                result = fn(*params)
        except RPCFail as e:
            err = {"code": e.code, "message": e.message}
            if e.data is not None:
                err["data"] = e.data
            return {"jsonrpc": "2.0", "id": rid, "error": err}
        except Exception as e:  # noqa: BLE001 — a node answers, it does not crash
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": f"internal error: {e}"}}
        if method == "eth_sendRawTransaction" and self.drop_answers > 0:
            self.drop_answers -= 1
            return None
        return {"jsonrpc": "2.0", "id": rid, "result": result}

    def rpc_eth_chainId(self):
        return qty(self.chain_id)

    def rpc_net_version(self):
        return str(self.chain_id)

    def rpc_eth_blockNumber(self):
        return qty(self.head())

    def rpc_eth_getBalance(self, addr, tag="latest"):
        return qty(self.balance(to_canonical_address(addr)))

    def rpc_eth_getCode(self, addr, tag="latest"):
        return data(self.backend.chain.get_vm().state.get_code(to_canonical_address(addr)))

    def rpc_eth_getTransactionCount(self, addr, tag="latest"):
        a = to_canonical_address(addr)
        n = self.account_nonce(a)
        if tag == "pending":
            by_nonce = self.pool.get(a, {})
            while n in by_nonce:
                n += 1
        return qty(n)

    def rpc_eth_maxPriorityFeePerGas(self):
        return qty(GWEI)

    def rpc_eth_gasPrice(self):
        return qty(self.base_fee() + GWEI)

    def rpc_eth_feeHistory(self, count, newest, percentiles=None):
        count = min(parse_qty(count), 1024)
        head = self.head()
        oldest = max(0, head - count + 1)
        bases, ratios, rewards = [], [], []
        chain = self.backend.chain
        for n in range(oldest, head + 1):
            h = chain.get_canonical_block_header_by_number(n)
            bases.append(qty(h.base_fee_per_gas))
            ratios.append(h.gas_used / h.gas_limit if h.gas_limit else 0)
            rewards.append([qty(GWEI) for _ in (percentiles or [])])
        bases.append(qty(self.base_fee()))
        out = {"oldestBlock": qty(oldest), "baseFeePerGas": bases, "gasUsedRatio": ratios}
        if percentiles:
            out["reward"] = rewards
        return out

    def _spoof(self, tx: dict):
        frm = tx.get("from") or "0x" + "00" * 20
        t = {
            "from": to_canonical_address(frm),
            "to": to_canonical_address(tx["to"]) if tx.get("to") else b"",
            "gas": parse_qty(tx.get("gas", qty(30_000_000))),
            "value": parse_qty(tx.get("value", "0x0")),
            "data": parse_data(tx.get("input") or tx.get("data")),
        }
        vm = self.backend.chain.get_vm()
        nonce = vm.state.get_nonce(t["from"])
        # Unpriced: the fee cap is the block's base fee (the caller is credited for it in _run).
        unsigned = vm.create_unsigned_transaction(nonce=nonce, gas_price=self.base_fee(), gas=t["gas"], to=t["to"], value=t["value"], data=t["data"])
        return pyevm_main.EVMSpoofTransaction(unsigned, from_=t["from"])

    def _run(self, tx: dict):
        spoof = self._spoof(tx)
        vm = self.backend.chain.get_vm()
        state = vm.state
        snap = state.snapshot()
        # An unpriced call: credit the caller what the value needs.
        state.set_balance(spoof.sender, state.get_balance(spoof.sender) + spoof.value + 10**30)
        try:
            comp = state.apply_transaction(spoof)
        finally:
            state.revert(snap)
        if comp.is_error:
            err = comp._error
            raw = err.args[0] if err.args and isinstance(err.args[0], bytes) else b""
            if type(err).__name__ == "Revert":
                reason = ""
                if raw[:4] == bytes.fromhex("08c379a0"):
                    from eth_abi import decode
                    try:
                        reason = ": " + decode(["string"], raw[4:])[0]
                    except Exception:
                        pass
                raise RPCFail(3, "execution reverted" + reason, data(raw))
            raise RPCFail(-32000, str(err) or type(err).__name__)
        return comp

    def rpc_eth_call(self, tx, tag="latest"):
        return data(self._run(tx).output)

    def rpc_eth_estimateGas(self, tx, tag="latest"):
        self._run(tx)   # a revert answers like eth_call
        # py-evm's own estimate (a binary search over the gas limit) from a funded sender.
        spoof = self._spoof(tx)
        return qty(self.backend.chain.estimate_gas(spoof))

    def rpc_eth_sendRawTransaction(self, raw_hex):
        raw = parse_data(raw_hex)
        self.sent.append(raw)
        vm = self.backend.chain.get_vm()
        try:
            tx = vm.get_transaction_builder().decode(raw)
        except Exception as e:
            raise RPCFail(-32602, f"invalid transaction: {e}")
        try:
            sender = tx.sender
        except Exception:
            raise RPCFail(-32000, "invalid sender")
        chain_id = getattr(tx, "chain_id", None)
        if chain_id is not None and chain_id != self.chain_id:
            raise RPCFail(-32000, "invalid sender")
        h = tx.hash
        if h in self.known or h in self.mined:
            raise RPCFail(-32000, "already known")
        on_chain = self.account_nonce(sender)
        if tx.nonce < on_chain:
            raise RPCFail(-32000, f"nonce too low: next nonce {on_chain}, tx nonce {tx.nonce}")
        if tx.gas < tx.intrinsic_gas:
            raise RPCFail(-32000, f"intrinsic gas too low: have {tx.gas}, want {tx.intrinsic_gas}")
        p = PoolTx(raw, tx)
        if p.tip > p.max_fee:
            raise RPCFail(-32000, "max priority fee per gas higher than max fee per gas")
        if self.balance(sender) < tx.gas * p.max_fee + tx.value:
            raise RPCFail(-32000, "insufficient funds for gas * price + value")
        versions = self.pool.setdefault(sender, {}).setdefault(tx.nonce, [])
        if versions:
            best = max(versions, key=lambda v: (v.max_fee, v.tip))
            if p.max_fee * 100 < best.max_fee * 110 or p.tip * 100 < best.tip * 110:
                raise RPCFail(-32000, "replacement transaction underpriced")
        versions.append(p)
        self.known[h] = p
        return data(h)

    def _tx_json(self, tx, block=None, index=None):
        out = {"hash": data(tx.hash), "nonce": qty(tx.nonce), "from": to_checksum_address(tx.sender),
               "to": to_checksum_address(tx.to) if tx.to else None, "value": qty(tx.value), "input": data(tx.data),
               "gas": qty(tx.gas), "blockNumber": None, "blockHash": None, "transactionIndex": None}
        if block is not None:
            out.update(blockNumber=qty(block.number), blockHash=data(block.hash), transactionIndex=qty(index))
        return out

    def rpc_eth_getTransactionByHash(self, h):
        hb = parse_data(h)
        if hb in self.mined:
            block = self.backend.chain.get_canonical_block_by_number(self.mined[hb])
            for k, tx in enumerate(block.transactions):
                if tx.hash == hb:
                    return self._tx_json(tx, block, k)
        p = self.known.get(hb)
        if p is not None and p.nonce >= self.account_nonce(p.sender) and any(v.hash == hb for v in self.pool.get(p.sender, {}).get(p.nonce, [])):
            return self._tx_json(p.tx)
        return None

    def rpc_eth_getTransactionReceipt(self, h):
        hb = parse_data(h)
        n = self.mined.get(hb)
        if n is None or n > self.head():
            return None
        chain = self.backend.chain
        block = chain.get_canonical_block_by_number(n)
        receipts = block.get_receipts(chain.chaindb)
        prev = 0
        for k, tx in enumerate(block.transactions):
            r = receipts[k]
            if tx.hash == hb:
                logs = []
                for j, log in enumerate(r.logs):
                    logs.append({"address": to_checksum_address(log.address), "topics": [data(t.to_bytes(32, "big")) for t in log.topics],
                                 "data": data(log.data), "blockNumber": qty(n), "blockHash": data(block.hash),
                                 "transactionHash": data(tx.hash), "transactionIndex": qty(k), "logIndex": qty(j), "removed": False})
                base = block.header.base_fee_per_gas
                max_fee = getattr(tx, "max_fee_per_gas", None) or tx.gas_price
                tip = getattr(tx, "max_priority_fee_per_gas", None) or tx.gas_price
                return {"transactionHash": data(tx.hash), "blockNumber": qty(n), "blockHash": data(block.hash), "transactionIndex": qty(k),
                        "from": to_checksum_address(tx.sender), "to": to_checksum_address(tx.to) if tx.to else None,
                        "status": qty(1 if r.state_root == b"\x01" else 0), "gasUsed": qty(r.gas_used - prev),
                        "cumulativeGasUsed": qty(r.gas_used), "effectiveGasPrice": qty(min(max_fee, base + tip)), "logs": logs,
                        "contractAddress": None, "type": qty(tx.type_id if hasattr(tx, "type_id") and tx.type_id is not None else 0)}
            prev = r.gas_used
        return None

    def rpc_eth_getBlockByNumber(self, tag, full=False):
        head = self.head()
        n = head if tag in ("latest", "safe", "finalized", "pending") else parse_qty(tag)
        if n > head:
            return None
        b = self.backend.chain.get_canonical_block_by_number(n)
        return {"number": qty(n), "hash": data(b.hash), "parentHash": data(b.header.parent_hash),
                "timestamp": qty(b.header.timestamp), "baseFeePerGas": qty(b.header.base_fee_per_gas),
                "transactions": [data(t.hash) for t in b.transactions]}

    def rpc_eth_getLogs(self, flt):
        head = self.head()
        lo = parse_qty(flt.get("fromBlock", "0x0")) if flt.get("fromBlock") not in (None, "latest") else head
        hi = parse_qty(flt.get("toBlock", qty(head))) if flt.get("toBlock") not in (None, "latest") else head
        addrs = flt.get("address")
        addrs = {a.lower() for a in ([addrs] if isinstance(addrs, str) else addrs or [])}
        want = flt.get("topics") or []
        out = []
        for n in range(lo, min(hi, head) + 1):
            b = self.backend.chain.get_canonical_block_by_number(n)
            for tx in b.transactions:
                r = self.rpc_eth_getTransactionReceipt(data(tx.hash))
                for log in (r or {}).get("logs", []):
                    if addrs and log["address"].lower() not in addrs:
                        continue
                    ok = True
                    for k, w in enumerate(want):
                        if w is None:
                            continue
                        opts = w if isinstance(w, list) else [w]
                        if k >= len(log["topics"]) or log["topics"][k].lower() not in [o.lower() for o in opts]:
                            ok = False
                    if ok:
                        out.append(log)
        return out

    # ---- direct helpers for tests (no RPC) ----
    def deploy(self, bytecode: bytes, key, args_types=(), args=(), value=0) -> str:
        """Deploys a contract from `key` (an eth-account LocalAccount) and mines it; returns its address."""
        from eth_account import Account  # noqa: F401
        with self.lock:
            sender = to_canonical_address(key.address)
            nonce = self.account_nonce(sender)
            for v in self.pool.get(sender, {}):
                nonce = max(nonce, v + 1)
            init = bytecode + (abi_encode(list(args_types), list(args)) if args_types else b"")
            tx = {"type": 2, "chainId": self.chain_id, "nonce": nonce, "maxFeePerGas": self.base_fee() * 2 + GWEI,
                  "maxPriorityFeePerGas": GWEI, "gas": 6_000_000, "to": b"", "value": value, "data": init}
            tx.pop("to")
            signed = key.sign_transaction(tx)
            self.rpc_eth_sendRawTransaction(data(signed.raw_transaction))
            self.mine()
            addr = keccak(rlp_encode_sender_nonce(sender, nonce))[12:]
            assert self.backend.chain.get_vm().state.get_code(addr), "deployment failed"
            return to_checksum_address(addr)

    def transact(self, key, to: str, calldata: bytes, value=0, gas=3_000_000):
        """Sends and mines a transaction from a test key (the keeper, a funder); returns its receipt."""
        with self.lock:
            sender = to_canonical_address(key.address)
            nonce = self.account_nonce(sender)
            tx = {"type": 2, "chainId": self.chain_id, "nonce": nonce, "maxFeePerGas": self.base_fee() * 2 + GWEI,
                  "maxPriorityFeePerGas": GWEI, "gas": gas, "to": to, "value": value, "data": calldata}
            signed = key.sign_transaction(tx)
            h = self.rpc_eth_sendRawTransaction(data(signed.raw_transaction))
            self.mine()
            return self.rpc_eth_getTransactionReceipt(h)

    def call(self, to: str, calldata: bytes) -> bytes:
        with self.lock:
            return parse_data(self.rpc_eth_call({"to": to, "input": data(calldata)}))

    def snapshot(self):
        with self.lock:
            return self.backend.take_snapshot()

    def reorg_to(self, snap):
        """Rewinds the chain to a snapshot: later blocks (and their receipts) are gone; their
        transactions go back to the pool, to be mined again in blocks with new hashes."""
        with self.lock:
            head = self.head()
            back = []
            snap_block = self.backend.chain.get_block_by_hash(snap).number
            for n in range(snap_block + 1, head + 1):
                for tx in self.backend.chain.get_canonical_block_by_number(n).transactions:
                    back.append(tx)
            self.backend.revert_to_snapshot(snap)
            for tx in back:
                self.mined.pop(tx.hash, None)
                p = self.known.get(tx.hash)
                if p is not None:
                    self.pool.setdefault(p.sender, {}).setdefault(p.nonce, []).append(p)
            return len(back)


def rlp_encode_sender_nonce(sender: bytes, nonce: int) -> bytes:
    import rlp
    return rlp.encode([sender, nonce])


def compile_vyper(source: str):
    """(bytecode, abi) of a Vyper contract, compiled now."""
    import vyper
    out = vyper.compile_code(source, output_formats=["bytecode", "abi"])
    return bytes.fromhex(out["bytecode"][2:]), out["abi"]
