"""The shape docs/architecture.md describes, checked: no import cycles, dependencies that point
one way between domains, the same rooms in every domain, and modules small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = ("incubator", "centres", "events")
# A domain and the domains it may import (besides the shared kernel of incubator's own
# modules: db, web, errors, fields, i18n, money, mail, settings, templating, downloads).
DOMAINS = {
    "incubator.auth": set(),
    "incubator.reminders": {"incubator.auth"},
    "incubator.startups": {"incubator.auth", "incubator.reminders"},
    "incubator.partners": {"incubator.auth", "incubator.reminders", "incubator.startups"},
    "incubator.programmes": {
        "incubator.auth",
        "incubator.partners",
        "incubator.reminders",
        "incubator.startups",
    },
    "incubator.programmes.funding": {
        "incubator.auth",
        "incubator.programmes",
        "incubator.reminders",
        "incubator.startups",
    },
    "centres": {"incubator.auth", "incubator.reminders", "incubator.startups"},
    "events.academy": {"events", "incubator.auth", "incubator.reminders", "incubator.startups"},
    "events.rooms": {
        "centres",
        "events",
        "incubator.auth",
        "incubator.reminders",
        "incubator.startups",
    },
    "events": {"centres", "incubator.auth", "incubator.reminders", "incubator.startups"},
    "incubator.dashboard": {
        "centres",
        "events",
        "events.academy",
        "events.rooms",
        "incubator.auth",
        "incubator.partners",
        "incubator.programmes",
        "incubator.programmes.funding",
        "incubator.startups",
    },
    "incubator.demo": {
        "centres",
        "events",
        "events.academy",
        "events.rooms",
        "incubator.auth",
        "incubator.partners",
        "incubator.programmes",
        "incubator.programmes.funding",
        "incubator.startups",
    },
}
# The app shell puts the domains together; it may import any of them.
SHELL = {"incubator.app", "incubator.cli", "incubator.asgi", "incubator.piccolo_conf"}
# What the kernel may know of a domain: who is asking (the viewer and a new session's type).
KERNEL_MAY_IMPORT = {"incubator.auth.schemas"}
MODULE_LINES = 420
TEST_LINES = 500


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports() -> dict[str, set[str]]:
    """Each module's imports of our modules, at the top or inside functions alike."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = _resolve(f"{node.module}.{alias.name}") or _resolve(node.module)
                    if target:
                        targets.add(target)
            elif isinstance(node, ast.Import):
                targets |= {t for alias in node.names if (t := _resolve(alias.name))}
        graph[name] = targets - {name}
    return graph


GRAPH = _imports()


def _domain(module: str) -> str | None:
    for domain in sorted(DOMAINS, key=len, reverse=True):
        if module == domain or module.startswith(domain + "."):
            return domain
    return None


def test_no_module_imports_itself_back_through_others():
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        seen[module] = 1
        for target in sorted(GRAPH[module]):
            if seen.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in seen:
                visit(target, [*path, target])
        seen[module] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])
    assert cycles == []


def test_domains_depend_only_on_the_domains_below_them():
    wrong = []
    for module, targets in GRAPH.items():
        if module in SHELL or module.endswith(".piccolo_app"):
            continue  # the shell and the Piccolo registries put everything together
        source = _domain(module)
        for target in targets:
            goal = _domain(target)
            if goal is None or goal == source:
                continue
            if source is None:
                if target not in KERNEL_MAY_IMPORT:
                    wrong.append(f"{module} (kernel) -> {target}")
            elif goal not in DOMAINS[source]:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_domain_has_the_same_rooms(domain):
    folder = ROOT.joinpath(*domain.split("."))
    rooms = {p.stem for p in folder.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    if domain == "incubator.demo":
        return  # the demo's builders are one module per domain, not a domain of their own
    assert {"services", "pages"} <= rooms, f"{domain} has {sorted(rooms)}"
    if (folder / "piccolo_migrations").is_dir() or domain in ("events.academy", "events.rooms"):
        assert "tables" in rooms
    if "api" in rooms:
        assert "schemas" in rooms, f"{domain}'s API has no schemas.py"


def test_every_module_is_small_enough_to_read():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text().splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_every_test_file_is_small_enough_to_read():
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "tests").rglob("*.py")
        if (n := len(path.read_text().splitlines())) > TEST_LINES
    }
    assert long == {}
