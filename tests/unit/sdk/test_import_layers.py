"""The SDK's layers, checked statically: every module is parsed (not imported) and every import in
it, at module level or inside a function, is resolved to the module it names.

- The pure layers (``core``, ``math``, ``methodology``, ``builders``, with ``presets``, their data)
  import neither the chain stack (ape and its plugins, web3, the indexer's database drivers) nor
  click, nor a higher layer of the SDK; ``core`` and ``math`` import only what is below them.
- The chain layer (``chain``, and ``custody`` on the custody chain) imports no click (it raises
  its own errors; the CLI turns them into click's) and nothing above it (the CLI, the bots, the
  flows, the benchmarks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[3] / "sdk" / "ssikit"

CHAIN_STACK = ("ape", "web3", "ethpm_types", "eth_pydantic_types", "sqlalchemy", "psycopg")
"""Top-level modules of the `chain` extra: absent from an install without it."""

BELOW = {
    "core": {"core"},
    "math": {"core", "math"},
    "methodology": {"core", "math", "methodology", "presets"},
    "presets": {"core", "math", "methodology", "presets"},
    "builders": {"core", "math", "methodology", "presets", "builders"},
}
"""Pure layer -> the SDK packages it may import (``ssikit`` itself, for ``__version__``, too)."""

ABOVE_CHAIN = {"cli", "bots", "flows", "bench"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SDK.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            found.add(base)
            # `from .. import chain` imports the module ssikit.chain
            found |= {f"{base}.{alias.name}" for alias in node.names if node.module is None}
    return found


def _modules() -> dict[str, set[str]]:
    out = {}
    for path in sorted(SDK.rglob("*.py")):
        name = module_name(path)
        out[name] = imports_of(path.read_text(), name, path.name == "__init__.py")
    return out


MODULES = _modules()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _top(module: str) -> str:
    return module.split(".")[0]


def _chain_stack(module: str) -> bool:
    top = _top(module)
    return top in CHAIN_STACK or top.startswith("ape_")


def test_imports_of__resolves_relative_and_nested_imports():
    source = (
        "from ..core.units import RAY\n"
        "from . import eip712\n"
        "def send():\n"
        "    from ape import chain\n"
        "    import click.testing\n"
    )
    assert imports_of(source, "ssikit.builders.requests") == {
        "ssikit.core.units",
        "ssikit.builders",
        "ssikit.builders.eip712",
        "ape",
        "click.testing",
    }
    assert imports_of("from .basket import x", "ssikit.core", is_package=True) == {
        "ssikit.core.basket"
    }


def test_every_layer_is_found():
    layers = {_layer(m) for m in MODULES}
    assert set(BELOW) | {"chain", "cli", "bots", "indexer"} <= layers
    assert len(MODULES) > 50


@pytest.mark.parametrize("layer", sorted(BELOW))
def test_pure_layer__imports_no_chain_stack_no_click_no_higher_layer(layer):
    wrong = []
    for module, imported in MODULES.items():
        if _layer(module) != layer:
            continue
        for name in sorted(imported):
            if _chain_stack(name) or _top(name) == "click":
                wrong.append(f"{module} imports {name}")
            elif _top(name) == "ssikit" and name != "ssikit" and _layer(name) not in BELOW[layer]:
                wrong.append(f"{module} imports {name} (a higher layer)")
    assert wrong == []


def test_chain_layer__imports_no_click_and_nothing_above_it():
    wrong = []
    for module, imported in MODULES.items():
        if _layer(module) not in ("chain", "custody"):
            continue
        for name in sorted(imported):
            if _top(name) == "click":
                wrong.append(f"{module} imports {name}")
            elif _top(name) == "ssikit" and _layer(name) in ABOVE_CHAIN:
                wrong.append(f"{module} imports {name} (a higher layer)")
    assert wrong == []
