"""`alephtx crypto hyperliquid-sign` against hyperliquid-python-sdk on random orders and cancels.

The key is the shared specs' fake test key (never used for funds).
"""
import json
import os
import random
import subprocess

from eth_account import Account
from hyperliquid.utils.signing import OrderRequest, order_request_to_order_wire, order_wires_to_order_action, sign_l1_action

from conftest import BIN

TEST_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"  # fake test key (spec K1)
ENV = {**os.environ, "ALEPHTX_TEST_KEY": TEST_KEY}
WALLET = Account.from_key(TEST_KEY)


def rand_order(rnd: random.Random) -> OrderRequest:
    decimals = rnd.randrange(0, 6)
    px = round(rnd.uniform(0.001, 100000), decimals) or 1.0
    sz = round(rnd.uniform(0.0001, 5000), rnd.randrange(0, 5)) or 1.0
    if rnd.random() < 0.7:
        order_type = {"limit": {"tif": rnd.choice(["Gtc", "Ioc", "Alo"])}}
    else:
        order_type = {"trigger": {"isMarket": rnd.random() < 0.5, "triggerPx": round(px * rnd.uniform(0.9, 1.1), decimals) or 1.0,
                                  "tpsl": rnd.choice(["tp", "sl"])}}
    o = {"coin": "X", "is_buy": rnd.random() < 0.5, "sz": sz, "limit_px": px, "order_type": order_type, "reduce_only": rnd.random() < 0.3}
    if rnd.random() < 0.3:
        from hyperliquid.utils.types import Cloid
        o["cloid"] = Cloid.from_int(rnd.getrandbits(128))
    return o


def rand_action(rnd: random.Random) -> dict:
    if rnd.random() < 0.75:
        wires = [order_request_to_order_wire(rand_order(rnd), rnd.choice([0, 1, 4, 5, 159, 10000, 10107])) for _ in range(rnd.randrange(1, 4))]
        return order_wires_to_order_action(wires, grouping=rnd.choice(["na", "normalTpsl", "positionTpsl"]))
    return {"type": "cancel", "cancels": [{"a": rnd.randrange(0, 12000), "o": rnd.getrandbits(rnd.choice([8, 16, 32, 48]))}
                                          for _ in range(rnd.randrange(1, 4))]}


def test_l1_signatures_match_the_sdk_on_200_random_actions(tmp_path):
    rnd = random.Random(1337)
    for case in range(220):
        action = rand_action(rnd)
        nonce = rnd.choice([0, 1677777606040, 1700000000000 + rnd.getrandbits(24)])
        vault = rnd.choice([None, None, "0x" + rnd.getrandbits(160).to_bytes(20, "big").hex()])
        expires = rnd.choice([None, None, nonce + rnd.randrange(1000, 100000)])
        mainnet = rnd.random() < 0.5
        ref = sign_l1_action(WALLET, action, vault, nonce, expires, mainnet)
        f = tmp_path / f"hl{case}.json"
        f.write_text(json.dumps({"action": action, "nonce": nonce, "vault_address": vault, "expires_after": expires, "is_mainnet": mainnet}))
        p = subprocess.run([BIN, "crypto", "hyperliquid-sign", str(f), "--key-env", "ALEPHTX_TEST_KEY"], capture_output=True, text=True, env=ENV, timeout=30)
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout)
        assert int(out["r"], 16) == int(ref["r"], 16) and int(out["s"], 16) == int(ref["s"], 16) and out["v"] == ref["v"], (case, action)


def test_hyperliquid_sign_rejects_floats_and_bad_input(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"action": {"type": "order", "px": 1.5}, "nonce": 1}))
    p = subprocess.run([BIN, "crypto", "hyperliquid-sign", str(f), "--key-env", "ALEPHTX_TEST_KEY"], capture_output=True, text=True, env=ENV, timeout=30)
    assert p.returncode != 0 and "decimals as strings" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    f.write_text(json.dumps({"action": {"type": "cancel"}}))
    p = subprocess.run([BIN, "crypto", "hyperliquid-sign", str(f), "--key-env", "ALEPHTX_TEST_KEY"], capture_output=True, text=True, env=ENV, timeout=30)
    assert p.returncode != 0 and "nonce" in p.stderr


def test_user_signed_actions_match_the_sdk(tmp_path):
    from hyperliquid.utils import signing
    kinds = [(name, getattr(signing, name)) for name in dir(signing) if name.endswith("SIGN_TYPES") and "MULTI_SIG" not in name]
    assert len(kinds) >= 5
    rnd = random.Random(66)
    n = 0
    for case in range(120):
        name, types = kinds[case % len(kinds)]
        primary = "HyperliquidTransaction:" + name.replace("_SIGN_TYPES", "").title().replace("_", "")
        action = {"type": name.lower()}
        for f in types:
            t, k = f["type"], f["name"]
            if k in ("hyperliquidChain",):
                continue
            if t == "string":
                action[k] = rnd.choice([str(round(rnd.uniform(0, 10000), rnd.randrange(0, 6))), "0x" + rnd.getrandbits(160).to_bytes(20, "big").hex(), "USDC:0x" + "ab" * 16])
            elif t == "address":
                action[k] = "0x" + rnd.getrandbits(160).to_bytes(20, "big").hex()
            elif t.startswith("uint"):
                action[k] = rnd.getrandbits(48)
            elif t == "bool":
                action[k] = rnd.random() < 0.5
            else:
                raise AssertionError(t)
        mainnet = rnd.random() < 0.5
        ref = signing.sign_user_signed_action(WALLET, dict(action), types, primary, mainnet)
        f = tmp_path / f"u{case}.json"
        f.write_text(json.dumps({"action": action, "is_mainnet": mainnet, "user_signed": {"primary_type": primary, "types": types}}))
        p = subprocess.run([BIN, "crypto", "hyperliquid-sign", str(f), "--key-env", "ALEPHTX_TEST_KEY"], capture_output=True, text=True, env=ENV, timeout=30)
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout)
        assert int(out["r"], 16) == int(ref["r"], 16) and int(out["s"], 16) == int(ref["s"], 16) and out["v"] == ref["v"], (name, action)
        assert out["action"]["signatureChainId"] == "0x66eee" and out["action"]["hyperliquidChain"] == ("Mainnet" if mainnet else "Testnet")
        n += 1
    assert n == 120
