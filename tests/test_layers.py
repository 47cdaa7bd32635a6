"""The dependency rule of docs/ARCHITECTURE.md: xl_addin -> workbook -> pricing, no back-edges,
counting imports inside functions too (a lazy import is still an edge)."""

import ast
import sys
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


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports, at the top or inside a function
    (`from pricing.model import risk` is an edge to pricing.model.risk)."""
    files = {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                subs = {f"{node.module}.{a.name}" for a in node.names} & files.keys()
                edges.update(subs or {node.module})
        graph[mod] = {e for e in edges if e in files and e != mod}
    return graph


def reachable(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        mod = todo.pop()
        if mod not in seen:
            seen.add(mod)
            todo.extend(graph.get(mod, ()))
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_inside_pricing():
    """breakeven and finance both read pricing.model.cashflow; neither imports the other's
    module lazily to hide a circle (a function-level import is an edge too)."""
    graph = import_graph("pricing")
    assert "pricing.model.breakeven" in graph["pricing.model.risk"]  # `from pricing.model import x`
    assert cycles(graph) == []


def test_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# What the model may read of pricing/prices: the catalog's types and the bundled price history
# (decline -> history, read-only package data). The store, fetching, refreshing and the
# changelog are the Excel and CLI layers' to call: they hand the engine a Catalog.
MODEL_MAY_IMPORT = {"pricing.prices.catalog", "pricing.prices.decline", "pricing.prices.history"}
# standard modules that reach the network or other processes
NETWORK_OR_PROCESS = {"socket", "ssl", "http", "urllib", "subprocess", "multiprocessing", "requests"}


def test_the_model_loads_no_price_store_and_fetches_nothing():
    graph = import_graph("pricing")
    model = {m for m in graph if m.startswith("pricing.model")}
    reached = {m for m in reachable(graph, model) if m.startswith("pricing.prices")}
    assert reached <= MODEL_MAY_IMPORT, sorted(reached - MODEL_MAY_IMPORT)
    for path in sorted((ROOT / "pricing" / "model").rglob("*.py")):
        names = {n.split(".")[0] for n in imported(path)}
        assert not names & NETWORK_OR_PROCESS, (path.name, sorted(names & NETWORK_OR_PROCESS))


_AUDIT = {"on": False, "events": []}
# audit events (docs.python.org/3/library/audit_events.html) that read or write outside memory
_IO_EVENTS = (
    "open",
    "os.listdir",
    "os.scandir",
    "os.remove",
    "os.rename",
    "shutil.",
    "socket.",
    "subprocess.",
)


def _audit(event: str, args: tuple) -> None:
    if _AUDIT["on"] and event.startswith(_IO_EVENTS):
        _AUDIT["events"].append((event, args[:1]))


def test_the_engine_opens_no_file_and_never_asks_the_store(monkeypatch):
    """Run with a catalog handed in, and with none (every rate given): no file is opened, no
    socket or process started, and the price store is never asked for anything."""
    from pricing.model import breakeven, risk
    from pricing.model.presets import preset
    from pricing.prices import store
    from tests.helpers import priced

    catalog = store.bundled_catalog()
    named = preset("faisal").scenario

    def run() -> None:
        for scenario, cat in ((named, catalog), (priced(), None)):
            breakeven.evaluate(scenario, cat)
            breakeven.evaluate_figure(scenario, "irr_annual", cat)
            breakeven.schedule(scenario, cat, 24)
            risk.monte_carlo(scenario, None, 200, 0, cat)
            risk.tornado(scenario, None, "npv", cat)
            risk.grid(scenario, "queries_per_day", [1000, 9000], "epochs", [1, 3], "npv", cat)
        breakeven.evaluate_table({k: [v, v] for k, v in priced().items()}, None)

    run()  # first calls import lazily and fill functools caches: not what is measured

    def refuse(*args, **kwargs):
        raise AssertionError("the engine asked the price store")

    for name in ("load_catalog", "bundled_catalog", "store_dir", "store_catalog_path"):
        monkeypatch.setattr(store, name, refuse)
    sys.addaudithook(_audit)  # (a hook cannot be removed: it records only while "on")
    _AUDIT["events"].clear()
    _AUDIT["on"] = True
    try:
        Path(__file__).read_bytes()  # the hook sees a read ...
        assert [e for e, _ in _AUDIT["events"]] == ["open"]
        _AUDIT["events"].clear()
        run()  # ... and the engine makes none
    finally:
        _AUDIT["on"] = False
    assert _AUDIT["events"] == []
