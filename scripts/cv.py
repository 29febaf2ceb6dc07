#!/usr/bin/env python3
"""cv.py -- k-fold cross-validation of the intent model on the training corpora.

    scripts/cv.py [--bin build/dvcbot] [--folds 5] [--train-opt "--epochs 30 ..."] [TSV...]

Splits the labelled lines of the given corpora (default: the Makefile's
TRAIN_CORPORA) into k folds in a fixed pseudo-random order, trains
`BIN train` on k-1 folds and classifies the remaining one with the rules of
config/intents.json and that model, and prints the accuracy per corpus and
overall, and the most frequent confusions. Use it to choose features or
training options without looking at tests/corpus/heldout.tsv.
"""
import argparse
import collections
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile


def train_corpora():
    mk = open("Makefile", encoding="utf-8").read()
    m = re.search(r"^TRAIN_CORPORA\s*:=\s*(.+)$", mk, re.M)
    return m.group(1).split() if m else []


def read(path):
    out = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n")
        if line and not line.startswith("#") and "\t" in line:
            out.append((path, line))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/dvcbot")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--train-opt", default="")
    ap.add_argument("--errors", default=None, help="print the misclassified lines of this corpus")
    ap.add_argument("tsv", nargs="*")
    args = ap.parse_args()
    files = args.tsv or train_corpora()
    lines = [x for f in files for x in read(f)]
    order = list(range(len(lines)))
    random.Random(20261202).shuffle(order)
    fold = {i: n % args.folds for n, i in enumerate(order)}
    rules = json.load(open("config/intents.json", encoding="utf-8"))
    right, total = collections.Counter(), collections.Counter()
    pairs = collections.Counter()
    bucket_right, bucket_total = collections.Counter(), collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.folds):
            tr = os.path.join(tmp, "train.tsv")
            with open(tr, "w", encoding="utf-8") as f:
                f.writelines(l + "\n" for i, (_, l) in enumerate(lines) if fold[i] != k)
            model = os.path.join(tmp, "model.tsv")
            subprocess.run([args.bin, "train", "--out", model] + shlex.split(args.train_opt) + [tr],
                           check=True)
            rules["model"]["file"] = model
            rj = os.path.join(tmp, "intents.json")
            json.dump(rules, open(rj, "w", encoding="utf-8"), ensure_ascii=False)
            test = [(src, l.split("\t")) for i, (src, l) in enumerate(lines) if fold[i] == k]
            data = "".join(c[0] + "\n" for _, c in test).encode("utf-8")
            res = subprocess.run([args.bin, "classify", "--rules", rj], input=data,
                                 stdout=subprocess.PIPE, check=True)
            for (src, c), row in zip(test, res.stdout.decode("utf-8").splitlines()):
                row = json.loads(row)
                got = row["intent"]
                b = min(9, int(row.get("confidence", 1) * 10))
                bucket_total[b] += 1
                bucket_right[b] += got == c[1]
                total[src] += 1
                if got == c[1]:
                    right[src] += 1
                else:
                    pairs[(c[1], got)] += 1
                    if args.errors == src:
                        print("   x %s -> %s: %s" % (c[1], got, c[0][:150]))
    for src in files:
        print("cv %-28s %4d/%4d %.1f%%" % (src, right[src], total[src], 100.0 * right[src] / max(1, total[src])))
    r, t = sum(right.values()), sum(total.values())
    print("cv %-28s %4d/%4d %.1f%%" % ("all", r, t, 100.0 * r / max(1, t)))
    print("cv accuracy by confidence: " + ", ".join(
        "%.1f-%.1f %d/%d" % (b / 10, (b + 1) / 10, bucket_right[b], bucket_total[b])
        for b in sorted(bucket_total)))
    for (want, got), c in pairs.most_common(10):
        print("   %3d  %s -> %s" % (c, want, got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
