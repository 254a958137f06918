"""dYdX v4 transactions from `alephtx crypto dydx-sign` against the Python reference: the official
protobuf classes (v4-proto) serialise every message, `cryptography` signs the same SignDoc with
RFC 6979 secp256k1 over SHA-256 (low-s) and verifies ours, and bech32 + pycryptodome's RIPEMD-160
derive the address. 240 random orders and cancels must match byte for byte."""
import hashlib
import json
import os
import random
import subprocess

import bech32
from Crypto.Hash import RIPEMD160
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from google.protobuf import any_pb2
from v4_proto.cosmos.crypto.secp256k1 import keys_pb2
from v4_proto.cosmos.tx.signing.v1beta1 import signing_pb2
from v4_proto.cosmos.tx.v1beta1 import tx_pb2
from v4_proto.dydxprotocol.clob import order_pb2
from v4_proto.dydxprotocol.clob import tx_pb2 as clob_tx
from v4_proto.dydxprotocol.subaccounts import subaccount_pb2

from conftest import BIN, ROOT

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
KEYS = ["0x" + "46" * 32, "0x0123456789012345678901234567890123456789012345678901234567890123", "0x" + "5a" * 31 + "01"]


def reference_address(priv: ec.EllipticCurvePrivateKey) -> tuple[str, bytes]:
    from cryptography.hazmat.primitives import serialization
    pub = priv.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    h = RIPEMD160.new(hashlib.sha256(pub).digest()).digest()
    return bech32.bech32_encode("dydx", bech32.convertbits(h, 8, 5)), pub


