"""`alephtx crypto` against eth-account (the independent reference) on random inputs, and the shared SDK vectors.

The key below is a well-known test key from the shared specs — obviously fake, never used for funds.
"""
import json
import os
import pathlib
import random
import subprocess

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address

from conftest import BIN, ROOT

TEST_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"  # fake test key (spec K1)
ENV = {**os.environ, "ALEPHTX_TEST_KEY": TEST_KEY}
SHARED = ROOT.parent / "shared" / "vectors"


def cli(*args, stdin: str | None = None):
    p = subprocess.run([BIN, "crypto", *args], input=stdin, capture_output=True, text=True, env=ENV, timeout=30)
    assert p.returncode == 0, p.stderr
    assert TEST_KEY[2:] not in p.stdout and TEST_KEY[2:] not in p.stderr  # the key is never printed
    lines = p.stdout.splitlines()
    assert len(lines) == 1, p.stdout
    return lines[0]


def rand_value(rnd: random.Random, t: str, types: dict):
    if t.endswith("]"):
        base, size = t[: t.rindex("[")], t[t.rindex("[") + 1 : -1]
        n = int(size) if size else rnd.randrange(0, 4)
        return [rand_value(rnd, base, types) for _ in range(n)]
    if t in types:
        return {f["name"]: rand_value(rnd, f["type"], types) for f in types[t]}
    if t == "string":
        return "".join(rnd.choice("abcé\"\\ \n😀xyz") for _ in range(rnd.randrange(0, 12)))
    if t == "bytes":
        return "0x" + os.urandom(rnd.randrange(0, 40)).hex()
    if t == "bool":
        return rnd.random() < 0.5
    if t == "address":
        return to_checksum_address("0x" + rnd.getrandbits(160).to_bytes(20, "big").hex())
    if t.startswith("bytes"):
        return "0x" + rnd.getrandbits(8 * int(t[5:])).to_bytes(int(t[5:]), "big").hex()
    if t.startswith("uint"):
        bits = int(t[4:])
        return rnd.choice([0, 1, (1 << bits) - 1, rnd.getrandbits(bits)])
    if t.startswith("int"):
        bits = int(t[3:])
        return rnd.choice([0, -1, -(1 << (bits - 1)), (1 << (bits - 1)) - 1, rnd.getrandbits(bits - 1) * rnd.choice([1, -1])])
    raise AssertionError(t)


def rand_typed_data(rnd: random.Random) -> dict:
    atomic = ["string", "bytes", "bool", "address"] + [f"uint{8 * rnd.randrange(1, 33)}" for _ in range(2)] + \
             [f"int{8 * rnd.randrange(1, 33)}" for _ in range(2)] + [f"bytes{rnd.randrange(1, 33)}" for _ in range(2)]
    n = rnd.randrange(1, 4)
    names = [f"S{i}" for i in range(n)]
    types = {}
    for i in reversed(range(n)):
        fields = []
        for k in range(rnd.randrange(1, 5)):
            t = rnd.choice(atomic + names[i + 1:]) if i + 1 < n else rnd.choice(atomic)
            if rnd.random() < 0.25:
                t += rnd.choice(["[]", f"[{rnd.randrange(1, 3)}]"])
            fields.append({"name": f"f{k}", "type": t})
        if i + 1 < n and not any(f["type"].split("[")[0] == names[i + 1] for f in fields):
            fields.append({"name": "child", "type": names[i + 1]})  # every struct reachable from the primary type
        types[names[i]] = fields
    domain_fields = [("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")]
    chosen = [f for f in domain_fields if rnd.random() < 0.75] or [domain_fields[0]]
    types["EIP712Domain"] = [{"name": a, "type": b} for a, b in chosen]
    domain = {a: rand_value(rnd, b, types) for a, b in chosen}
    return {"types": types, "primaryType": names[0], "domain": domain, "message": rand_value(rnd, names[0], types)}


