"""The agent-side tools: schema-to-tools conversion and the momentum example."""
import json
import subprocess
import sys

from jsonschema import Draft202012Validator

from conftest import BIN, ROOT

sys.path.insert(0, str(ROOT / "agents"))
import tools_from_schemas  # noqa: E402


def test_tools_cover_every_method_and_are_valid_schemas():
    methods = tools_from_schemas.tool_methods()
    assert set(methods.values()) == {p.name[: -len(".params.json")] for p in (ROOT / "schemas" / "methods").glob("*.params.json")}
    for fmt, key in (("openai", None), ("anthropic", "input_schema")):
        ts = tools_from_schemas.tools(fmt)
        for t in ts:
            # Only the keys each API accepts: Anthropic refuses unknown keys such as x-rpc-method.
            if fmt == "anthropic":
                assert set(t) == {"name", "description", "input_schema"}, t.keys()
                name = t["name"]
            else:
                assert set(t) == {"type", "function"} and set(t["function"]) == {"name", "description", "parameters"}
                name = t["function"]["name"]
            assert name in methods
            schema = t[key] if key else t["function"]["parameters"]
            assert "$ref" not in json.dumps(schema)
            # Tool APIs refuse top-level combinators: the input must be one plain object schema.
            assert schema.get("type") == "object" and not {"oneOf", "anyOf", "allOf"} & set(schema), (name, sorted(schema))
            Draft202012Validator.check_schema(schema)
    place = next(t for t in tools_from_schemas.tools("anthropic") if t["name"] == "place_signal")
    assert "exactly one of quantity or notional" in place["description"]
    v = Draft202012Validator(place["input_schema"])
    assert v.is_valid({"intent_id": "a", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.1"})
    assert not v.is_valid({"instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.1"})
    assert not v.is_valid({"intent_id": "a", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.1", "bogus": 1})
    cancel = next(t for t in tools_from_schemas.tools("anthropic") if t["name"] == "cancel_order")
    assert "exactly one of order_id or intent_id" in cancel["description"]


def test_momentum_example_runs_and_prints_pnl():
    p = subprocess.run([sys.executable, str(ROOT / "agents" / "examples" / "momentum.py"), "--binary", BIN, "--seconds", "4",
                        "--lookback", "3"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--- summary ---" in p.stdout and "equity" in p.stdout and "PnL" in p.stdout
