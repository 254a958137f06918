"""On-chain transactions through the real binary against a real EVM (py-evm behind the JSON-RPC
node in evm_node.py, contracts compiled now with Vyper): `submit_transaction` simulates, prices,
numbers, journals, sends and follows each transaction; every signature is recovered here with
eth-account (and by py-evm when the node decodes it)."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest
from eth_abi import decode, encode
from eth_account import Account
from eth_utils import keccak

from conftest import BIN, Server, validate_client
from evm_node import GWEI, EVMNode, compile_vyper

TRADER = Account.from_key("0x" + "11" * 32)        # obviously fake test keys
OTHER = Account.from_key("0x" + "22" * 32)
TOKEN_ADMIN = "evm-test-admin-token-0123456789"
CHAIN = 31337

TOKEN_SRC = """
# pragma version ~=0.4.0
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256
@deploy
def __init__(holder: address, supply: uint256):
    self.balanceOf[holder] = supply
@external
def transfer(to: address, amount: uint256) -> bool:
    assert self.balanceOf[msg.sender] >= amount, "ERC20: transfer amount exceeds balance"
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount
    log Transfer(sender=msg.sender, receiver=to, value=amount)
    return True
@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    return True
"""

TARGET_SRC = """
# pragma version ~=0.4.0
count: public(uint256)
event Poked:
    who: indexed(address)
    value: uint256
@external
def poke(x: uint256):
    assert x != 0, "zero poke"
    self.count += x
    log Poked(who=msg.sender, value=x)
@external
@payable
def deposit():
    pass
"""


def sel(sig: str) -> str:
    return "0x" + keccak(sig.encode())[:4].hex()


def calldata(sig: str, types, values) -> str:
    return sel(sig) + encode(types, values).hex()


@pytest.fixture(scope="module")
def contracts():
    return compile_vyper(TOKEN_SRC)[0], compile_vyper(TARGET_SRC)[0]


class Rig:
    def __init__(self, contracts, confirmations=2, timeout_ms=1500, block_ms=150):
        self.node = EVMNode(chain_id=CHAIN, funded={TRADER.address: 10**21, OTHER.address: 10**21}, block_ms=block_ms).start()
        self.token = self.node.deploy(contracts[0], OTHER, ["address", "uint256"], [TRADER.address, 1_000_000])
        self.target = self.node.deploy(contracts[1], OTHER)
        self.sent_before = len(self.node.sent)
        self.config = f"""
[venues.evm]
enabled = true
rpc_url = "{self.node.url}"
chain_id = {CHAIN}
key_env = "ALEPHTX_TEST_EVM_KEY"
confirmations = {confirmations}
submit_timeout_ms = {timeout_ms}
poll_ms = 100
max_fee_gwei = 200
max_value_wei = "1000000000000000000"

[venues.evm.allowlist]
"{self.token.lower()}" = ["{sel('transfer(address,uint256)')}", "{sel('approve(address,uint256)')}"]
"{self.target}" = ["*"]
"""
        self.data_dir = None
        self.server = None

    def start(self, data_dir=None):
        self.server = Server(config=self.config, data_dir=data_dir,
                             env={"ALEPHTX_TEST_EVM_KEY": "0x" + "11" * 32, "ALEPHTX_ADMIN_TOKEN": TOKEN_ADMIN})
        self.data_dir = self.server.data_dir
        c = self.server.client()
        c.call("session.hello", token=TOKEN_ADMIN)
        return c

    def stop(self):
        if self.server:
            for c in self.server.clients:
                validate_client(c)
            assert self.server.stop() == 0
        self.node.stop()

    def our_raws(self):
        """Every raw transaction the node received from us, each signature recovered by eth-account."""
        out = []
        for raw in self.node.sent[self.sent_before:]:
            assert Account.recover_transaction(raw) == TRADER.address
            out.append(raw)
        return out

    def count(self):
        return decode(["uint256"], self.node.call(self.target, bytes.fromhex(sel("count()")[2:])))[0]

    def balance(self, who):
        return decode(["uint256"], self.node.call(self.token, bytes.fromhex(calldata("balanceOf(address)", ["address"], [who])[2:])))[0]


def wait_state(sub, intent, states, timeout=30):
    """Notifications for `intent` until its state is one of `states`; returns them all."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            d = sub.get(timeout=max(0.1, deadline - time.time()))["data"]
        except Exception:
            break
        if d.get("kind") == "transaction" and d["intent_id"] == intent:
            seen.append(d)
            if d["state"] in states:
                return seen
    raise AssertionError(f"{intent} never reached {states}: {[s['state'] for s in seen]}")


def submit(c, intent, to, data="0x", value="0", **kw):
    return c.call("submit_transaction", intent_id=intent, to=to, data=data, value=value, **kw)