def test_typed_data_matches_eth_account_on_200_random_documents(tmp_path):
    rnd = random.Random(712)
    for case in range(200):
        doc = rand_typed_data(rnd)
        f = tmp_path / f"td{case}.json"
        f.write_text(json.dumps(doc))
        signable = encode_typed_data(full_message=doc)
        signed = Account.sign_message(signable, TEST_KEY)
        digest = cli("hash-typed-data", str(f))
        assert digest == "0x" + signed.message_hash.hex().removeprefix("0x"), (case, doc)
        out = json.loads(cli("sign-typed-data", str(f), "--key-env", "ALEPHTX_TEST_KEY"))
        assert out["v"] == signed.v and int(out["r"], 16) == signed.r and int(out["s"], 16) == signed.s, case
        assert out["signature"] == "0x" + signed.signature.hex().removeprefix("0x")


def rand_tx(rnd: random.Random) -> dict:
    tx = {"chainId": rnd.choice([1, 5, 137, 42161, rnd.randrange(1, 2**32)]), "nonce": rnd.choice([0, 1, rnd.getrandbits(32)]),
          "gas": rnd.choice([21000, rnd.getrandbits(24)]), "value": rnd.choice([0, 1, 10**18, rnd.getrandbits(128)]),
          "data": "0x" + os.urandom(rnd.choice([0, 4, 68, rnd.randrange(0, 200)])).hex(),
          "to": to_checksum_address("0x" + rnd.getrandbits(160).to_bytes(20, "big").hex())}
    if rnd.random() < 0.5:
        tx["gasPrice"] = rnd.choice([1, 20 * 10**9, rnd.getrandbits(64)])
    else:
        tx["type"] = 2
        tx["maxFeePerGas"] = rnd.getrandbits(48) + 10**9
        tx["maxPriorityFeePerGas"] = rnd.getrandbits(30)
        tx["accessList"] = [{"address": to_checksum_address("0x" + rnd.getrandbits(160).to_bytes(20, "big").hex()),
                             "storageKeys": ["0x" + rnd.getrandbits(256).to_bytes(32, "big").hex() for _ in range(rnd.randrange(0, 3))]}
                            for _ in range(rnd.randrange(0, 3))]
    return tx


def test_transactions_match_eth_account_on_200_random_inputs(tmp_path):
    rnd = random.Random(1559)
    for case in range(200):
        tx = rand_tx(rnd)
        # Numbers travel as JSON numbers or as decimal/hex strings.
        as_json = {k: (hex(v) if isinstance(v, int) and rnd.random() < 0.3 else str(v) if isinstance(v, int) and rnd.random() < 0.3 else v)
                   for k, v in tx.items()}
        f = tmp_path / f"tx{case}.json"
        f.write_text(json.dumps(as_json))
        ref = Account.sign_transaction(tx, TEST_KEY)
        out = json.loads(cli("sign-tx", str(f), "--key-env", "ALEPHTX_TEST_KEY"))
        assert out["raw"] == "0x" + ref.raw_transaction.hex().removeprefix("0x"), (case, tx)
        assert out["hash"] == "0x" + ref.hash.hex().removeprefix("0x")


def test_keccak_address_and_errors(tmp_path):
    assert cli("keccak256", "--text", "abc") == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert cli("keccak256", "--hex", "0x616263") == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert cli("address", "--key-env", "ALEPHTX_TEST_KEY") == Account.from_key(TEST_KEY).address
    keyfile = tmp_path / "key"
    keyfile.write_text(TEST_KEY + "\n")
    assert cli("address", "--key-file", str(keyfile)) == Account.from_key(TEST_KEY).address
    for args in (["keccak256", "--hex", "0xzz"], ["address", "--key-env", "ALEPHTX_MISSING_KEY"], ["hash-typed-data", str(tmp_path / "missing.json")],
                 ["sign-tx", "-", "--key-env", "ALEPHTX_TEST_KEY"]):
        p = subprocess.run([BIN, "crypto", *args], input="{\"chainId\": 1}", capture_output=True, text=True, env=ENV, timeout=30)
        assert p.returncode != 0 and p.stdout == "" and len(p.stderr.strip().splitlines()) == 1 and p.stderr.startswith("error: "), (args, p.stderr)
        assert TEST_KEY[2:] not in p.stderr


