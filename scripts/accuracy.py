#!/usr/bin/env python3
"""accuracy.py -- per-intent precision/recall and confusion pairs of the intent engine.

    scripts/accuracy.py [--bin build/dvcbot] [--rules FILE] [--errors N] [--quiet] [TSV...]

Runs `BIN classify` once per labelled corpus (lines "text<TAB>intent<TAB>entities",
'#' comments) and prints, for each: accuracy, per-intent precision / recall / F1
with their supports, and the most frequent confusion pairs (want -> got) with an
example of each. Without TSV arguments the corpora are every tests/corpus/*.tsv,
the shared development corpus (../shared/corpus/intents-dev.tsv) and every
../shared/eval/*.tsv (or $DVCBOT_SHARED_EVAL/*.tsv); a missing one is reported
as "skipped", never silently left out. The last line sums every corpus found.
--errors N lists up to N misclassified texts per corpus (default 0).
Exit status: 0, or 1 if the classifier could not be run.
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys


def intent_names():
    """The intent names of the engine's own table (intents/intents.c)."""
    with open("intents/intents.c", encoding="utf-8") as f:
        m = re.search(r"intent_names\[INTENT__COUNT\] = \{(.*?)\};", f.read(), re.S)
    return set(re.findall(r'"([a-z_]+)"', m.group(1))) if m else set()


def is_intent_corpus(path, names):
    """A corpus is an intent corpus when its labels are intent names; the
    procedure question sets (procedure codes, make accuracy-catalogue) are not."""
    cases = read_tsv(path)
    return bool(cases) and all(label in names for _, label in cases)


def default_corpora():
    """(label, path) of every intent corpus this repository knows of."""
    names = intent_names()
    out = []
    for p in sorted(glob.glob("tests/corpus/*.tsv")):
        if is_intent_corpus(p, names):
            out.append((p, p))
        else:
            print("# %s: not an intent corpus (its labels are no intent names), skipped" % p)
    shared = os.environ.get("DVCBOT_SHARED_CORPUS") or "../shared/corpus/intents-dev.tsv"
    out.append((shared, shared))
    evaldir = os.environ.get("DVCBOT_SHARED_EVAL") or "../shared/eval"
    evals = sorted(glob.glob(os.path.join(evaldir, "*.tsv")))
    if evals:
        out += [(p, p) for p in evals]
    else:
        out.append((os.path.join(evaldir, "*.tsv"), None))
    return out


def read_tsv(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            cols = line.split("\t")
            cases.append((cols[0], cols[1]))
    return cases


def classify(binary, rules, texts):
    cmd = [binary, "classify"] + (["--rules", rules] if rules else [])
    data = "".join(t.replace("\n", " ") + "\n" for t in texts).encode("utf-8")
    res = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True)
    rows = [json.loads(l) for l in res.stdout.decode("utf-8").splitlines()]
    if len(rows) != len(texts):
        raise RuntimeError("%d answers for %d lines" % (len(rows), len(texts)))
    return [(r["intent"], r.get("confidence")) for r in rows]


def report(label, cases, got, args):
    n = len(cases)
    right = sum(1 for (_, want), (g, _) in zip(cases, got) if g == want)
    print("== %s: %d/%d right (%.1f%%)" % (label, right, n, 100.0 * right / n if n else 0))
    if args.quiet:
        return right, n
    tp, fp, fn, sup = (collections.Counter() for _ in range(4))
    pairs = collections.Counter()
    example = {}
    for (text, want), (g, _) in zip(cases, got):
        sup[want] += 1
        if g == want:
            tp[want] += 1
            continue
        fp[g] += 1
        fn[want] += 1
        pairs[(want, g)] += 1
        example.setdefault((want, g), text)
    print("   %-17s %6s %6s %6s %5s" % ("intent", "prec", "recall", "F1", "n"))
    for intent in sorted(set(sup) | set(fp)):
        p = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        r = tp[intent] / sup[intent] if sup[intent] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        fmt = lambda v, d: "%6.1f" % (100 * v) if d else "%6s" % "-"
        print("   %-17s %s %s %s %5d" % (intent, fmt(p, tp[intent] + fp[intent]),
                                         fmt(r, sup[intent]), fmt(f1, p + r), sup[intent]))
    if pairs:
        print("   top confusions (want -> got):")
        for (want, g), c in pairs.most_common(args.pairs):
            ex = example[(want, g)]
            ex = ex if len(ex) <= 70 else ex[:67] + "..."
            print("   %4d  %s -> %s   e.g. \"%s\"" % (c, want, g, ex))
    if args.errors:
        shown = 0
        for (text, want), (g, conf) in zip(cases, got):
            if g != want and shown < args.errors:
                c = "" if conf is None else " (%.2f)" % conf
                print("   x %s -> %s%s: %s" % (want, g, c, text[:160]))
                shown += 1
    return right, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/dvcbot")
    ap.add_argument("--rules", default=None, help="intents file (default: the config's)")
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--quiet", action="store_true", help="accuracy lines only")
    ap.add_argument("tsv", nargs="*")
    args = ap.parse_args()
    corpora = [(p, p) for p in args.tsv] if args.tsv else default_corpora()
    total_right = total = 0
    for label, path in corpora:
        if path is None or not os.path.exists(path):
            print("== %s: skipped (not found)" % label)
            continue
        cases = read_tsv(path)
        if not cases:
            print("== %s: skipped (no cases)" % label)
            continue
        try:
            got = classify(args.bin, args.rules, [t for t, _ in cases])
        except (OSError, subprocess.CalledProcessError, RuntimeError, ValueError) as e:
            print("accuracy: %s classify: %s" % (args.bin, e), file=sys.stderr)
            return 1
        r, n = report(label, cases, got, args)
        total_right += r
        total += n
    if total:
        print("== all corpora: %d/%d right (%.1f%%)" % (total_right, total, 100.0 * total_right / total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