def test_a_transfer_is_simulated_journaled_sent_mined_and_confirmed(contracts):
    rig = Rig(contracts)
    try:
        c = rig.start()
        sub = c.subscribe("orders")
        r = submit(c, "xfer-1", rig.token, calldata("transfer(address,uint256)", ["address", "uint256"], [OTHER.address, 250]))
        assert r["state"] in ("sent", "signed", "mined") and r["nonce"] == 0 and r["from"] == TRADER.address and r["kind"] == "transaction"
        seen = wait_state(sub, "xfer-1", {"confirmed"})
        states = [s["state"] for s in seen]
        assert "mined" in states and states[-1] == "confirmed"
        final = seen[-1]
        assert final["status"] == 1 and final["block_number"] >= 1 and final["gas_used"] > 21000 and final["hash"] == r["hash"]
        assert rig.balance(OTHER.address) == 250 and rig.balance(TRADER.address) == 1_000_000 - 250
        raws = rig.our_raws()
        assert len(raws) == 1 and "0x" + keccak(raws[0]).hex() == r["hash"]
        # The same intent again: the same transaction, nothing new signed or sent.
        again = submit(c, "xfer-1", rig.token, calldata("transfer(address,uint256)", ["address", "uint256"], [OTHER.address, 250]))
        assert again["duplicate"] is True and again["hash"] == r["hash"] and again["state"] == "confirmed"
        e = c.request("submit_transaction", {"intent_id": "xfer-1", "to": rig.token, "data": calldata("transfer(address,uint256)", ["address", "uint256"], [OTHER.address, 9])})
        assert e["error"]["data"]["code"] == "intent_conflict"
        assert len(rig.our_raws()) == 1
        # The journal has the signed bytes before the node ever saw them.
        data_dir = rig.data_dir
    finally:
        rig.stop()
    journal = [json.loads(l) for l in subprocess.run([BIN, "ledger", "export", "--data-dir", data_dir], capture_output=True, text=True, timeout=60).stdout.splitlines()]
    evm = [j for j in journal if j["kind"] == "evm_tx" and j["ref"] == "xfer-1"]
    assert evm[0]["data"]["state"] == "signed" and evm[0]["data"]["versions"][0]["raw"] == "0x" + raws[0].hex()
    assert [j["data"]["state"] for j in evm][-1] == "confirmed"


def test_reverts_are_rejected_and_never_broadcast_and_the_rules_hold(contracts):
    rig = Rig(contracts)
    try:
        c = rig.start()
        r = submit(c, "too-much", rig.token, calldata("transfer(address,uint256)", ["address", "uint256"], [OTHER.address, 10**9]))
        assert r["state"] == "rejected" and "ERC20: transfer amount exceeds balance" in r["reason"] and r["revert_data"].startswith("0x08c379a0")
        r = submit(c, "zero-poke", rig.target, calldata("poke(uint256)", ["uint256"], [0]))
        assert r["state"] == "rejected" and 'Error("zero poke")' in r["reason"]
        assert rig.our_raws() == [], "a rejected transaction reached the node"
        # Preview: simulated and priced, nothing signed.
        p = submit(c, "peek", rig.target, calldata("poke(uint256)", ["uint256"], [3]), preview=True)
        assert p["state"] == "previewed" and p["gas_limit"] > 21000 and int(p["max_fee_per_gas"]) > 0 and p["nonce"] == 0
        assert rig.our_raws() == []
        # Configuration refuses before anything else.
        for to, data, value, why in [
            (OTHER.address, "0x", "0", "not in [venues.evm.allowlist]"),
            (rig.token, calldata("transferFrom(address,address,uint256)", ["address", "address", "uint256"], [TRADER.address, OTHER.address, 1]), "0", "selector"),
            (rig.target, calldata("deposit()", [], []), str(2 * 10**18), "max_value_wei"),
        ]:
            e = c.request("submit_transaction", {"intent_id": f"refused-{why}", "to": to, "data": data, "value": value})
            assert e["error"]["data"]["code"] == "transaction_refused" and why in e["error"]["message"], e
        for bad in [{"intent_id": "b", "to": "0x1234"}, {"intent_id": "b", "to": rig.target, "data": "0xzz"},
                    {"intent_id": "b", "to": rig.target, "value": "-1"}, {"to": rig.target}, {"intent_id": "b", "to": rig.target, "gas": 5}]:
            e = c.request("submit_transaction", bad)
            assert e["error"]["code"] == -32602, (bad, e)
        # Not admin: refused.
        t = rig.server.client()
        e = t.request("submit_transaction", {"intent_id": "x", "to": rig.target})
        assert e["error"]["data"]["code"] == "unauthorized"
        # A payable call within the cap goes through.
        ok = submit(c, "dep", rig.target, calldata("deposit()", [], []), value=str(10**15))
        assert ok["state"] in ("sent", "signed", "mined") and ok["value"] == str(10**15)
        assert len(rig.our_raws()) == 1
    finally:
        rig.stop()


