"""`alephtx crypto abi-encode` / `abi-decode` against eth-abi (the independent reference) on
random type/value sets: nested tuples, dynamic and fixed arrays, bytes, strings, every integer
width. Encodings must be byte-identical; decoding eth-abi's bytes must give eth-abi's values."""
import json
import random
import subprocess

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode

from conftest import BIN

CASES = 600


def rand_type(r: random.Random, depth=0) -> str:
    roll = r.random()
    if depth < 3 and roll < 0.18:
        return "(" + ",".join(rand_type(r, depth + 1) for _ in range(r.randint(1, 4))) + ")"
    if depth < 3 and roll < 0.30:
        return rand_type(r, depth + 1) + "[]"
    if depth < 3 and roll < 0.38:
        return rand_type(r, depth + 1) + f"[{r.randint(1, 3)}]"
    kind = r.choice(["uint", "int", "address", "bool", "bytesN", "bytes", "string"])
    if kind in ("uint", "int"):
        return f"{kind}{8 * r.randint(1, 32)}"
    if kind == "bytesN":
        return f"bytes{r.randint(1, 32)}"
    return kind


def split_top(inner: str):
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    return parts


def rand_value(r: random.Random, t: str):
    """(python value for eth-abi, JSON value for alephtx)."""
    if t.endswith("]"):
        base, _, n = t[:-1].rpartition("[")
        count = r.randint(0, 3) if n == "" else int(n)
        pairs = [rand_value(r, base) for _ in range(count)]
        return [p for p, _ in pairs], [j for _, j in pairs]
    if t.startswith("("):
        pairs = [rand_value(r, x) for x in split_top(t[1:-1])]
        return tuple(p for p, _ in pairs), [j for _, j in pairs]
    if t.startswith("uint"):
        bits = int(t[4:])
        v = r.choice([0, (1 << bits) - 1, r.randrange(1 << bits), r.randrange(1 << min(bits, 16))])
        return v, (v if r.random() < 0.5 else str(v))
    if t.startswith("int"):
        bits = int(t[3:])
        v = r.choice([-(1 << (bits - 1)), (1 << (bits - 1)) - 1, -1, r.randrange(-(1 << (bits - 1)), 1 << (bits - 1))])
        return v, (v if r.random() < 0.5 else str(v))
    if t == "address":
        a = "0x" + bytes(r.randrange(256) for _ in range(20)).hex()
        return a, a
    if t == "bool":
        b = r.random() < 0.5
        return b, b
    if t == "bytes":
        b = bytes(r.randrange(256) for _ in range(r.choice([0, 1, 31, 32, 33, r.randint(0, 80)])))
        return b, "0x" + b.hex()
    if t.startswith("bytes"):
        b = bytes(r.randrange(256) for _ in range(r.randint(1, int(t[5:]))))
        return b, "0x" + b.hex()
    s = "".join(r.choice("abc xyz-✓é漢🙂") for _ in range(r.randint(0, 40)))
    return s, s


def normalize(v):
    """eth-abi's decoded values as JSON would carry them."""
    if isinstance(v, (list, tuple)):
        return [normalize(x) for x in v]
    if isinstance(v, bytes):
        return "0x" + v.hex()
    if isinstance(v, str) and v.startswith("0x") and len(v) == 42:
        return v.lower()
    return v


def ours(values):
    if isinstance(values, list):
        return [ours(x) for x in values]
    if isinstance(values, str) and values.startswith("0x") and len(values) == 42:
        return values.lower()
    return values


