"""JSON-RPC 2.0 conformance over the real binary: every case runs on stdio, TCP and a Unix-domain socket
(the `conn` fixture)."""
import json
import queue
import time

import pytest

from conftest import validate_message


def raw_roundtrip(c, line: bytes, expect: int = 1, timeout: float = 5.0):
    """Sends raw bytes and returns the next `expect` messages that are not notifications."""
    register(c, line)
    c.send_raw(line)
    out = []
    deadline = time.time() + timeout
    while len(out) < expect:
        msg = c.unsolicited.get(timeout=max(0.01, deadline - time.time()))
        if isinstance(msg, dict) and "method" in msg:
            continue
        out.append(msg)
    return out


def register(c, line: bytes) -> None:
    """Records id -> method of well-formed requests in `line` so their answers are schema-checked."""
    for part in line.split(b"\n"):
        try:
            msg = json.loads(part)
        except ValueError:
            continue
        for m in msg if isinstance(msg, list) else [msg]:
            if isinstance(m, dict) and isinstance(m.get("method"), str) and "id" in m and not isinstance(m["id"], (dict, list)):
                c.sent_methods[m["id"]] = m["method"]


def no_more(c, wait=0.5):
    try:
        m = c.unsolicited.get(timeout=wait)
    except queue.Empty:
        return True
    raise AssertionError(f"unexpected message {m}")


@pytest.mark.parametrize("rid", [7, "abc", -3, 1.5, "", "ünïcode-id"])
def test_ids_are_echoed_exactly(conn, rid):
    (resp,) = raw_roundtrip(conn, (json.dumps({"jsonrpc": "2.0", "id": rid, "method": "ping"}) + "\n").encode())
    assert resp["id"] == rid and type(resp["id"]) is type(rid)
    assert resp["result"]["pong"] is True


def test_null_id_is_answered_with_null(conn):
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":null,"method":"ping"}\n')
    assert resp["id"] is None and resp["result"]["pong"] is True


def test_notifications_are_never_answered(conn):
    conn.send_raw(b'{"jsonrpc":"2.0","method":"ping"}\n{"jsonrpc":"2.0","method":"nope"}\n'
                   b'{"jsonrpc":"2.0","method":"get_book","params":{"instrument":"x:NOPE-USD"}}\n')
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":"after","method":"ping"}\n')
    assert resp["id"] == "after"
    no_more(conn)


def test_batch_mixed(conn):
    line = json.dumps([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "ping"},
        {"jsonrpc": "2.0", "id": "b", "method": "nope"},
        {"foo": "bar"},
        1,
        {"jsonrpc": "2.0", "id": 2, "method": "get_book", "params": {"instrument": "sim:ETH-USD", "depth": 2}},
    ]).encode() + b"\n"
    (resp,) = raw_roundtrip(conn, line)
    assert isinstance(resp, list) and len(resp) == 5
    by_id = {json.dumps(r["id"]): r for r in resp}
    assert by_id["1"]["result"]["pong"] is True
    assert by_id['"b"']["error"]["code"] == -32601
    assert by_id["2"]["result"]["instrument"] == "sim:ETH-USD" and len(by_id["2"]["result"]["bids"]) == 2
    nulls = [r for r in resp if r["id"] is None]
    assert len(nulls) == 2 and all(r["error"]["code"] == -32600 for r in nulls)
    conn.sent_methods[2] = "get_book"
    conn.sent_methods[1] = "ping"
    validate_message(resp, conn.sent_methods.get)


def test_empty_batch_is_one_invalid_request(conn):
    (resp,) = raw_roundtrip(conn, b"[]\n")
    assert isinstance(resp, dict) and resp["id"] is None and resp["error"]["code"] == -32600
    assert resp["error"]["data"]["code"] == "empty_batch"
    no_more(conn, 0.3)


def test_all_notification_batch_gets_no_reply(conn):
    conn.send_raw(b'[{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"ping"}]\n')
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":9,"method":"ping"}\n')
    assert resp["id"] == 9
    no_more(conn)


@pytest.mark.parametrize("line", [b"{bad\n", b'{"jsonrpc":"2.0","id":1,"method":"ping"\n', b"nul\n", b'{"a":1}}\n',
                                  b'[{"jsonrpc":"2.0","id":1,"method":"ping"},]\n', b'"\\x"\n', b"[" * 100 + b"]" * 100 + b"\n"])
def test_parse_error(conn, line):
    (resp,) = raw_roundtrip(conn, line)
    assert resp["id"] is None and resp["error"]["code"] == -32700, resp
    assert resp["error"]["data"]["code"] == "parse_error"


