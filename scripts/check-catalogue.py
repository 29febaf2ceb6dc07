#!/usr/bin/env python3
"""Validate the procedure catalogue (thủ tục hành chính) against the schema in docs/catalogue.md.

Usage:
  scripts/check-catalogue.py [--strict] [--quiet] [PATH ...]

PATH is a catalogue file (*.json) or a directory (every *.json directly inside it is checked).
Default: config/catalogue/ of the repository this script lives in.

--strict  also enforce the editorial rules of the sample catalogue (3-8 aliases, 2-8 documents,
          2-6 steps, 1-3 legal bases, sample_data true everywhere).
--quiet   print nothing on success.

Errors go to stdout as "FILE: JSON.PATH: message", one per line; exit status 1 if there is any.
Warnings (aliases shared by several procedures) go to stderr with --strict and do not fail the run.
Python 3 standard library only.
"""
import json
import os
import re
import sys
import unicodedata

CODE_RE = re.compile(r"^\d\.\d{6}$")
LEVELS = ("xa", "huyen", "tinh", "bo")
CHANNELS = ("direct", "online", "postal")
ONLINE_LEVELS = (2, 3, 4)
STATUSES = ("active", "ended")

FILE_KEYS = {"sample_data": False, "procedures": True, "description": False}
PROC_KEYS = {
    "code": True, "name": True, "short_name": False, "aliases": True, "field": True, "level": True,
    "agency": True, "documents": True, "steps": True, "processing_time": True, "fees": True,
    "channels": True, "online_level": True, "legal_basis": True, "result": True,
    "conditions": False, "note": False, "status": False, "sample_data": False,
}
DOC_KEYS = {"name": True, "originals": True, "copies": True, "note": False}
TIME_KEYS = {"days": True, "working_days": True, "text": True}
FEE_KEYS = {"amount_vnd": True, "text": True}

# (min, max) item counts: schema limits, and the stricter editorial limits of --strict
LIMITS = {"aliases": (1, 12), "documents": (1, 15), "steps": (1, 10), "legal_basis": (1, 5), "fees": (1, 10),
          "conditions": (1, 10)}
STRICT_LIMITS = {"aliases": (3, 8), "documents": (2, 8), "steps": (2, 6), "legal_basis": (1, 3)}

MAX_LEN = {"name": 300, "short_name": 40, "alias": 60, "field": 120, "agency": 300, "text": 600}


def fold(s):
    """The same folding the engine applies to user input: NFC, lower-case, no diacritics, đ->d, spaces squeezed."""
    s = unicodedata.normalize("NFD", s.lower()).replace("\u0111", "d")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return " ".join(s.split())


class DuplicateKey(ValueError):
    pass


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise DuplicateKey("duplicate key %r" % k)
        d[k] = v
    return d


