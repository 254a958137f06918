"""GMX v2 through the real binary on a real EVM: a Vyper double of ExchangeRouter, Router and
OrderVault that checks the multicall exactly as GMX's CreateOrderParams define it and emits
GMX-shaped EventLog1/EventLog2 events; the test is the keeper. An increase executed by the keeper
becomes a fill and a position, a decrease closes it, a keeper cancellation and a user cancel end
`cancelled`, and a reverting order is rejected with its reason and never broadcast."""
import json
import threading
import time
from decimal import ROUND_DOWN, Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from eth_abi import decode, encode
from eth_account import Account
from eth_utils import keccak

from conftest import Server, validate_client
from evm_node import EVMNode
from gmx_contracts import deploy_gmx

TRADER = Account.from_key("0x" + "11" * 32)        # obviously fake test keys
DEPLOYER = Account.from_key("0x" + "22" * 32)
KEEPER = Account.from_key("0x" + "33" * 32)
TOKEN_ADMIN = "gmx-test-admin-token-0123456789"
ETH_INDEX = "0x" + "55" * 20
ETH_MARKET = "0x" + "44" * 20
FEE = 2 * 10**14
INST = "gmx:ETH-USD-PERP"


def units(usd):
    """USD per ETH → GMX price units (USD per wei × 10^30)."""
    return int(D(usd) * 10**12)


