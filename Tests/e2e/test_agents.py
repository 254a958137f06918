"""The agent-side tools: schema-to-tools conversion and the momentum example."""
import json
import subprocess
import sys

from jsonschema import Draft202012Validator

from conftest import BIN, ROOT

sys.path.insert(0, str(ROOT / "agents"))
import tools_from_schemas  # noqa: E402


def test_tools_cover_every_method_and_are_valid_schemas():
    for fmt, key in (("openai", None), ("anthropic", "input_schema")):
        ts = tools_from_schemas.tools(fmt)
        names = {t["x-rpc-method"] for t in ts}
        assert names == {p.name[: -len(".params.json")] for p in (ROOT / "schemas" / "methods").glob("*.params.json")}
        for t in ts:
            schema = t[key] if key else t["function"]["parameters"]
            assert "$ref" not in json.dumps(schema)
            Draft202012Validator.check_schema(schema)
    place = next(t for t in tools_from_schemas.tools("anthropic") if t["name"] == "place_signal")
    v = Draft202012Validator(place["input_schema"])
    assert v.is_valid({"intent_id": "a", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.1"})
    assert not v.is_valid({"intent_id": "a", "instrument": "sim:BTC-USD", "side": "buy"})
    assert not v.is_valid({"intent_id": "a", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "1", "notional": "5"})


def test_momentum_example_runs_and_prints_pnl():
    p = subprocess.run([sys.executable, str(ROOT / "agents" / "examples" / "momentum.py"), "--binary", BIN, "--seconds", "4",
                        "--lookback", "3"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--- summary ---" in p.stdout and "equity" in p.stdout and "PnL" in p.stdout
