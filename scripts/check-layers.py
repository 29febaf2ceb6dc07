#!/usr/bin/env python3
"""check-layers.py -- the floors of docs/architecture.md, checked on the tree and the link graph.

Usage: check-layers.py BUILD_DIR   (BUILD_DIR/obj holds the objects, e.g. build/rel)

Reads the table between the "layers: begin/end" markers of docs/architecture.md
(floor -> floors it may use; the relation is transitive). Fails (exit 1) on:
  - an #include "dir/file.h" from a floor to one it may not use;
  - a bare #include "file.h" (includes are repo-relative everywhere);
  - <libwebsockets.h> reached, directly or through our headers, from a file
    outside the LWS_ALLOWED list below;
  - a link edge (undefined symbol -> defining object, from `nm -P`) from a floor
    to one it may not use, or an lws_* symbol used by an object outside LWS_ALLOWED;
  - a cycle of the object link graph that spans two floors.
Prints the largest cycle (strongly connected component) of the object graph.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC_DIRS = ["common", "intents", "catalogue", "channels", "store", "bot"]
LWS_ALLOWED = ("bot/http/", "bot/outbox/", "bot/cmd/cmd_serve.c")
INC = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)


def floor_of(path):
    parts = path.split("/")
    if parts[0] == "bot":
        return "bot/" + parts[1] if len(parts) > 2 else "bot"
    return parts[0]


def read_rules():
    text = open(os.path.join(ROOT, "docs/architecture.md"), encoding="utf-8").read()
    block = text.split("<!-- layers: begin -->")[1].split("<!-- layers: end -->")[0]
    uses = {}
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("floor", "") or set(cells[0]) <= set("-: "):
            continue
        uses[cells[0]] = {c.strip().strip("`") for c in cells[1].split(",") if c.strip() not in ("", "—", "-")}
    allowed = {}
    for f in uses:  # transitive closure
        seen, todo = set(), list(uses[f])
        while todo:
            g = todo.pop()
            if g not in seen:
                seen.add(g)
                todo.extend(uses.get(g, ()))
        allowed[f] = seen | {f}
    return allowed


def sources():
    out = []
    for d in SRC_DIRS:
        for base, _, files in os.walk(os.path.join(ROOT, d)):
            out += [os.path.relpath(os.path.join(base, f), ROOT) for f in files if f.endswith((".c", ".h"))]
    return sorted(out)


def check_includes(allowed, errors):
    incs = {}
    for s in sources():
        incs[s] = INC.findall(open(os.path.join(ROOT, s), encoding="utf-8").read())
        for kind, name in incs[s]:
            if kind == "<":
                continue
            if "/" not in name:
                errors.append(f"{s}: bare include \"{name}\" (write it repo-relative)")
                continue
            a, b = floor_of(s), floor_of(name)
            if a not in allowed:
                errors.append(f"{s}: floor {a} is not in docs/architecture.md")
            elif b not in allowed[a]:
                errors.append(f"{s}: includes {name}: {a} may not use {b}")
    memo = {}

    def reaches_lws(f, stack=()):
        if f in memo:
            return memo[f]
        if f in stack:
            return False
        hit = False
        for kind, name in incs.get(f, ()):
            if kind == "<" and name == "libwebsockets.h":
                hit = True
            elif kind == '"' and name in incs and reaches_lws(name, stack + (f,)):
                hit = True
        memo[f] = hit
        return hit

    for s in incs:
        if reaches_lws(s) and not s.startswith(LWS_ALLOWED):
            errors.append(f"{s}: reaches <libwebsockets.h> outside {', '.join(LWS_ALLOWED)}")


def link_graph(objdir):
    objs = []
    for base, _, files in os.walk(objdir):
        objs += [os.path.join(base, f) for f in files if f.endswith(".o")]
    objs = [o for o in objs if not os.path.relpath(o, objdir).startswith("tests/")]
    defs, undef = {}, {}
    out = subprocess.run(["nm", "-P", "-A"] + objs, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        head, _, rest = line.partition(": ")
        f = rest.split()
        if len(f) < 2:
            continue
        mod = os.path.relpath(head, objdir)[:-2]
        sym, typ = f[0], f[1]
        if typ == "U":
            undef.setdefault(mod, set()).add(sym)
        elif typ in "TDBRCGSV":
            defs[sym] = mod
    graph = {os.path.relpath(o, objdir)[:-2]: set() for o in objs}
    for mod, syms in undef.items():
        for s in syms:
            if s in defs and defs[s] != mod:
                graph[mod].add(defs[s])
    return graph, undef


def sccs(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # iterative Tarjan
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]; counter[0] += 1
                    stack.append(nxt); on.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == node:
                        break
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_links(allowed, objdir, errors):
    graph, undef = link_graph(objdir)
    for mod, deps in sorted(graph.items()):
        a = floor_of(mod + ".c")
        for d in sorted(deps):
            b = floor_of(d + ".c")
            if a in allowed and b not in allowed[a]:
                errors.append(f"link: {mod}.o uses {d}.o: {a} may not use {b}")
        if not (mod + ".c").startswith(LWS_ALLOWED) and any(s.startswith("lws_") for s in undef.get(mod, ())):
            errors.append(f"link: {mod}.o links lws symbols outside {', '.join(LWS_ALLOWED)}")
    comps = [c for c in sccs(graph) if len(c) > 1]
    for c in comps:
        floors = sorted({floor_of(m + ".c") for m in c})
        if len(floors) > 1:
            errors.append(f"link: cycle across floors {', '.join(floors)}: {' '.join(c)}")
    biggest = max(comps, key=len) if comps else []
    print(f"check-layers: {len(graph)} objects, {len(comps)} cycles, largest {len(biggest)}"
          + (f" ({' '.join(biggest)})" if biggest else ""), flush=True)


def main():
    objdir = os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build/rel", "obj")
    allowed = read_rules()
    errors = []
    check_includes(allowed, errors)
    check_links(allowed, objdir, errors)
    for e in errors:
        print("check-layers: " + e, file=sys.stderr)
    if errors:
        print(f"check-layers: {len(errors)} violations of docs/architecture.md", file=sys.stderr)
        return 1
    print("check-layers: every include and link edge is allowed by docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
