#!/usr/bin/env python3
"""Turns schemas/ into LLM tool definitions (one per JSON-RPC method).

Relative $refs are inlined so each tool is self-contained. Output formats:
  --format openai     [{"type":"function","function":{"name","description","parameters"}}]
  --format anthropic  [{"name","description","input_schema"}]
Each tool holds only the keys its API accepts. Tool APIs refuse a top-level oneOf/anyOf/allOf, so
alternatives (for example "exactly one of quantity or notional") are folded into the description;
the gateway still enforces them. Method names with dots (rpc.discover) become underscores
(rpc_discover): `tool_methods()` (or `--methods`) maps tool names back to JSON-RPC methods.
"""
import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "schemas"


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def inline(node, base: pathlib.Path, depth: int = 0):
    """Replaces {"$ref": "relative.json", ...} with the referenced schema merged with siblings."""
    if depth > 32:
        raise ValueError("$ref nesting too deep")
    if isinstance(node, dict):
        if "$ref" in node:
            target = (base / node["$ref"]).resolve()
            resolved = inline(load(target), target.parent, depth + 1)
            siblings = {k: inline(v, base, depth) for k, v in node.items() if k != "$ref"}
            resolved.pop("$schema", None)
            return {**resolved, **siblings}
        return {k: inline(v, base, depth) for k, v in node.items() if k != "$schema"}
    if isinstance(node, list):
        return [inline(v, base, depth) for v in node]
    return node


def _rule(keyword: str, alternatives: list) -> str:
    """One sentence for a folded top-level oneOf/anyOf/allOf."""
    fields = [a["required"] for a in alternatives if isinstance(a, dict) and set(a) == {"required"}]
    if len(fields) == len(alternatives) and all(len(f) == 1 for f in fields):
        names = " or ".join(f[0] for f in fields)
        return {"oneOf": f"Give exactly one of {names}.", "anyOf": f"Give at least one of {names}."}.get(keyword, f"Give {names}.")
    word = {"oneOf": "exactly one", "anyOf": "at least one", "allOf": "all"}[keyword]
    return f"The parameters must satisfy {word} of: {json.dumps(alternatives)}."


def fold(schema: dict) -> tuple[dict, list]:
    """Removes top-level oneOf/anyOf/allOf (tool APIs refuse them); returns the schema and the rules."""
    rules = []
    for keyword in ("oneOf", "anyOf", "allOf"):
        if keyword in schema:
            rules.append(_rule(keyword, schema.pop(keyword)))
    schema.setdefault("type", "object")
    return schema, rules


def _method_names() -> list:
    return [p.name[: -len(".params.json")] for p in sorted((ROOT / "methods").glob("*.params.json"))]


def tool_methods() -> dict:
    """Tool name -> JSON-RPC method (rpc_discover -> rpc.discover)."""
    return {m.replace(".", "_"): m for m in _method_names()}


def tools(fmt: str = "openai") -> list:
    out = []
    for method in _method_names():
        params_path = ROOT / "methods" / f"{method}.params.json"
        schema = inline(load(params_path), params_path.parent)
        description = schema.pop("description", method)
        schema.pop("title", None)
        schema, rules = fold(schema)
        if rules:
            description = " ".join([description, *rules])
        name = method.replace(".", "_")
        if fmt == "anthropic":
            out.append({"name": name, "description": description, "input_schema": schema})
        else:
            out.append({"type": "function", "function": {"name": name, "description": description, "parameters": schema}})
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=["openai", "anthropic"], default="openai")
    ap.add_argument("--methods", action="store_true", help="print the tool name -> JSON-RPC method map instead")
    a = ap.parse_args()
    json.dump(tool_methods() if a.methods else tools(a.format), sys.stdout, indent=2)
    sys.stdout.write("\n")
