"""Architecture audit: the figures issue 15 asks for, measured the same way before and after.

    python scripts/architecture_audit.py            # table
    python scripts/architecture_audit.py --list     # and every place counted
    python scripts/architecture_audit.py --check    # exit 1 on an import cycle or a private cross-module import
    python scripts/architecture_audit.py --root /path/to/other/checkout   # the same counts for another commit

Counts (all over pipeline/, Python, JSON and Jinja files):
- places that list the model-written sections: literal tuples/lists/sets/dicts holding three or more of the
  section names, `section == "<name>"` tests, and JSON files naming three or more of them; files holding the
  literal "factors" (the issue's own measure);
- copies of each shared formula, found by the text each copy has to contain (patterns below);
- bare `Any` in a parameter or return annotation (*args/**kwargs excluded), and `x: Any = ...` locals;
- import cycles: strongly connected components of the module import graph (every import, function-level too);
- private cross-module imports: `from pipeline.x import _name`, and `obj._name` on anything but self/cls
  (attributes of another module's object).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pipeline"
SECTION_NAMES = {"earnings_call", "events", "factors", "financials", "technicals", "summary"}

# formula -> regex whose every match is one copy of it
FORMULAS: dict[str, str] = {
    "prompt version (template hash)": r"hexdigest\(\)\[:8\]",
    "input-hash file list (lists of the hashed files)": r"\[\(BUNDLE_FILE,|^FIXED_FILES\s*=",
    "report file names": r"[\"']md[\"']\s*:\s*[\"']report\.md[\"']",
    "scale factors": r"(?:[\"']thousands[\"']|Scale\.thousands)\s*:\s*1e3",
    "tone lexicon": r"^(?:_POS_WORDS|POSITIVE(?:_WORDS)?)\s*(?::[^=]*)?=\s*(?:re\.compile|frozenset)",
    "<task section=...> regex": r"re\.compile\(r?['\"]<task section",
    "<facts> regex": r"re\.compile\(r?['\"]<facts>",
    "chars/4 token count": r"//\s*4\b|CHARS_PER_TOKEN\s*=\s*4",
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, mods: dict[str, Path]) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                if not t.startswith("pipeline"):
                    continue
                hit = _resolve(t, mods)
                if hit and hit != mod:
                    graph[mod].add(hit)
    return graph


def cycles(graph: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Dict):
        elts = [k for k in node.keys if k is not None]
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        elts = node.elts
    else:
        return []
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def section_lists(mods: dict[str, Path]) -> list[str]:
    found = []
    for _mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = set(_strings(node)) & SECTION_NAMES
            if len(names) >= 3:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} lists {len(names)} sections")
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq | ast.In) for op in node.ops
            ):
                left = ast.unparse(node.left)
                rights = [c.value for c in node.comparators if isinstance(c, ast.Constant)]
                if "section" in left and any(r in SECTION_NAMES for r in rights):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} tests {left} == {rights[0]!r}")
    for path in sorted(list(PKG.rglob("*.json")) + list(ROOT.glob("prompts/*.json"))):
        try:
            text = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if len(SECTION_NAMES & set(re.findall(r"\w+", json.dumps(text)))) >= 3:
            found.append(f"{path.relative_to(ROOT)} lists the sections")
    return found


def literal_files(word: str) -> list[str]:
    pattern = re.compile(rf"[\"']{word}[\"']")
    paths = sorted(list(PKG.rglob("*.py")) + list(PKG.rglob("*.json")) + list(ROOT.glob("prompts/*.json")))
    return [str(p.relative_to(ROOT)) for p in paths if pattern.search(p.read_text(encoding="utf-8"))]


def formula_copies() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, pattern in FORMULAS.items():
        rx = re.compile(pattern, re.M)
        hits = []
        for path in sorted(PKG.rglob("*.py")):
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if rx.search(line) and not line.lstrip().startswith("#"):
                    hits.append(f"{path.relative_to(ROOT)}:{i}")
        out[name] = hits
    return out


def _is_bare_any(ann: ast.AST | None) -> bool:
    return (
        isinstance(ann, ast.Name) and ann.id == "Any" or isinstance(ann, ast.Constant) and ann.value == "Any"
    )


def any_annotations(mods: dict[str, Path]) -> tuple[list[str], list[str]]:
    signatures, locals_ = [], []
    for _mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                for a in args:
                    if _is_bare_any(a.annotation):
                        signatures.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}({a.arg}: Any)")
                if _is_bare_any(node.returns):
                    signatures.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}() -> Any")
            elif isinstance(node, ast.AnnAssign) and _is_bare_any(node.annotation) and node.value is not None:
                locals_.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.target)}: Any")
    return signatures, locals_


def private_reach(mods: dict[str, Path]) -> tuple[list[str], list[str]]:
    imports, attrs = [], []
    for _mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        imports.append(
                            f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import {a.name}"
                        )
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                owner = ast.unparse(node.value)
                if owner not in ("self", "cls") and not owner.startswith(("self.", "super(")):
                    attrs.append(f"{path.relative_to(ROOT)}:{node.lineno} {owner}.{node.attr}")
    return imports, attrs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", action="store_true", help="print every place counted")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on a cycle or a private cross-module import"
    )
    parser.add_argument("--root", type=Path, default=None, help="a checkout to measure (default: this one)")
    args = parser.parse_args()
    if args.root is not None:
        global ROOT, PKG
        ROOT, PKG = args.root.resolve(), args.root.resolve() / "pipeline"
    mods = modules()
    graph = import_graph(mods)
    found_cycles = cycles(graph, sorted(mods))
    lists = section_lists(mods)
    factors = literal_files("factors")
    formulas = formula_copies()
    sigs, locs = any_annotations(mods)
    priv_imports, priv_attrs = private_reach(mods)

    rows = [
        ("modules", len(mods), []),
        ("places that list model-written sections", len(lists), lists),
        ('files with the literal "factors"', len(factors), factors),
        *((f"copies: {k}", len(v), v) for k, v in formulas.items()),
        ("bare Any in signatures", len(sigs), sigs),
        ("x: Any = ... locals", len(locs), locs),
        ("import cycles (SCCs)", len(found_cycles), [" -> ".join(c) for c in found_cycles]),
        ("private names imported across modules", len(priv_imports), priv_imports),
        ("obj._private attribute reach-ins", len(priv_attrs), priv_attrs),
    ]
    width = max(len(r[0]) for r in rows)
    for name, n, items in rows:
        print(f"{name:<{width}}  {n}")
        if args.list:
            for item in items:
                print(f"    {item}")
    if args.check and (found_cycles or priv_imports):
        print("architecture check FAILED: import cycles or private cross-module imports", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