def test_shared_vectors_through_the_cli(tmp_path):
    path = SHARED / "crypto_vectors.json"
    if not path.exists():
        pytest.skip(f"{path} not found (CI always has ../shared)")
    v = json.loads(path.read_text())
    for t in v["transactions"]:
        f = tmp_path / "t.json"
        f.write_text(json.dumps(t["tx"]))
        env = {**ENV, "VEC_KEY": t["private_key"]}
        p = subprocess.run([BIN, "crypto", "sign-tx", str(f), "--key-env", "VEC_KEY"], capture_output=True, text=True, env=env, timeout=30)
        out = json.loads(p.stdout)
        assert out["raw"] == t["raw_signed_tx"] and out["hash"] == t["tx_hash"], t["name"]
    for text, digest in v["keccak256"].items():
        assert cli("keccak256", "--text", text) == "0x" + digest.removeprefix("0x")
    a = v["address_derivation"]
    env = {**ENV, "VEC_KEY": a["private_key"]}
    p = subprocess.run([BIN, "crypto", "address", "--key-env", "VEC_KEY"], capture_output=True, text=True, env=env, timeout=30)
    assert p.stdout.strip() == a["address_eip55"]


def _vectors(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} not found (CI always has ../shared)")
    return json.loads(path.read_text())