@pytest.mark.parametrize("mined", ["replacement", "original"])
def test_a_stuck_transaction_is_replaced_and_the_mined_version_is_booked(contracts, mined):
    rig = Rig(contracts, timeout_ms=800)
    try:
        c = rig.start()
        sub = c.subscribe("orders")
        rig.node.mining = False
        rig.node.mine_first_seen = mined == "original"
        r = submit(c, "stuck", rig.target, calldata("poke(uint256)", ["uint256"], [5]))
        deadline = time.time() + 20
        while time.time() < deadline and len(rig.our_raws()) < 2:
            time.sleep(0.1)
        raws = rig.our_raws()
        assert len(raws) >= 2, "no replacement was sent"
        rig.node.mining = True
        seen = wait_state(sub, "stuck", {"confirmed"})
        final = seen[-1]
        first_hash, last_hash = "0x" + keccak(raws[0]).hex(), "0x" + keccak(raws[-1]).hex()
        assert final["replacements"] >= 1 and final["hashes"][0] == first_hash and first_hash != last_hash
        assert final["hash"] == (first_hash if mined == "original" else final["hashes"][-1])
        assert rig.count() == 5, "the intent executed more than once"
        # Every version has the same nonce; each replacement raised both fees by at least 10 %.
        from eth_account.typed_transactions import TypedTransaction
        from hexbytes import HexBytes
        txs = [TypedTransaction.from_bytes(HexBytes(raw)).as_dict() for raw in raws]
        assert {t["nonce"] for t in txs} == {0}
        for a, b in zip(txs, txs[1:]):
            assert b["maxFeePerGas"] * 100 >= a["maxFeePerGas"] * 110 and b["maxPriorityFeePerGas"] * 100 >= a["maxPriorityFeePerGas"] * 110
    finally:
        rig.stop()


def test_concurrent_submissions_get_gap_free_nonces(contracts):
    rig = Rig(contracts)
    try:
        rig.start()
        clients = [rig.server.client() for _ in range(4)]
        for cl in clients:
            cl.call("session.hello", token=TOKEN_ADMIN)
        results, errors = [], []

        def worker(k):
            cl = clients[k % 4]
            try:
                results.append(submit(cl, f"conc-{k}", rig.target, calldata("poke(uint256)", ["uint256"], [k + 1])))
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(results) == 20
        assert sorted(r["nonce"] for r in results) == list(range(20))
        deadline = time.time() + 30
        while time.time() < deadline and rig.count() != sum(range(1, 21)):
            time.sleep(0.2)
        assert rig.count() == sum(range(1, 21)) and len(rig.our_raws()) == 20
    finally:
        rig.stop()


def test_kill_9_before_the_node_saw_it_sends_the_same_bytes_after_restart(contracts):
    rig = Rig(contracts)
    try:
        c = rig.start()
        rig.node.fail_next.append(("eth_sendRawTransaction", None, None))   # the connection drops before the node takes it
        r = submit(c, "crash", rig.target, calldata("poke(uint256)", ["uint256"], [7]))
        assert r["state"] in ("sent", "signed")
        rig.server.proc.send_signal(signal.SIGKILL)
        rig.server.proc.wait()
        assert rig.count() == 0 and rig.our_raws() == []
        data_dir = rig.data_dir
        c = rig.start(data_dir=data_dir)
        deadline = time.time() + 30
        while time.time() < deadline and rig.count() == 0:
            time.sleep(0.1)
        assert rig.count() == 7
        raws = rig.our_raws()
        assert len(raws) >= 1 and "0x" + keccak(raws[0]).hex() == r["hash"], "the restart signed a new transaction instead of sending the journaled one"
        again = submit(c, "crash", rig.target, calldata("poke(uint256)", ["uint256"], [7]))
        assert again["duplicate"] is True and again["hash"] == r["hash"]
        # The next intent takes the next nonce: nothing reused, nothing skipped.
        nxt = submit(c, "after-crash", rig.target, calldata("poke(uint256)", ["uint256"], [1]))
        assert nxt["nonce"] == 1
    finally:
        rig.stop()


def test_a_reorg_that_drops_the_receipt_is_noticed(contracts):
    rig = Rig(contracts, confirmations=6, timeout_ms=60_000)
    try:
        c = rig.start()
        sub = c.subscribe("orders")
        rig.node.mining = False
        snap = rig.node.snapshot()
        submit(c, "reorged", rig.target, calldata("poke(uint256)", ["uint256"], [2]))
        rig.node.mining = True
        first = wait_state(sub, "reorged", {"mined"})[-1]
        rig.node.mining = False
        assert rig.node.reorg_to(snap) >= 1
        rig.node.mining = True
        seen = wait_state(sub, "reorged", {"confirmed"}, timeout=40)
        assert any(s["state"] == "sent" and s["reorgs"] == 1 for s in seen), [(s["state"], s["reorgs"]) for s in seen]
        final = seen[-1]
        assert final["reorgs"] == 1 and final["block_hash"] != first["block_hash"] and final["hash"] == first["hash"]
        assert rig.count() == 2
    finally:
        rig.stop()