class Checker:
    def __init__(self, strict=False):
        self.strict = strict
        self.errors = []
        self.warnings = []
        self.codes = {}        # code -> "file: procedures[i]"
        self.aliases = {}      # folded alias -> [code, ...]
        self.by_field = {}
        self.by_file = {}
        self.nprocs = 0

    def err(self, fname, path, msg):
        self.errors.append("%s: %s: %s" % (fname, path, msg) if path else "%s: %s" % (fname, msg))

    # ---- primitive checks; each returns True when the value is usable ----
    def string(self, f, path, v, maxlen=MAX_LEN["text"], empty=False):
        if not isinstance(v, str):
            self.err(f, path, "expected string")
            return False
        if not empty and not v.strip():
            self.err(f, path, "must not be empty")
            return False
        if v != v.strip():
            self.err(f, path, "leading or trailing whitespace")
        if len(v) > maxlen:
            self.err(f, path, "longer than %d characters" % maxlen)
        if unicodedata.normalize("NFC", v) != v:
            self.err(f, path, "not in Unicode NFC")
        if any(unicodedata.category(c) == "Cc" for c in v):
            self.err(f, path, "contains control characters")
        return True

    def integer(self, f, path, v, lo=None, hi=None, null=False):
        if v is None and null:
            return True
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(f, path, "expected integer" + (" or null" if null else ""))
            return False
        if lo is not None and v < lo:
            self.err(f, path, "must be >= %d" % lo)
        if hi is not None and v > hi:
            self.err(f, path, "must be <= %d" % hi)
        return True

    def boolean(self, f, path, v):
        if not isinstance(v, bool):
            self.err(f, path, "expected boolean")
            return False
        return True

    def obj(self, f, path, v, keys):
        if not isinstance(v, dict):
            self.err(f, path, "expected object")
            return False
        for k, req in keys.items():
            if req and k not in v:
                self.err(f, path, "missing required field %r" % k)
        for k in v:
            if k not in keys:
                self.err(f, path, "unknown field %r" % k)
        return True

    def array(self, f, path, v, name):
        if not isinstance(v, list):
            self.err(f, path, "expected array")
            return False
        lo, hi = LIMITS.get(name, (0, 10 ** 9))
        if self.strict and name in STRICT_LIMITS:
            lo, hi = STRICT_LIMITS[name]
        if not lo <= len(v) <= hi:
            self.err(f, path, "expected %d to %d items, found %d" % (lo, hi, len(v)))
        return True

    def string_list(self, f, path, v, name, maxlen=MAX_LEN["text"]):
        if not self.array(f, path, v, name):
            return
        seen = set()
        for i, s in enumerate(v):
            if self.string(f, "%s[%d]" % (path, i), s, maxlen):
                if s in seen:
                    self.err(f, "%s[%d]" % (path, i), "duplicate %r" % s)
                seen.add(s)

    # ---- procedure ----
    def procedure(self, f, path, p, file_sample):
        if not self.obj(f, path, p, PROC_KEYS):
            return
        g = lambda k: p.get(k)
        code = g("code")
        if "code" in p and self.string(f, path + ".code", code, 8):
            if not CODE_RE.match(code):
                self.err(f, path + ".code", "%r does not match d.dddddd" % code)
            elif code in self.codes:
                self.err(f, path + ".code", "duplicate code %s (first used at %s)" % (code, self.codes[code]))
            else:
                self.codes[code] = "%s: %s" % (f, path)
        if "name" in p:
            self.string(f, path + ".name", g("name"), MAX_LEN["name"])
        if "short_name" in p and self.string(f, path + ".short_name", g("short_name"), MAX_LEN["short_name"]):
            if not all(" " <= c <= "~" for c in g("short_name")):
                self.err(f, path + ".short_name", "must be printable ASCII (USSD screens)")
        if "aliases" in p and self.array(f, path + ".aliases", g("aliases"), "aliases"):
            folded = {}
            for i, a in enumerate(g("aliases")):
                ap = "%s.aliases[%d]" % (path, i)
                if not self.string(f, ap, a, MAX_LEN["alias"]):
                    continue
                if a != a.lower():
                    self.err(f, ap, "must be lower-case")
                if "  " in a:
                    self.err(f, ap, "double space")
                fa = fold(a)
                if fa in folded:
                    self.err(f, ap, "same as aliases[%d] once diacritics are folded (%r)" % (folded[fa], fa))
                    continue
                folded[fa] = i
                self.aliases.setdefault(fa, []).append(code if isinstance(code, str) else path)
        field = g("field")
        if "field" in p and self.string(f, path + ".field", field, MAX_LEN["field"]):
            self.by_field[field] = self.by_field.get(field, 0) + 1
        if "level" in p and g("level") not in LEVELS:
            self.err(f, path + ".level", "expected one of %s" % ", ".join(LEVELS))
        if "agency" in p:
            self.string(f, path + ".agency", g("agency"), MAX_LEN["agency"])
        if "documents" in p and self.array(f, path + ".documents", g("documents"), "documents"):
            for i, d in enumerate(g("documents")):
                dp = "%s.documents[%d]" % (path, i)
                if not self.obj(f, dp, d, DOC_KEYS):
                    continue
                if "name" in d:
                    self.string(f, dp + ".name", d["name"])
                ok = "originals" in d and self.integer(f, dp + ".originals", d["originals"], 0, 20)
                ok = ("copies" in d and self.integer(f, dp + ".copies", d["copies"], 0, 20)) and ok
                if ok and d["originals"] + d["copies"] < 1:
                    self.err(f, dp, "originals + copies must be at least 1")
                if "note" in d:
                    self.string(f, dp + ".note", d["note"])
        if "steps" in p:
            self.string_list(f, path + ".steps", g("steps"), "steps")
        t = g("processing_time")
        if "processing_time" in p and self.obj(f, path + ".processing_time", t, TIME_KEYS):
            if "days" in t:
                self.integer(f, path + ".processing_time.days", t["days"], 0, 3650, null=True)
            if "working_days" in t:
                self.boolean(f, path + ".processing_time.working_days", t["working_days"])
            if "text" in t:
                self.string(f, path + ".processing_time.text", t["text"])
        if "fees" in p and self.array(f, path + ".fees", g("fees"), "fees"):
            for i, fe in enumerate(g("fees")):
                fp = "%s.fees[%d]" % (path, i)
                if not self.obj(f, fp, fe, FEE_KEYS):
                    continue
                if "amount_vnd" in fe:
                    self.integer(f, fp + ".amount_vnd", fe["amount_vnd"], 0, 10 ** 12, null=True)
                if "text" in fe:
                    self.string(f, fp + ".text", fe["text"])
        ch = g("channels")
        ch_ok = False
        if "channels" in p:
            if not isinstance(ch, list) or not ch:
                self.err(f, path + ".channels", "expected non-empty array")
            else:
                ch_ok = True
                for i, c in enumerate(ch):
                    if c not in CHANNELS:
                        self.err(f, "%s.channels[%d]" % (path, i), "expected one of %s" % ", ".join(CHANNELS))
                        ch_ok = False
                if len(set(map(str, ch))) != len(ch):
                    self.err(f, path + ".channels", "duplicate channel")
        ol = g("online_level")
        if "online_level" in p:
            if isinstance(ol, bool) or ol not in ONLINE_LEVELS:
                self.err(f, path + ".online_level", "expected integer 2, 3 or 4")
            elif ch_ok and (ol >= 3) != ("online" in ch):
                self.err(f, path + ".online_level",
                         "online_level %d is inconsistent with channels (\"online\" is listed iff online_level >= 3)" % ol)
        if "legal_basis" in p:
            self.string_list(f, path + ".legal_basis", g("legal_basis"), "legal_basis")
        if "result" in p:
            self.string(f, path + ".result", g("result"))
        if "conditions" in p:
            self.string_list(f, path + ".conditions", g("conditions"), "conditions")
        if "note" in p:
            self.string(f, path + ".note", g("note"))
        if "status" in p and g("status") not in STATUSES:
            self.err(f, path + ".status", "expected one of %s" % ", ".join(STATUSES))
        if "sample_data" in p and self.boolean(f, path + ".sample_data", g("sample_data")):
            if self.strict and g("sample_data") is not True:
                self.err(f, path + ".sample_data", "must be true in the sample catalogue (--strict)")
        elif self.strict and file_sample and "sample_data" not in p:
            self.err(f, path, "missing sample_data (--strict)")

    def file(self, fname):
        try:
            with open(fname, "rb") as fh:
                raw = fh.read()
        except OSError as e:
            self.err(fname, "", "cannot read: %s" % e.strerror)
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            self.err(fname, "", "not valid UTF-8 (byte %d)" % e.start)
            return
        if text.startswith("\ufeff"):
            self.err(fname, "", "starts with a byte-order mark")
            text = text[1:]
        try:
            doc = json.loads(text, object_pairs_hook=_pairs)
        except DuplicateKey as e:
            self.err(fname, "", "invalid JSON: %s" % e)
            return
        except json.JSONDecodeError as e:
            self.err(fname, "", "invalid JSON at line %d column %d: %s" % (e.lineno, e.colno, e.msg))
            return
        if not self.obj(fname, "(top level)", doc, FILE_KEYS):
            return
        file_sample = doc.get("sample_data")
        if "sample_data" in doc:
            self.boolean(fname, "sample_data", file_sample)
        if self.strict and file_sample is not True:
            self.err(fname, "sample_data", "must be true in the sample catalogue (--strict)")
        if "description" in doc:
            self.string(fname, "description", doc["description"])
        procs = doc.get("procedures")
        if "procedures" not in doc:
            return
        if not isinstance(procs, list):
            self.err(fname, "procedures", "expected array")
            return
        if not procs:
            self.err(fname, "procedures", "empty array")
        for i, p in enumerate(procs):
            self.procedure(fname, "procedures[%d]" % i, p, file_sample is True)
        self.by_file[fname] = len(procs)
        self.nprocs += len(procs)


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, n) for n in os.listdir(p)
                            if n.endswith(".json") and os.path.isfile(os.path.join(p, n)))
        else:
            files.append(p)
    return files


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = [a for a in argv if a.startswith("--")]
    for o in opts:
        if o not in ("--strict", "--quiet", "--help"):
            print("unknown option %s" % o, file=sys.stderr)
            return 2
    if "--help" in opts:
        print(__doc__.strip())
        return 0
    if not args:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        default = os.path.join(root, "config", "catalogue")
        args = [os.path.relpath(default)]
    files = collect(args)
    c = Checker(strict="--strict" in opts)
    if not files:
        print("%s: no catalogue files (*.json) found" % ", ".join(args))
        return 1
    for fname in files:
        c.file(fname)
    for e in c.errors:
        print(e)
    if c.strict:
        for fa, codes in sorted(c.aliases.items()):
            if len(codes) > 1:
                c.warnings.append("warning: alias %r is shared by %s" % (fa, ", ".join(map(str, codes))))
        for w in c.warnings:
            print(w, file=sys.stderr)
    if c.errors:
        print("%d error(s) in %d file(s), %d procedure(s) read" % (len(c.errors), len(files), c.nprocs))
        return 1
    if "--quiet" not in opts:
        for fname in files:
            print("  %-50s %5d" % (fname, c.by_file.get(fname, 0)))
        print("OK: %d procedures, %d unique codes, %d fields, %d files%s"
              % (c.nprocs, len(c.codes), len(c.by_field), len(files),
                 ", %d shared-alias warning(s)" % len(c.warnings) if c.warnings else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