def reference(req: dict, priv) -> dict:
    owner, pub = reference_address(priv)

    def order_id(o):
        sub = o["subaccount"]
        return order_pb2.OrderId(subaccount_id=subaccount_pb2.SubaccountId(owner=owner, number=sub), client_id=o["client_id"],
                                 order_flags=o["order_flags"], clob_pair_id=o["clob_pair_id"])
    if "order" in req:
        o = req["order"]
        kw = dict(order_id=order_id(o), side=o["side"], quantums=o["quantums"], subticks=o["subticks"], time_in_force=o["time_in_force"],
                  reduce_only=o["reduce_only"], client_metadata=o["client_metadata"], condition_type=o["condition_type"],
                  conditional_order_trigger_subticks=o["conditional_order_trigger_subticks"])
        if "good_til_block" in o:
            kw["good_til_block"] = o["good_til_block"]
        else:
            kw["good_til_block_time"] = o["good_til_block_time"]
        msg = any_pb2.Any(type_url="/dydxprotocol.clob.MsgPlaceOrder",
                          value=clob_tx.MsgPlaceOrder(order=order_pb2.Order(**kw)).SerializeToString())
    else:
        c = req["cancel"]
        kw = dict(order_id=order_id(c))
        if "good_til_block" in c:
            kw["good_til_block"] = c["good_til_block"]
        else:
            kw["good_til_block_time"] = c["good_til_block_time"]
        msg = any_pb2.Any(type_url="/dydxprotocol.clob.MsgCancelOrder", value=clob_tx.MsgCancelOrder(**kw).SerializeToString())
    body = tx_pb2.TxBody(messages=[msg], memo=req["memo"]).SerializeToString()
    pk = any_pb2.Any(type_url="/cosmos.crypto.secp256k1.PubKey", value=keys_pb2.PubKey(key=pub).SerializeToString())
    signer = tx_pb2.SignerInfo(public_key=pk, mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=signing_pb2.SIGN_MODE_DIRECT)),
                               sequence=req["sequence"])
    auth = tx_pb2.AuthInfo(signer_infos=[signer], fee=tx_pb2.Fee(gas_limit=req["gas_limit"])).SerializeToString()
    doc = tx_pb2.SignDoc(body_bytes=body, auth_info_bytes=auth, chain_id=req["chain_id"], account_number=req["account_number"]).SerializeToString()
    r, s = decode_dss_signature(priv.sign(doc, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    if s > N // 2:
        s = N - s
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raw = tx_pb2.TxRaw(body_bytes=body, auth_info_bytes=auth, signatures=[sig]).SerializeToString()
    return {"body_bytes": body.hex(), "auth_info_bytes": auth.hex(), "sign_doc_bytes": doc.hex(), "signature": sig.hex(), "tx_raw": raw.hex(),
            "tx_hash": hashlib.sha256(raw).hexdigest().upper(), "_doc": doc, "_pub": priv.public_key()}


def random_request(r: random.Random) -> dict:
    oid = {"subaccount": r.choice([0, 0, 1, 127]), "client_id": r.choice([0, 1, r.randrange(2**32), 2**32 - 1]),
           "order_flags": r.choice([0, 32, 64]), "clob_pair_id": r.choice([0, 1, r.randrange(300)])}
    good = {"good_til_block": r.randrange(2**32)} if oid["order_flags"] == 0 else {"good_til_block_time": r.choice([0, r.randrange(2**32)])}
    req = {"chain_id": r.choice(["dydx-mainnet-1", "dydx-testnet-4", "localdydxprotocol"]), "account_number": r.choice([0, 7, r.randrange(2**40)]),
           "sequence": r.choice([0, 1, r.randrange(2**64)]), "memo": r.choice(["", "AlephTX", "ünïcode ✓"]), "gas_limit": r.choice([1_000_000, 0, r.randrange(2**63)])}
    if r.random() < 0.2:
        req["cancel"] = {**oid, **good}
        return req
    req["order"] = {**oid, **good, "side": r.choice([1, 2]), "quantums": r.choice([1, r.randrange(2**64)]), "subticks": r.choice([1, r.randrange(2**64)]),
                    "time_in_force": r.choice([0, 1, 2]), "reduce_only": r.random() < 0.3, "client_metadata": r.choice([0, 1, 2, r.randrange(2**32)]),
                    "condition_type": r.choice([0, 0, 1, 2]), "conditional_order_trigger_subticks": r.choice([0, r.randrange(2**64)])}
    return req


def sign_batch(reqs, key_hex):
    p = subprocess.run([BIN, "crypto", "dydx-sign", "-", "--key-env", "ALEPHTX_TEST_DYDX_KEY"], input=json.dumps(reqs), capture_output=True,
                       text=True, timeout=120, env={**os.environ, "ALEPHTX_TEST_DYDX_KEY": key_hex})
    assert p.returncode == 0, p.stderr
    assert key_hex[2:] not in p.stdout + p.stderr, "the key was echoed"
    return [json.loads(l) for l in p.stdout.splitlines()]


def test_random_orders_and_cancels_equal_the_reference_byte_for_byte():
    r = random.Random(17)
    total = 0
    for key_hex in KEYS:
        priv = ec.derive_private_key(int(key_hex, 16), ec.SECP256K1())
        reqs = [random_request(r) for _ in range(80)]
        ours = sign_batch(reqs, key_hex)
        for req, got in zip(reqs, ours):
            want = reference(req, priv)
            # Our signature verifies under the key, independently of byte equality.
            sig = bytes.fromhex(got["signature"])
            want["_pub"].verify(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), want["_doc"], ec.ECDSA(hashes.SHA256()))
            assert int.from_bytes(sig[32:], "big") <= N // 2, "high s"
            for k in ("body_bytes", "auth_info_bytes", "sign_doc_bytes", "signature", "tx_raw", "tx_hash"):
                assert got[k] == want[k], (k, req)
            total += 1
        p = subprocess.run([BIN, "crypto", "dydx-address", "--key-env", "ALEPHTX_TEST_DYDX_KEY"], capture_output=True, text=True,
                           env={**os.environ, "ALEPHTX_TEST_DYDX_KEY": key_hex})
        assert p.stdout.strip() == reference_address(priv)[0]
    assert total >= 200


def test_the_official_vectors_and_bad_input():
    v = json.loads((ROOT.parent / "shared" / "vectors" / "dydx_vectors.json").read_text()) if (ROOT.parent / "shared").exists() else None
    if v is not None:
        for k in v["keys"]:
            if "address" not in k:
                continue
            p = subprocess.run([BIN, "crypto", "dydx-address", "--key-env", "K"], capture_output=True, text=True, env={**os.environ, "K": k["private_key"]})
            assert p.stdout.strip() == k["address"]
    bad = [{"chain_id": "c", "account_number": 1, "order": {"subaccount": 0, "client_id": 1, "side": 3, "quantums": 1, "subticks": 1, "good_til_block": 5}},
           {"chain_id": "c", "account_number": 1, "order": {"subaccount": 0, "client_id": 1, "side": 1, "quantums": 1, "subticks": 1}},
           {"chain_id": "c", "account_number": 1, "order": {"subaccount": 0, "client_id": 2**32, "side": 1, "quantums": 1, "subticks": 1, "good_til_block": 5}},
           {"chain_id": "c", "account_number": -1, "cancel": {"subaccount": 0, "client_id": 1, "good_til_block": 5}},
           {"account_number": 1, "cancel": {"subaccount": 0, "client_id": 1, "good_til_block": 5}},
           {"chain_id": "c", "account_number": 1}]
    for out in sign_batch(bad, KEYS[0]):
        assert out.get("error"), out
