#!/usr/bin/env python3
"""Regenerates slices_generated.ol and slices_generated.out: random slices
and indexes of a string and a list (fixed seed), with expected results from
Python, whose slicing rules (negative bounds count from the end, then clamp)
are those of docs/lang.md sections 4.7 and 4.8."""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
random.seed(7)
S = "abcdefghij"
L = list(range(10, 20))
ol = ["// Generated slicing and indexing cases (see slices_generated.py).",
      'let s = "%s"' % S,
      "let l = [%s]" % ", ".join(map(str, L)),
      "fn run(f) {",
      '    try { return str(f()) } catch e { return "error" }',
      "}"]
out = []
def bound():
    r = random.random()
    if r < 0.15:
        return None
    return random.randint(-14, 14)
def fmt(b):
    return "" if b is None else str(b)
for i in range(150):
    a, b = bound(), bound()
    sl = "[%s:%s]" % (fmt(a), fmt(b))
    ol.append("print(%d, run(fn() { return s%s }), run(fn() { return l%s }))" % (i, sl, sl))
    ls = "[" + ", ".join(map(str, L[a:b])) + "]"
    out.append("%d %s %s" % (i, S[a:b], ls))
for i in range(150, 190):
    k = random.randint(-12, 12)
    ok = -10 <= k < 10
    ol.append("print(%d, run(fn() { return s[%d] }), run(fn() { return l[%d] }))" % (i, k, k))
    out.append("%d %s %s" % (i, S[k] if ok else "error", L[k] if ok else "error"))
open(os.path.join(HERE, "slices_generated.ol"), "w").write("\n".join(ol) + "\n")
open(os.path.join(HERE, "slices_generated.out"), "w").write("\n".join(out) + "\n")
