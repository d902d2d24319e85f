"""The house's floors: the program ``pulumi up`` runs never loads the ``nowry-infra`` tool, no
module imports in a circle, and no module grows past a size a reader takes in at once."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR

PACKAGES = ("infra", "stacks", "components", "policy")
TOOL = "infra.tool"
MAX_LINES = 600


def modules() -> dict[str, Path]:
    """Every module of the project's own packages, by dotted name."""
    found = {}
    for top in PACKAGES:
        for path in sorted((PROJECT_DIR / top).rglob("*.py")):
            name = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, at any depth of the file (deferred imports too)."""
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in named if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def test_the_program_never_imports_the_tool():
    edges = graph()
    program = [m for m in edges if m != TOOL and not m.startswith(f"{TOOL}.") and not m.startswith("policy")]
    reaching = {m: sorted(t for t in edges[m] if t == TOOL or t.startswith(f"{TOOL}.")) for m in program}
    assert {m: t for m, t in reaching.items() if t} == {}


def test_what_pulumi_up_loads_is_the_program_alone():
    """Run in a fresh interpreter: import the program and every phase's builder and checks, as
    ``pulumi up`` would for any stack, and list what got loaded."""
    script = (
        "import importlib, sys\n"
        "import infra.program\n"
        "from infra.phases import REGISTRY\n"
        "for phase in REGISTRY:\n"
        "    importlib.import_module(phase.builder)\n"
        "    [importlib.import_module(m) for m in phase.checks]\n"
        "print('\\n'.join(m for m in sys.modules if m.split('.')[0] in ('infra', 'stacks', 'components')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    assert "stacks.aws" in loaded and "infra.config.model" in loaded
    assert [m for m in loaded if m == TOOL or m.startswith(f"{TOOL}.")] == []


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_in_a_circle():
    edges = graph()
    # a package's __init__ re-exporting its modules is its face, not a floor of its own
    edges = {m: (set() if modules()[m].name == "__init__.py" else e) for m, e in edges.items()}
    assert circles(edges) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_longer_than_a_reader_takes_in():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