def batch(cmd, lines):
    p = subprocess.run([BIN, "crypto", cmd, "--batch", "-"], input="\n".join(json.dumps(l) for l in lines) + "\n",
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert len(out) == len(lines)
    return out


def test_random_encodings_equal_eth_abi_and_decode_back():
    r = random.Random(20261201)
    cases = []
    while len(cases) < CASES:
        types = [rand_type(r) for _ in range(r.randint(1, 4))]
        pairs = [rand_value(r, t) for t in types]
        py, js = [p for p, _ in pairs], [j for _, j in pairs]
        cases.append((types, py, js, abi_encode(types, py)))
    nested = sum(1 for types, *_ in cases if any("(" in t and "[" in t for t in types))
    assert nested > 50, "the generator must produce nested tuples inside arrays"
    got = batch("abi-encode", [{"types": t, "values": js} for t, _, js, _ in cases])
    for (types, _, _, want), line in zip(cases, got):
        assert line == "0x" + want.hex(), (types, line[:200])
    decoded = batch("abi-decode", [{"types": t, "data": "0x" + enc.hex()} for t, _, _, enc in cases])
    for (types, _, _, enc), line in zip(cases, decoded):
        assert ours(json.loads(line)) == normalize(list(abi_decode(types, enc))), types


def test_bad_input_is_a_clear_error():
    lines = [
        {"types": ["uint8"], "values": [256]},
        {"types": ["int8"], "values": [-129]},
        {"types": ["uint7"], "values": [1]},
        {"types": ["address"], "values": ["0x1234"]},
        {"types": ["address"], "values": ["0x14791697260e4c9A71f18484C9f997B308e59325"]},  # bad EIP-55 checksum
        {"types": ["bytes2"], "values": ["0x010203"]},
        {"types": ["uint256", "bool"], "values": [1]},
        {"types": ["(uint256,bool)"], "values": [[1]]},
        {"types": ["uint256"], "values": [1.5]},
        {"types": ["string"], "values": [7]},
    ]
    for l, out in zip(lines, batch("abi-encode", lines)):
        assert json.loads(out).get("error"), (l, out)
    good = "0x" + abi_encode(["string", "uint256[]"], ["hi", [1, 2]]).hex()
    bad = [good[:-64], good[:66] + "ff" * 32 + good[130:], "0x" + "00" * 31, "0xzz"]
    outs = batch("abi-decode", [{"types": ["string", "uint256[]"], "data": d} for d in bad])
    assert all(json.loads(o).get("error") for o in outs), outs
    # eth-abi refuses the same inputs.
    for d in bad[:3]:
        try:
            abi_decode(["string", "uint256[]"], bytes.fromhex(d[2:]))
            raise AssertionError("eth-abi decoded garbage")
        except Exception:
            pass


def test_single_calls_and_revert_decoding():
    p = subprocess.run([BIN, "crypto", "abi-encode", "--function", "transfer(address,uint256)",
                        "--values", '["0x14791697260E4c9A71f18484C9f997B308e59325", "1000"]'], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == "0xa9059cbb" + abi_encode(["address", "uint256"], ["0x14791697260E4c9A71f18484C9f997B308e59325", 1000]).hex()
    data = "0x08c379a0" + abi_encode(["string"], ["ERC20: transfer amount exceeds balance"]).hex()
    p = subprocess.run([BIN, "crypto", "abi-decode", "--revert", data], capture_output=True, text=True)
    assert json.loads(p.stdout) == {"kind": "error", "reason": 'Error("ERC20: transfer amount exceeds balance")',
                                    "message": "ERC20: transfer amount exceeds balance"}
    data = "0x5dac504d" + abi_encode(["uint256", "uint256"], [5, 3]).hex()
    p = subprocess.run([BIN, "crypto", "abi-decode", "--revert", data, "--errors", "InsufficientExecutionFee(uint256,uint256)"],
                       capture_output=True, text=True)
    r = json.loads(p.stdout)
    assert r["kind"] == "custom" and r["values"] == [5, 3] and r["reason"] == "InsufficientExecutionFee(5, 3)"
    p = subprocess.run([BIN, "crypto", "abi-decode", "--types", '["uint256"]', "0x" + "00" * 31], capture_output=True, text=True)
    assert p.returncode == 1 and "ends before" in p.stderr
