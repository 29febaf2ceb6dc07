#!/usr/bin/env python3
"""label-levels.py -- check tests/corpus/procedure-questions.tsv against a catalogue and add the level variants.

  tests/corpus/label-levels.py CATALOGUE.json|DIR [--column real|sample] [--file TSV] [--write]

For every row, each code of the column must exist in the catalogue (exit 1 otherwise). The level variants of a
listed procedure (same name once the level marks "(thực hiện tại cấp tỉnh)", "(cấp trung ương)", "(cấp xã)" ... and
a leading "Thủ tục" are removed) are added to the row; --write rewrites the file, otherwise the rows that would
change are printed. The same grouping rule is in catalogue/catalogue_group.c (data: config/synonyms.json
"level_marks")."""
import glob, json, os, re, sys, unicodedata

TSV = "tests/corpus/procedure-questions.tsv"  # --file to check another


def fold(s):
    s = unicodedata.normalize("NFD", s.lower()).replace("\u0111", "d")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def group_key(name, marks):
    def drop(m):
        return " " if fold(m.group(1)) in marks else m.group(0)
    s = re.sub(r"\(([^()]*)\)", drop, name)
    s = fold(s)
    for m in sorted(marks, key=len, reverse=True):
        if m.startswith("thuc hien"):
            s = re.sub(r"(^| )" + m + r"( |$)", " ", s)
    s = re.sub(r"^thu tuc ", "", s.strip())
    return " ".join(s.split())


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    col = args[args.index("--column") + 1] if "--column" in args else "real"
    tsv = args[args.index("--file") + 1] if "--file" in args else TSV
    marks = set(fold(m) for m in json.load(open("config/synonyms.json", encoding="utf-8"))["level_marks"])
    files = sorted(glob.glob(os.path.join(args[0], "*.json"))) if os.path.isdir(args[0]) else [args[0]]
    procs = [p for f in files for p in json.load(open(f, encoding="utf-8"))["procedures"]]
    by_code = {p["code"]: p for p in procs}
    groups = {}
    for p in procs:
        groups.setdefault(group_key(p["name"], marks), []).append(p["code"])
    out, bad, changed = [], 0, 0
    header = None
    for line in open(tsv, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        cells = line.rstrip("\n").split("\t")
        if header is None:
            header = cells
            out.append(line)
            continue
        i = header.index(col)
        if cells[i] != "-":
            codes = cells[i].split(",")
            full = []
            for c in codes:
                if c not in by_code:
                    print(f"unknown code {c}: {cells[0]}", file=sys.stderr)
                    bad += 1
                    continue
                for v in [c] + groups[group_key(by_code[c]["name"], marks)]:
                    if v not in full:
                        full.append(v)
            if full != codes:
                changed += 1
                print(f"{cells[0]}: {','.join(codes)} -> {','.join(full)}")
                cells[i] = ",".join(full)
        out.append("\t".join(cells) + "\n")
    if "--write" in args and not bad:
        open(tsv, "w", encoding="utf-8").write("".join(out))
    print(f"{changed} row(s) {'updated' if '--write' in args else 'would change'}; {bad} unknown code(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
