"""`alephtx mcp` driven by the official Python MCP SDK over stdio: tools generated from schemas/
(every schema valid 2020-12 and equal to the protocol's own), each tool called, resources read,
fill and dead-man events as resource notifications, and tool errors carrying the same stable codes
as JSON-RPC."""
import asyncio
import copy
import json
import os
import sqlite3
import tempfile
import time

import pytest
from jsonschema import Draft202012Validator
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
import mcp.types as types

from conftest import BIN, SCHEMAS, Client, validator

INST = "sim:BTC-USD"


def load(rel):
    return json.loads((SCHEMAS / rel).read_text())


def deref_files(node, base):
    """Inlines every relative $ref of a schemas/ file (recursively), dropping $schema."""
    if isinstance(node, list):
        return [deref_files(x, base) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    if "$ref" in node:
        path = (base / node["$ref"]).resolve()
        out.update(deref_files(json.loads(path.read_text()), path.parent))
    for k, v in node.items():
        if k not in ("$ref", "$schema"):
            out[k] = deref_files(v, base)
    return out


def deref_bundled(node, defs):
    """Inlines every `#/$defs/x` of a bundled tool schema, dropping $schema and $defs."""
    if isinstance(node, list):
        return [deref_bundled(x, defs) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    if "$ref" in node:
        assert node["$ref"].startswith("#/$defs/"), node["$ref"]
        out.update(deref_bundled(defs[node["$ref"][8:]], defs))
    for k, v in node.items():
        if k not in ("$ref", "$schema", "$defs"):
            out[k] = deref_bundled(v, defs)
    return out


def same_schema(tool_schema, rel, drop=()):
    want = deref_files(load(rel), (SCHEMAS / rel).parent)
    want.setdefault("type", "object")
    for p in drop:
        want["properties"].pop(p, None)
        if p in want.get("required", []):
            want["required"].remove(p)
    got = deref_bundled(tool_schema, tool_schema.get("$defs", {}))
    assert got == want, f"{rel}: tool schema differs from schemas/"


class MCP:
    """An MCP client session on a fresh `alephtx mcp` (its own data dir), in a private event loop."""

    def __init__(self, data_dir=None):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = data_dir or self.tmp.name
        self.updates: asyncio.Queue = None

    async def __aenter__(self):
        self.updates = asyncio.Queue()
        self.stderr = open(os.path.join(self.tmp.name, "stderr.log"), "w")
        params = StdioServerParameters(command=BIN, args=["mcp", "--data-dir", self.data_dir, "--log-level", "info"])
        self._cm = stdio_client(params, errlog=self.stderr)
        r, w = await self._cm.__aenter__()

        async def handler(msg):
            if isinstance(msg, types.ServerNotification) and isinstance(msg.root, types.ResourceUpdatedNotification):
                await self.updates.put(msg.root.params)
        self._sess = ClientSession(r, w, message_handler=handler)
        self.s = await self._sess.__aenter__()
        self.init = await self.s.initialize()
        # The simulated market needs a moment for its first books.
        for _ in range(200):
            res = await self.s.call_tool("get_book", {"instrument": INST})
            if not res.isError:
                break
            await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc):
        await self._sess.__aexit__(*exc)
        await self._cm.__aexit__(*exc)
        self.stderr.close()

    async def call(self, name, args=None):
        res = await self.s.call_tool(name, args or {})
        assert not res.isError, (name, res.content[0].text)
        assert json.loads(res.content[0].text) == res.structuredContent
        return res.structuredContent

    async def error(self, name, args):
        res = await self.s.call_tool(name, args)
        assert res.isError, (name, res)
        return json.loads(res.content[0].text)["error"]

    async def update(self, uri, timeout=5.0):
        deadline = time.time() + timeout
        while True:
            p = await asyncio.wait_for(self.updates.get(), timeout=max(0.01, deadline - time.time()))
            if str(p.uri) == uri:
                return p


def meta(params) -> dict:
    """The `_meta` of a notification as a dict (the SDK keeps unknown keys as extras)."""
    return params.meta.model_dump(by_alias=True)


def run(coro):
    return asyncio.run(coro)


def test_tools_are_the_protocol_schemas_and_each_one_works():
    async def body():
        async with MCP() as m:
            assert m.init.serverInfo.name == "alephtx"
            caps = m.init.capabilities
            assert caps.tools is not None and caps.resources is not None and caps.resources.subscribe is True
            tools = {t.name: t for t in (await m.s.list_tools()).tools}
            assert 12 <= len(tools) <= 20
            method_of = {"preview_signal": "place_signal", "set_deadman": "session.set_deadman"}
            for name, t in tools.items():
                method = method_of.get(name, name)
                Draft202012Validator.check_schema(t.inputSchema)
                Draft202012Validator.check_schema(t.outputSchema)
                assert t.inputSchema["type"] == "object" and t.outputSchema["type"] == "object"
                same_schema(t.inputSchema, f"methods/{method}.params.json", drop=("preview",) if name == "preview_signal" else ())
                same_schema(t.outputSchema, f"methods/{method}.result.json")
                assert t.description and len(t.description) > 40 and t.title
                a = t.annotations
                assert a is not None and not (a.readOnlyHint and a.destructiveHint)
            assert tools["get_book"].annotations.readOnlyHint is True
            assert tools["cancel_all"].annotations.destructiveHint is True and tools["cancel_all"].annotations.idempotentHint is True
            assert tools["place_signal"].annotations.idempotentHint is True and tools["place_signal"].annotations.openWorldHint is True
            assert tools["preview_signal"].annotations.readOnlyHint is True

            results = {}

            async def call(name, args=None):
                r = await m.call(name, args)
                validator(f"methods/{method_of.get(name, name)}.result.json").validate(r)
                results[name] = r
                return r

            assert any(i["id"] == INST for i in (await call("list_instruments"))["instruments"])
            book = await call("get_book", {"instrument": INST, "depth": 5})
            bid = float(book["bids"][0][0])
            pv = await call("preview_signal", {"intent_id": "pv1", "instrument": INST, "side": "buy", "quantity": "0.01"})
            assert pv["status"] != "filled"
            assert not (await m.call("get_orders", {"status": "all"}))["orders"], "a preview placed nothing"
            filled = await call("place_signal", {"intent_id": "m1", "instrument": INST, "side": "buy", "quantity": "0.01"})
            assert filled["status"] == "filled"
            again = await m.call("place_signal", {"intent_id": "m1", "instrument": INST, "side": "buy", "quantity": "0.01"})
            assert again["duplicate"] is True and again["order_id"] == filled["order_id"]
            rest = await m.call("place_signal", {"intent_id": "r1", "instrument": INST, "side": "buy", "quantity": "0.01",
                                                 "limit_price": f"{bid * 0.9:.1f}"})
            assert rest["status"] == "open"
            await call("modify_order", {"intent_id": "r1", "limit_price": f"{bid * 0.8:.1f}"})
            assert (await call("cancel_order", {"intent_id": "r1"}))["status"] == "cancelled"
            await m.call("place_signal", {"intent_id": "r2", "instrument": INST, "side": "buy", "quantity": "0.01", "limit_price": f"{bid * 0.9:.1f}"})
            assert (await call("cancel_all", {}))["count"] == 1
            assert len((await call("get_orders", {"status": "all"}))["orders"]) == 3
            assert len((await call("get_fills", {}))["fills"]) >= 1
            assert (await call("get_positions", {}))["positions"]
            await call("get_balances", {})
            assert (await call("get_risk", {}))["state"] == "active"
            await call("get_health", {})
            assert (await call("set_risk_limits", {"limits": {"max_open_orders": 50}}))["limits"]["max_open_orders"] == 50
            assert (await call("halt", {}))["state"] == "halted"
            assert (await call("resume", {}))["state"] == "active"
            assert (await call("set_deadman", {"timeout_ms": 0}))["armed"] is False
            assert set(results) == set(tools), set(tools) - set(results)
    run(body())


def test_resources_and_a_fill_notification():
    async def body():
        async with MCP() as m:
            listed = {str(r.uri) for r in (await m.s.list_resources()).resources}
            assert {"alephtx://instruments", "alephtx://risk", "alephtx://openrpc", "alephtx://orders", "alephtx://fills",
                    "alephtx://positions"} <= listed
            templates = (await m.s.list_resource_templates()).resourceTemplates
            assert [t.uriTemplate for t in templates] == ["alephtx://book/{instrument}"]
            read = {}
            for uri in sorted(listed) + [f"alephtx://book/{INST}"]:
                r = await m.s.read_resource(uri)
                assert r.contents[0].mimeType == "application/json"
                read[uri] = json.loads(r.contents[0].text)
            validator("methods/list_instruments.result.json").validate(read["alephtx://instruments"])
            validator("methods/get_risk.result.json").validate(read["alephtx://risk"])
            assert "limits" in read["alephtx://risk"]
            validator("methods/rpc.discover.result.json").validate(read["alephtx://openrpc"])
            validator("methods/get_book.result.json").validate(read[f"alephtx://book/{INST}"])
            with pytest.raises(Exception):
                await m.s.read_resource("alephtx://nothing")
            await m.s.subscribe_resource("alephtx://fills")
            await m.s.subscribe_resource(f"alephtx://book/{INST}")
            book = await m.update(f"alephtx://book/{INST}")
            validator("defs/book.json").validate(meta(book)["alephtx/event"])
            await m.call("place_signal", {"intent_id": "f1", "instrument": INST, "side": "sell", "quantity": "0.01"})
            p = await m.update("alephtx://fills")
            fill = meta(p)["alephtx/event"]
            assert meta(p)["alephtx/channel"] == "fills"
            validator("defs/fill.json").validate(fill)
            assert fill["intent_id"] == "f1" and fill["side"] == "sell"
            await m.s.unsubscribe_resource(f"alephtx://book/{INST}")
            with pytest.raises(Exception):
                await m.s.subscribe_resource("alephtx://instruments")
    run(body())


def test_tool_errors_carry_the_json_rpc_codes():
    cases = [("get_book", {"instrument": "nope:X"}), ("place_signal", {"intent_id": "e1", "instrument": INST, "side": "up", "quantity": "1"}),
             ("cancel_order", {"order_id": "o-999"}), ("place_signal", {"intent_id": "e2", "instrument": INST, "side": "buy", "quantity": "-1"}),
             ("set_deadman", {"timeout_ms": 5})]
    tmp = tempfile.TemporaryDirectory()
    rpc = Client.spawn([BIN, "serve", "--stdio", "--data-dir", tmp.name, "--log-level", "warning"])
    try:
        expected = []
        for name, args in cases:
            method = {"set_deadman": "session.set_deadman"}.get(name, name)
            expected.append(rpc.request(method, args)["error"])
    finally:
        rpc.close()
        tmp.cleanup()

    async def body():
        async with MCP() as m:
            for (name, args), want in zip(cases, expected):
                got = await m.error(name, args)
                assert got["code"] == want["code"] and got["data"]["code"] == want["data"]["code"], (name, got, want)
                validator("defs/error.json").validate(got)
            unknown = await m.error("no_such_tool", {})
            assert unknown["data"]["code"] == "unknown_tool"
            fixed = await m.error("preview_signal", {"intent_id": "x", "instrument": INST, "side": "buy", "quantity": "1", "preview": False})
            assert fixed["data"]["code"] == "invalid_params"
    run(body())


def test_deadman_over_mcp_silence_and_disconnect():
    """A silent MCP client's orders are cancelled after timeout_ms (announced on alephtx://risk);
    one that pings keeps them; closing the client with on_disconnect = cancel cancels at once,
    durably, before the process exits."""
    async def body():
        async with MCP() as m:
            await m.s.subscribe_resource("alephtx://risk")
            book = await m.call("get_book", {"instrument": INST})
            px = f"{float(book['bids'][0][0]) * 0.9:.1f}"
            await m.call("set_deadman", {"timeout_ms": 700})
            o1 = (await m.call("place_signal", {"intent_id": "d1", "instrument": INST, "side": "buy", "quantity": "0.01", "limit_price": px}))["order_id"]
            for _ in range(6):                     # pings keep it alive
                await asyncio.sleep(0.25)
                await m.s.send_ping()
            orders = (await m.call("get_orders", {"status": "open"}))["orders"]
            assert [o["order_id"] for o in orders] == [o1]
            t0 = time.time()
            p = await m.update("alephtx://risk", timeout=3)      # silence
            ev = meta(p)["alephtx/event"]
            assert ev["reason"] == "deadman" and ev["cancelled"] == [o1] and ev["trigger"] == "timeout", ev
            assert 0.5 <= time.time() - t0 <= 1.8
            assert not (await m.call("get_orders", {"status": "open"}))["orders"]
            await m.call("set_deadman", {"timeout_ms": 30_000, "on_disconnect": "cancel"})
            m.last = (await m.call("place_signal", {"intent_id": "d2", "instrument": INST, "side": "buy", "quantity": "0.01", "limit_price": px}))["order_id"]
        return m

    m = run(body())
    db = sqlite3.connect(os.path.join(m.data_dir, "ledger.sqlite"))
    try:
        st = db.execute("SELECT state FROM orders WHERE order_id = ? ORDER BY seq DESC LIMIT 1", (m.last,)).fetchone()
        triggers = [json.loads(d)["trigger"] for (d,) in db.execute("SELECT data FROM events WHERE kind = 'deadman' ORDER BY seq")]
    finally:
        db.close()
        m.tmp.cleanup()
    assert st == ("cancelled",) and triggers == ["timeout", "disconnect"]


def test_streamable_http_on_loopback():
    """`alephtx mcp --http 127.0.0.1:PORT`: the SDK's Streamable HTTP client initializes, lists the
    same tools, trades and gets the fill as a resource update on its SSE stream; ending the session
    (DELETE) is a disconnect for the dead-man's switch; a foreign Origin and a non-loopback address
    are refused."""
    import subprocess
    import urllib.error
    import urllib.request
    from mcp.client.streamable_http import streamable_http_client
    from conftest import free_port

    bad = subprocess.run([BIN, "mcp", "--http", "0.0.0.0:0"], capture_output=True, timeout=30)
    assert bad.returncode != 0 and b"loopback only" in bad.stderr
    tmp = tempfile.TemporaryDirectory()
    port = free_port()
    log = open(os.path.join(tmp.name, "stderr.log"), "wb")
    proc = subprocess.Popen([BIN, "mcp", "--http", f"127.0.0.1:{port}", "--data-dir", tmp.name, "--log-level", "info"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.time() + 30
        while b"MCP over HTTP on" not in open(log.name, "rb").read():
            assert proc.poll() is None and time.time() < deadline, open(log.name, "rb").read()
            time.sleep(0.05)
        req = urllib.request.Request(url, method="POST", data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "evil", "version": "1"}}}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "Origin": "http://evil.example"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 403

        async def body():
            updates = asyncio.Queue()

            async def handler(msg):
                if isinstance(msg, types.ServerNotification) and isinstance(msg.root, types.ResourceUpdatedNotification):
                    await updates.put(msg.root.params)
            async with streamable_http_client(url) as (r, w, session_id):
                async with ClientSession(r, w, message_handler=handler) as s:
                    await s.initialize()
                    assert session_id()
                    assert len((await s.list_tools()).tools) == 17
                    for _ in range(200):
                        book = await s.call_tool("get_book", {"instrument": INST})
                        if not book.isError:
                            break
                        await asyncio.sleep(0.05)
                    await s.subscribe_resource("alephtx://fills")
                    res = await s.call_tool("place_signal", {"intent_id": "h1", "instrument": INST, "side": "buy", "quantity": "0.01"})
                    assert not res.isError and res.structuredContent["status"] == "filled"
                    p = await asyncio.wait_for(updates.get(), timeout=5)
                    assert str(p.uri) == "alephtx://fills" and meta(p)["alephtx/event"]["intent_id"] == "h1"
                    await s.call_tool("set_deadman", {"timeout_ms": 60000})
                    px = f"{float(book.structuredContent['bids'][0][0]) * 0.9:.1f}"
                    rest = await s.call_tool("place_signal", {"intent_id": "h2", "instrument": INST, "side": "buy", "quantity": "0.01", "limit_price": px})
                    assert rest.structuredContent["status"] == "open"
                    oid = rest.structuredContent["order_id"]
            # The client ended its session: the switch fired on disconnect.
            async with streamable_http_client(url) as (r, w, _):
                async with ClientSession(r, w) as s:
                    await s.initialize()
                    for _ in range(100):
                        orders = (await s.call_tool("get_orders", {"status": "all"})).structuredContent["orders"]
                        if next(o for o in orders if o["order_id"] == oid)["status"] == "cancelled":
                            return
                        await asyncio.sleep(0.05)
                    raise AssertionError("the ended HTTP session's order was not cancelled")
        run(body())
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
        tmp.cleanup()
