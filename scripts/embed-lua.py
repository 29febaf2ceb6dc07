#!/usr/bin/env python3
"""embed-lua.py -- embed the store's Lua scripts (store/lua/*.lua) into C at build time.

Usage: embed-lua.py --out PREFIX FILE...   (FILE: a script *.lua, or a C header *.h
                                           whose integer #defines the scripts may use)

Writes PREFIX.h and PREFIX.c (e.g. build/gen/store/store_lua.{h,c}): one
`const store_script store_lua_<name>` (store/redis.h) per script, with its full
text, its length and the lower-case hex SHA1 of that text (what EVALSHA names),
plus store_lua_all[] (every script, for the preload at connect and the tests).

A script's directive lines (comments starting with "--!") are not sent:
  --! use lib_x.lua      prepend store/lua/lib_x.lua (itself may use others);
                         each prelude appears once, in order of first use
  --! const NAME ...     prepend "local NAME = <value>" for each NAME, the
                         value of "#define NAME <integer>" in one of the headers,
                         so a limit is written once, in C
Files named lib_*.lua are preludes only: no store_script is emitted for them.
Uses python3 only (no xxd); the output is deterministic.
"""
import argparse
import hashlib
import os
import re
import sys

DEFINE = re.compile(r"^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+(-?\d+)\s*(?:/\*.*)?$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def die(msg):
    print(f"embed-lua: {msg}", file=sys.stderr)
    sys.exit(1)


def read_consts(headers):
    consts = {}
    for h in headers:
        with open(h, encoding="utf-8") as f:
            for line in f:
                m = DEFINE.match(line)
                if not m:
                    continue
                if m.group(1) in consts and consts[m.group(1)][0] != m.group(2):
                    die(f"{h}: {m.group(1)} defined twice with different values")
                consts[m.group(1)] = (m.group(2), h)
    return consts


class Script:
    def __init__(self, path):
        self.path = path
        self.uses, self.consts, self.body = [], [], []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("--!"):
                    words = line[3:].split()
                    if len(words) >= 2 and words[0] == "use":
                        self.uses += words[1:]
                    elif len(words) >= 2 and words[0] == "const":
                        self.consts += words[1:]
                    else:
                        die(f"{path}:{n}: unknown directive: {line.strip()}")
                else:
                    self.body.append(line)
        if self.body and not self.body[-1].endswith("\n"):
            self.body[-1] += "\n"


def assemble(path, consts):
    """The text sent to Redis: constants, preludes (once each), body."""
    order, seen, names = [], set(), []

    def visit(p, stack):
        if p in stack:
            die(f"{p}: prelude cycle through {' -> '.join(stack)}")
        if p in seen:
            return
        s = Script(p)
        for u in s.uses:
            q = os.path.join(os.path.dirname(p), u)
            if not os.path.basename(u).startswith("lib_") or not os.path.isfile(q):
                die(f"{p}: use {u}: no such prelude (lib_*.lua next to it)")
            visit(q, stack + [p])
        seen.add(p)
        order.append(s)
        names.extend(c for c in s.consts if c not in names)

    visit(path, [])
    head = []
    for c in names:
        if c not in consts:
            die(f"{path}: const {c}: no '#define {c} <integer>' in the headers given")
        head.append(f"local {c} = {consts[c][0]}\n")
    return "".join(head) + "".join("".join(s.body) for s in order)


def c_string(text):
    """Text as C string literal lines (escapes: quote, backslash, '?' against
    trigraphs, anything outside printable ASCII as 3-digit octal)."""
    lines, cur = [], []
    for ch in text:
        b = ch.encode("utf-8")
        for byte in b:
            c = chr(byte)
            if c == "\n":
                cur.append("\\n")
                lines.append('    "' + "".join(cur) + '"')
                cur = []
            elif c in '"\\?':
                cur.append("\\" + c)
            elif 32 <= byte < 127:
                cur.append(c)
            else:
                cur.append("\\%03o" % byte)
    if cur or not lines:
        lines.append('    "' + "".join(cur) + '"')
    return "\n".join(lines)


def write_if_changed(path, text):
    """Rewrite path only when its text changes (else just touch it, so that
    make sees it up to date): the file keeps its inode and content."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                os.utime(path)
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    bad = [f for f in a.files if not f.endswith((".lua", ".h"))]
    if bad:
        die(f"{bad[0]}: neither a .lua script nor a .h header")
    consts = read_consts(sorted(f for f in a.files if f.endswith(".h")))
    scripts = []
    for p in sorted({f for f in a.files if f.endswith(".lua")}):
        name = os.path.basename(p)[:-4]
        if name.startswith("lib_"):
            continue
        if not NAME.match(name):
            die(f"{p}: script names are lower-case [a-z0-9_]")
        text = assemble(p, consts)
        scripts.append((name, p, text, hashlib.sha1(text.encode("utf-8")).hexdigest()))
    if not scripts:
        die("no scripts")
    base = os.path.basename(a.out)
    guard = "DVC_STORE_" + re.sub(r"[^A-Z0-9]", "_", base.upper()) + "_H"
    gen = "GENERATED by scripts/embed-lua.py from the files of store/lua/: do not edit."
    h = [f"/* {base}.h -- the store's Lua scripts, embedded at build time.\n * {gen}\n"
         " * Each script: full text (preludes included) and its SHA1, for store_eval. */",
         f"#ifndef {guard}", f"#define {guard}", "", '#include "store/redis.h"', ""]
    h += [f"extern const store_script store_lua_{n};    /* {p} */" for n, p, _, _ in scripts]
    h += ["", f"#define STORE_LUA_COUNT {len(scripts)}",
          "extern const store_script *const store_lua_all[STORE_LUA_COUNT];", "", "#endif", ""]
    c = [f"/* {base}.c -- {gen} */", f'#include "store/{base}.h"', ""]
    for n, p, text, sha in scripts:
        c += [f"/* {p} */", f"const store_script store_lua_{n} = {{",
              f'    "{n}",', c_string(text) + ",",
              f"    {len(text.encode('utf-8'))},", f'    "{sha}",', "};", ""]
    c += ["const store_script *const store_lua_all[STORE_LUA_COUNT] = {"]
    c += [f"    &store_lua_{n}," for n, _, _, _ in scripts] + ["};", ""]
    write_if_changed(a.out + ".h", "\n".join(h))
    write_if_changed(a.out + ".c", "\n".join(c))


if __name__ == "__main__":
    main()