class Tickers:
    def __init__(self):
        self.lo, self.hi = units("3599.5"), units("3600.5")
        me = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                body = json.dumps([{"tokenAddress": ETH_INDEX, "tokenSymbol": "ETH", "minPrice": str(me.lo), "maxPrice": str(me.hi)},
                                   {"tokenAddress": "0x" + "66" * 20, "tokenSymbol": "BTC", "minPrice": "1", "maxPrice": "2"}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}/prices/tickers"

    def stop(self):
        self.srv.shutdown()


@pytest.fixture(scope="module")
def rig():
    node = EVMNode(funded={TRADER.address: 10**21, DEPLOYER.address: 10**21, KEEPER.address: 10**21}, block_ms=100).start()
    a = deploy_gmx(node, DEPLOYER, KEEPER, TRADER.address, 3000 * 10**6)      # the trader holds 3,000 USDC
    tickers = Tickers()
    config = f"""
[venues.evm]
enabled = true
rpc_url = "{node.url}"
chain_id = 31337
key_env = "ALEPHTX_TEST_EVM_KEY"
confirmations = 1
submit_timeout_ms = 30000
poll_ms = 50
max_approval = "1000000000000"

[venues.gmx]
enabled = true
mode = "live"
exchange_router = "{a['exchange_router']}"
router = "{a['router']}"
order_vault = "{a['vault']}"
wnt = "{a['wnt']}"
execution_fee_wei = "{FEE}"
slippage_bps = 100
tickers_url = "{tickers.url}"
poll_ms = 50

[venues.gmx.markets."ETH-USD"]
market = "{ETH_MARKET}"
index_token = "{ETH_INDEX}"
index_decimals = 18
collateral_token = "{a['usdc']}"
collateral_decimals = 6
leverage = "2"
tick_size = "0.1"
lot_size = "0.001"
"""
    s = Server(config=config, env={"ALEPHTX_TEST_EVM_KEY": "0x" + "11" * 32, "ALEPHTX_ADMIN_TOKEN": TOKEN_ADMIN})
    c = s.client()
    deadline = time.time() + 30
    while time.time() < deadline:
        r = c.request("get_book", {"instrument": INST})
        if "result" in r and r["result"]["asks"]:
            break
        time.sleep(0.05)
    # …and the venue reconciled (its wallet read): it trades only then.
    while time.time() < deadline:
        if any(e["venue"] == "gmx" and e["state"] == "live" for e in c.call("get_health")["execution"]):
            break
        time.sleep(0.05)
    yield {"node": node, "addr": a, "server": s, "client": c, "tickers": tickers}
    for cl in s.clients:
        validate_client(cl)
    assert s.stop() == 0
    tickers.stop()
    node.stop()


def wait_order(c, intent, pred, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        orders = [o for o in c.call("get_orders", status="all")["orders"] if o["intent_id"] == intent]
        last = orders[0] if orders else None
        if last and pred(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"{intent}: {last}")


def keeper(rig, fn, key, *args):
    sig = {"execute": "keeperExecute(bytes32,uint256)", "cancel": "keeperCancel(bytes32,string)"}[fn]
    types = {"execute": ["uint256"], "cancel": ["string"]}[fn]
    r = rig["node"].transact(KEEPER, rig["addr"]["exchange_router"], keccak(sig.encode())[:4] + bytes.fromhex(key[2:]) + encode(types, list(args)))
    assert r["status"] == "0x1", r


def usdc(rig, who):
    return decode(["uint256"], rig["node"].call(rig["addr"]["usdc"], keccak(b"balanceOf(address)")[:4] + encode(["address"], [who])))[0]


def test_an_increase_executed_by_the_keeper_is_a_fill_and_a_position_and_a_decrease_closes_it(rig):
    c = rig["client"]
    before = usdc(rig, TRADER.address)
    r = c.call("place_signal", intent_id="gmx-long-1", instrument=INST, side="buy", quantity="0.5")
    assert r["status"] in ("pending_submit", "open"), r
    o = wait_order(c, "gmx-long-1", lambda o: o["status"] == "open" and o["venue_order_id"])
    # Collateral (size / leverage, in USDC) and the fee went to the vault in the creating multicall.
    assert before - usdc(rig, TRADER.address) == int(D("0.5") * D("3600.5") / 2 * 10**6)
    keeper(rig, "execute", o["venue_order_id"], units("3600.5"))
    o = wait_order(c, "gmx-long-1", lambda o: o["status"] == "filled")
    fills = c.call("get_fills", order_id=o["order_id"])["fills"]
    assert len(fills) == 1 and D(fills[0]["price"]) == D("3600.5") and D(fills[0]["quantity"]) == D("0.5")
    pos = c.call("get_positions", instrument=INST)["positions"]
    assert len(pos) == 1 and D(pos[0]["quantity"]) == D("0.5")
    # Close it: a reduce-only sell is a MarketDecrease of the whole position.
    c.call("place_signal", intent_id="gmx-close-1", instrument=INST, side="sell", quantity="0.5", reduce_only=True)
    o = wait_order(c, "gmx-close-1", lambda o: o["status"] == "open" and o["venue_order_id"])
    keeper(rig, "execute", o["venue_order_id"], units("3599.5"))
    o = wait_order(c, "gmx-close-1", lambda o: o["status"] == "filled")
    pos = [p for p in c.call("get_positions", instrument=INST)["positions"] if D(p["quantity"]) != 0]
    assert pos == [], pos
    # The collateral came back to the trader.
    assert usdc(rig, TRADER.address) == before


def test_a_keeper_cancellation_and_a_user_cancel_end_cancelled(rig):
    c = rig["client"]
    before = usdc(rig, TRADER.address)
    c.call("place_signal", intent_id="gmx-long-2", instrument=INST, side="buy", quantity="0.2")
    o = wait_order(c, "gmx-long-2", lambda o: o["status"] == "open" and o["venue_order_id"])
    # The keeper's price is beyond the acceptable price: GMX cancels with the reason.
    keeper(rig, "execute", o["venue_order_id"], units("4000"))
    o = wait_order(c, "gmx-long-2", lambda o: o["status"] == "cancelled")
    assert "OrderNotFulfillableAtAcceptablePrice" in (o["reason"] or ""), o
    assert c.call("get_fills", order_id=o["order_id"])["fills"] == [] and usdc(rig, TRADER.address) == before
    # A resting limit order cancelled by us: cancelOrder on chain, OrderCancelled ends it.
    c.call("place_signal", intent_id="gmx-limit-1", instrument=INST, side="buy", quantity="0.1", limit_price="3000")
    o = wait_order(c, "gmx-limit-1", lambda o: o["status"] == "open" and o["venue_order_id"])
    c.call("cancel_order", order_id=o["order_id"])
    o = wait_order(c, "gmx-limit-1", lambda o: o["status"] == "cancelled")
    assert usdc(rig, TRADER.address) == before


def test_a_reverting_order_is_rejected_with_its_reason_and_never_broadcast(rig):
    c = rig["client"]
    node = rig["node"]
    sent_before = len(node.sent)
    # 3 ETH at 3600.5 with 2x leverage needs 5,401 USDC of collateral; the trader has less.
    r = c.call("place_signal", intent_id="gmx-too-big", instrument=INST, side="buy", quantity="3")
    assert r["status"] == "rejected" and "ERC20: transfer amount exceeds balance" in json.dumps(r), r
    to_router = [raw for raw in node.sent[sent_before:] if rig["addr"]["exchange_router"][2:].lower() in raw.hex()]
    assert to_router == [], "a reverting order reached the node"


def test_the_wallet_is_the_venue_account_and_is_read_again_after_an_order_ends(rig):
    c = rig["client"]
    trader = bytes.fromhex(TRADER.address[2:])

    def wallet():
        acct = next((a for a in c.call("get_balances")["accounts"] if a["venue"] == "gmx"), None)
        return {b["asset"]: (D(b["free"]), D(b["locked"])) for b in acct["balances"]} if acct else {}

    def chain():
        eth = (D(rig["node"].balance(trader)) / D(10**18)).quantize(D("0.00000001"), rounding=ROUND_DOWN)
        return {"USDC": (D(usdc(rig, TRADER.address)) / D(10**6), D(0)), "ETH": (eth, D(0))}

    deadline = time.time() + 90
    while wallet() != chain() and time.time() < deadline:
        time.sleep(0.1)
    assert wallet() == chain() and chain()["USDC"][0] > 0, (wallet(), chain())
    # An order moves collateral out and pays gas; once it ends the wallet is read again.
    before = chain()
    c.call("place_signal", intent_id="gmx-wallet", instrument=INST, side="buy", quantity="0.1")
    o = wait_order(c, "gmx-wallet", lambda o: o["status"] == "open" and o["venue_order_id"])
    keeper(rig, "execute", o["venue_order_id"], units("3600.5"))
    wait_order(c, "gmx-wallet", lambda o: o["status"] == "filled")
    deadline = time.time() + 10
    while wallet() != chain() and time.time() < deadline:
        time.sleep(0.05)
    assert wallet() == chain() and chain()["USDC"][0] < before["USDC"][0], (wallet(), chain(), before)