def _run(args, key, stdin=None):
    p = subprocess.run([BIN, "crypto", *args, "--key-env", "VEC_KEY"], input=stdin, capture_output=True, text=True,
                       env={**os.environ, "VEC_KEY": key}, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def test_shared_hyperliquid_vectors_through_the_cli():
    v = _vectors("hl_vectors.json")
    for t in v["vectors"]:
        for net, mainnet in (("mainnet", True), ("testnet", False)):
            if not t.get(net):
                continue
            doc = {"action": json.loads(t["action_json"]), "nonce": t["nonce"], "vault_address": t["vaultAddress"],
                   "expires_after": t["expiresAfter"], "is_mainnet": mainnet}
            out = json.loads(_run(["hyperliquid-sign", "-"], v["private_key"], stdin=json.dumps(doc)))
            exp = t[net]
            assert out == {"r": exp["r"], "s": exp["s"], "v": exp["v"]}, (t["name"], net)


def test_shared_polymarket_vectors_through_the_cli():
    v1 = _vectors("pm_vectors.json")
    for t in v1["orders"]:
        body = json.loads(t["post_body_json"])
        o = body["order"]
        doc = {"version": 1, "exchange": t["verifyingContract"], "owner": body["owner"], "orderType": body["orderType"], "postOnly": body["postOnly"],
               "order": {k: o[k] for k in ("salt", "tokenId", "makerAmount", "takerAmount", "side", "expiration", "nonce", "feeRateBps")}}
        assert _run(["polymarket-sign-order", "-"], v1["private_key"], stdin=json.dumps(doc)) == t["post_body_json"], t["name"]
    v2 = _vectors("pm_v2_vectors.json")
    for t in v2["orders"]:
        body = json.loads(t["post_body_json"])
        o = body["order"]
        doc = {"version": 2, "exchange": t["verifyingContract"], "owner": body["owner"], "orderType": body["orderType"], "postOnly": body["postOnly"],
               "deferExec": body["deferExec"],
               "order": {k: o[k] for k in ("salt", "tokenId", "makerAmount", "takerAmount", "side", "expiration", "timestamp", "metadata", "builder")}}
        assert _run(["polymarket-sign-order", "-"], v1["private_key"], stdin=json.dumps(doc)) == t["post_body_json"], t["name"]


def test_shared_eip712_mail_through_the_cli(tmp_path):
    v = _vectors("crypto_vectors.json")["eip712_mail"]
    doc = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                     "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
                     "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]},
           "primaryType": "Mail",
           "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
           "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                       "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"}, "contents": "Hello, Bob!"}}
    out = json.loads(_run(["sign-typed-data", "-"], v["private_key"], stdin=json.dumps(doc)))
    assert out["digest"] == v["digest"] and out["v"] == v["v"] and int(out["r"], 16) == int(v["r"], 16) and int(out["s"], 16) == int(v["s"], 16)


def test_shared_hmac_vectors_through_the_cli():
    v = _vectors("cex_hmac_vectors.json")
    pm = _vectors("pm_vectors.json")
    cases = [({"venue": "binance", "payload": b["payload"]}, b["secret"], b["signature"]) for b in v["binance"]]
    cases += [({"venue": "okx", "timestamp": o["timestamp"], "method": o["method"], "requestPath": o["requestPath"], "body": o["body"]},
               o["secret"], o["OK-ACCESS-SIGN"]) for o in v["okx"] if "timestamp" in o]
    cases += [({"venue": "bybit", "timestamp": b["timestamp"], "api_key": b["api_key"], "recv_window": b["recv_window"], "payload": b["payload"]},
               b["secret"], b["X-BAPI-SIGN"]) for b in v["bybit"] if "timestamp" in b]
    cases += [({"venue": "polymarket", "timestamp": c["timestamp"], "method": c["method"], "requestPath": c["requestPath"], "body": c["body"]},
               c["secret_b64url"], c["POLY_SIGNATURE"]) for c in pm["l2_hmac"]]
    assert len(cases) >= 10
    for doc, secret, expected in cases:
        p = subprocess.run([BIN, "crypto", "hmac-sign", "-", "--secret-env", "VEC_SECRET"], input=json.dumps(doc), capture_output=True, text=True,
                           env={**os.environ, "VEC_SECRET": secret}, timeout=30)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == expected, doc
        assert secret not in p.stdout and secret not in p.stderr


def test_remaining_shared_vectors_through_the_cli():
    hl = _vectors("hl_vectors.json")
    for given, wire in hl["float_to_wire"].items():
        p = subprocess.run([BIN, "crypto", "hyperliquid-wire", "--", given], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0 and p.stdout.strip() == wire, (given, p.stdout, p.stderr)
    cex = _vectors("cex_hmac_vectors.json")
    for c in cex["okx_checksum"]:
        p = subprocess.run([BIN, "crypto", "okx-checksum", "-"], input=json.dumps({"bids": c["bids"], "asks": c["asks"]}), capture_output=True, text=True, timeout=30)
        out = json.loads(p.stdout)
        assert out == {"string": c["checksum_string"], "checksum": c["checksum_signed_int32"]}
    ws = [({"venue": "okx-ws", "timestamp": o["ws_login_timestamp_seconds"]}, o["secret"], o["sign"]) for o in cex["okx"] if "ws_login_timestamp_seconds" in o]
    ws += [({"venue": "bybit-ws", "expires": b["expires"]}, b["secret"], b["signature"]) for b in cex["bybit"] if "expires" in b]
    assert len(ws) >= 2
    for doc, secret, expected in ws:
        p = subprocess.run([BIN, "crypto", "hmac-sign", "-", "--secret-env", "VEC_SECRET"], input=json.dumps(doc), capture_output=True, text=True,
                           env={**os.environ, "VEC_SECRET": secret}, timeout=30)
        assert p.stdout.strip() == expected, (doc, p.stderr)
    pm = _vectors("pm_vectors.json")
    for e in pm["rounding_examples"]:
        p = subprocess.run([BIN, "crypto", "polymarket-amounts", "--side", e["side"], "--size", repr(e["size"]), "--price", repr(e["price"]), "--tick", e["tick"]],
                           capture_output=True, text=True, timeout=30)
        out = json.loads(p.stdout)
        assert (out["makerAmount"], out["takerAmount"]) == (str(e["makerAmount"]), str(e["takerAmount"])), (e, p.stderr)
    for t in pm["orders"]:
        i = t["inputs"]
        qty = ["--amount", repr(i["amount"])] if i["market_order"] else ["--size", repr(i["size"])]
        p = subprocess.run([BIN, "crypto", "polymarket-amounts", "--side", i["side"], *qty, "--price", repr(i["price"]), "--tick", i["tick_size"]],
                           capture_output=True, text=True, timeout=30)
        out = json.loads(p.stdout)
        assert (out["makerAmount"], out["takerAmount"]) == (str(t["makerAmount"]), str(t["takerAmount"])), (t["name"], p.stderr)