def test_invalid_utf8_is_a_parse_error(conn):
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\xff\xfe"}}\n')
    assert resp["id"] is None and resp["error"]["code"] == -32700
    (ok,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":2,"method":"ping"}\n')
    assert ok["result"]["pong"] is True


@pytest.mark.parametrize("req,reason_part", [
    ({"id": 1, "method": "ping"}, "jsonrpc"),
    ({"jsonrpc": "1.0", "id": 1, "method": "ping"}, "jsonrpc"),
    ({"jsonrpc": "2.0", "id": 1}, "method"),
    ({"jsonrpc": "2.0", "id": 1, "method": 5}, "method"),
    ({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": 3}, "params"),
    ({"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"}, "id"),
])
def test_invalid_request(conn, req, reason_part):
    (resp,) = raw_roundtrip(conn, (json.dumps(req) + "\n").encode())
    assert resp["error"]["code"] == -32600
    assert reason_part in resp["error"]["data"]["reason"]
    if isinstance(req.get("id"), int):
        assert resp["id"] == req["id"]
    else:
        assert resp["id"] is None


def test_non_object_request(conn):
    (resp,) = raw_roundtrip(conn, b"42\n")
    assert resp["id"] is None and resp["error"]["code"] == -32600


def test_method_not_found(conn):
    resp = conn.request("does_not_exist")
    assert resp["error"]["code"] == -32601 and resp["error"]["data"]["method"] == "does_not_exist"


@pytest.mark.parametrize("method,params,field", [
    ("get_book", {"instrument": "sim:BTC-USD", "depth": "x"}, "depth"),
    ("get_book", {"instrument": "sim:BTC-USD", "depth": 0}, "depth"),
    ("get_book", {}, "instrument"),
    ("get_book", {"instrument": 5}, "instrument"),
    ("get_book", {"instrument": "sim:BTC-USD", "dpth": 3}, "dpth"),
    ("ping", {"x": 1}, "x"),
    ("place_signal", {"instrument": "sim:BTC-USD", "side": "buy", "quantity": "1"}, "intent_id"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "hold", "quantity": "1"}, "side"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy"}, "quantity"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1", "notional": "5"}, "notional"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "abc"}, "quantity"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "-1"}, "quantity"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.000000001"}, "quantity"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1", "type": "limit"}, "limit_price"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1", "type": "market", "time_in_force": "gtc"}, "time_in_force"),
    ("place_signal", {"intent_id": "p1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1", "post_only": "yes"}, "post_only"),
    ("subscribe", {"channel": "weather"}, "channel"),
    ("subscribe", {"channel": "book"}, "instrument"),
])
def test_invalid_params_names_the_field(conn, method, params, field):
    resp = conn.request(method, params)
    err = resp["error"]
    assert err["code"] == -32602, resp
    assert err["data"]["field"] == field and err["data"]["reason"]


def test_positional_params_are_rejected_clearly(conn):
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":5,"method":"get_book","params":["sim:BTC-USD"]}\n')
    assert resp["error"]["code"] == -32602 and resp["error"]["data"]["field"] == "params"


def test_internal_error_code(conn):
    resp = conn.request("test.internal_error")
    assert resp["error"]["code"] == -32603 and resp["error"]["data"]["code"] == "internal_error"
    assert conn.call("ping")["pong"] is True


def test_application_errors_have_stable_codes(conn):
    e = conn.request("get_book", {"instrument": "sim:DOGE-USD"})["error"]
    assert e["code"] == -32001 and e["data"]["code"] == "unknown_instrument" and "sim:BTC-USD" in e["data"]["known"]
    e = conn.request("cancel_order", {"order_id": "o-999999"})["error"]
    assert e["code"] == -32003 and e["data"]["code"] == "order_not_found"
    e = conn.request("unsubscribe", {"subscription": "sub-424242"})["error"]
    assert e["code"] == -32005 and e["data"]["code"] == "subscription_not_found"
    params = {"intent_id": "conflict-1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.001"}
    assert conn.call("place_signal", **params)["status"] == "filled"
    e = conn.request("place_signal", {**params, "quantity": "0.002"})["error"]
    assert e["code"] == -32002 and e["data"]["code"] == "intent_conflict" and e["data"]["order_id"]
    for err in (e,):
        assert -32099 <= err["code"] <= -32000


def test_oversized_line_then_normal_request(make_server):
    s = make_server("--max-line-bytes", "4096")
    c = s.client()
    big = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * 50_000 + b'"}}\n'
    # Send in pieces, as a slow client would.
    for i in range(0, len(big), 7000):
        c.send_raw(big[i:i + 7000])
    err = c.unsolicited.get(timeout=5)
    assert err["id"] is None and err["error"]["code"] == -32600 and err["error"]["data"]["code"] == "line_too_long"
    assert err["error"]["data"]["limit"] == 4096
    assert c.call("ping")["pong"] is True
    # A line of exactly the limit is fine.
    pad = 4096 - len(b'{"jsonrpc":"2.0","id":"e","method":"ping","params":{}}')
    exact = b'{"jsonrpc":"2.0","id":"e","method":"ping","params":{}' + b" " * pad + b"}"
    assert len(exact) == 4096
    (resp,) = raw_roundtrip(c, exact + b"\n")
    assert resp["id"] == "e" and resp["result"]["pong"] is True


def test_crlf_and_blank_lines_are_tolerated(conn):
    conn.send_raw(b"\n   \n")
    (resp,) = raw_roundtrip(conn, b'{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n')
    assert resp["id"] == "crlf"
    no_more(conn, 0.3)


def test_rpc_discover_is_openrpc_from_schemas(conn):
    doc = conn.call("rpc.discover")
    assert doc["openrpc"].startswith("1.")
    names = {m["name"] for m in doc["methods"]}
    expected = {"rpc.discover", "ping", "list_instruments", "get_book", "subscribe", "unsubscribe", "place_signal",
                "cancel_order", "modify_order", "cancel_all", "get_orders", "get_fills", "get_positions", "get_balances",
                "get_risk", "halt", "resume", "set_risk_limits", "session.hello", "session.set_deadman", "get_health", "backtest.step", "submit_transaction"}
    assert names == expected
    ps = next(m for m in doc["methods"] if m["name"] == "place_signal")
    params = {p["name"]: p for p in ps["params"]}
    assert params["intent_id"]["required"] is True and params["quantity"]["required"] is False
    assert "order" in doc["components"]["schemas"]
    text = json.dumps(doc)
    assert "../defs/" not in text and "#/components/schemas/decimal" in text
