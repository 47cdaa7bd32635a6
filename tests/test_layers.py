"""The dependency rule of docs/ARCHITECTURE.md: xl_addin -> workbook -> pricing, no back-edges,
counting imports inside functions too (a lazy import is still an edge)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW = {"pricing": ("workbook", "xl_addin"), "workbook": ("xl_addin",)}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(BELOW))
def test_no_module_imports_a_layer_above_its_own(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported(path) if n.split(".")[0] in BELOW[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_prices_never_import_the_model():
    """pricing/prices/ (catalog, store, sources, refresh) stands alone; the model reads prices."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported(path) if n.startswith("pricing.model"))
        for path in sorted((ROOT / "pricing" / "prices").rglob("*.py"))
    }
    assert not {k: v for k, v in offenders.items() if v}
