#!/usr/bin/env python3
"""Turns schemas/ into LLM tool definitions (one per JSON-RPC method).

Relative $refs are inlined so each tool is self-contained. Output formats:
  --format openai     [{"type":"function","function":{"name","description","parameters"}}]
  --format anthropic  [{"name","description","input_schema"}]
Method names with dots (rpc.discover) become underscores (rpc_discover); `x-rpc-method` keeps the real name.
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


def tools(fmt: str = "openai") -> list:
    out = []
    for params_path in sorted((ROOT / "methods").glob("*.params.json")):
        method = params_path.name[: -len(".params.json")]
        schema = inline(load(params_path), params_path.parent)
        description = schema.pop("description", method)
        schema.pop("title", None)
        name = method.replace(".", "_")
        if fmt == "anthropic":
            out.append({"name": name, "description": description, "input_schema": schema, "x-rpc-method": method})
        else:
            out.append({"type": "function", "function": {"name": name, "description": description, "parameters": schema},
                        "x-rpc-method": method})
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=["openai", "anthropic"], default="openai")
    a = ap.parse_args()
    json.dump(tools(a.format), sys.stdout, indent=2)
    sys.stdout.write("\n")
