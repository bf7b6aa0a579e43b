#!/usr/bin/env python3
"""Prints the package dependency graph of beamtrain's main sources, then its cycles.

Usage: scripts/package-graph.py [module-dir ...]   (default: checkpointing trainer pipelines)

An edge "a -> b (n)" means n source files in package a import (or name fully qualified) a type
of package b. Test sources are left out. A cycle is a strongly connected component of more than
one package; the script exits 1 if there is any, so it can guard the layout in CI.
"""
import pathlib
import re
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
PREFIX = "io.beamtrain."
PACKAGE = re.compile(r"^package\s+([\w.]+)\s*;", re.M)
# An import, or a fully qualified name in code or Javadoc: io.beamtrain.a.b.Type
REFERENCE = re.compile(r"\b(io\.beamtrain(?:\.[a-z]\w*)+)\.[A-Z]")


def package_of(path):
    match = PACKAGE.search(path.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def edges(modules):
    graph = defaultdict(lambda: defaultdict(int))
    for module in modules:
        for path in sorted((ROOT / module / "src/main/java").rglob("*.java")):
            source = path.read_text(encoding="utf-8")
            own = package_of(path)
            graph[own]  # every package is a node, even one without edges
            for target in set(REFERENCE.findall(source)):
                if target != own:
                    graph[own][target] += 1
    return graph


def cycles(graph):
    """Tarjan's strongly connected components, keeping those with more than one package."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def short(name):
    return name[len(PREFIX):] if name.startswith(PREFIX) else name


def main():
    sys.setrecursionlimit(10000)
    modules = sys.argv[1:] or ["checkpointing", "trainer", "pipelines"]
    graph = edges(modules)
    for source in sorted(graph):
        targets = graph[source]
        line = ", ".join(f"{short(t)} ({n})" for t, n in sorted(targets.items()))
        print(f"{short(source)} -> {line}" if line else short(source))
    found = cycles(graph)
    print()
    if not found:
        print("cycles: none")
        return 0
    for component in found:
        print("cycle: " + " <-> ".join(short(p) for p in component))
    return 1


if __name__ == "__main__":
    sys.exit(main())
