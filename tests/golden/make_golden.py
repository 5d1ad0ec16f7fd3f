#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's tests.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_golden.json. The output is
deterministic (fixed seeds, one thread): running the script again with the same
PyTorch build reproduces the file byte for byte.

Every case holds row-major float32 logits (rows x classes), integer targets, and
PyTorch's float32 results for softmax, log_softmax, cross_entropy (reduction
'none', 'mean' and 'sum') and argmax, all along dim=1. Floats are written as JSON
strings holding the shortest decimal text that round-trips the float32 exactly
("NaN", "Infinity" and "-Infinity" for non-finite values), so that .NET's
float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) recovers the
exact bits. The script checks that round trip (exactly, with rational
arithmetic) before writing anything.
"""

import json
import math
import os
import sys
from fractions import Fraction

import numpy as np
import torch
import torch.nn.functional as F

SCRIPT = "tests/golden/make_golden.py"
COMMAND = "/usr/bin/python3 tests/golden/make_golden.py"
OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_golden.json")

CLASS_COUNTS = [1, 2, 3, 4, 10, 16, 17, 100, 1000]
RANGES = ["normal1", "normal5", "uniform100", "large"]
EDGE_CLASS_COUNTS = [3, 10]
MAX_BYTES = 3 * 1024 * 1024

INF = float("inf")
NAN = float("nan")


# --------------------------------------------------------------------------------------
# Float formatting with an exact round-trip check.
# --------------------------------------------------------------------------------------

def _f32_bits(v):
    return int(np.array([v], dtype=np.float32).view(np.uint32)[0])


def _f32_from_bits(bits):
    return np.array([bits], dtype=np.uint32).view(np.float32)[0]


def _parse_f32_exact(text):
    """Parse decimal text to float32 with a single, correct round-to-nearest-even
    (what .NET's float.Parse does), without trusting a double-then-float conversion."""
    if text == "NaN":
        return np.float32(NAN)
    if text == "Infinity":
        return np.float32(INF)
    if text == "-Infinity":
        return np.float32(-INF)
    exact = Fraction(text)  # exact rational value of the decimal text
    negative = text.startswith("-")
    candidate = np.float32(float(text))  # at most one float32 step away from the answer
    if not np.isfinite(candidate):
        raise AssertionError(f"{text!r} overflows float32")
    bits = _f32_bits(candidate)
    # Walk the neighbours and keep the nearest one, ties to even mantissa.
    neighbours = []
    for delta in (-1, 0, 1):
        b = bits + delta
        if b < 0 or b > 0xFFFFFFFF:
            continue
        f = _f32_from_bits(b)
        if not np.isfinite(f):
            continue
        if (b >> 31) != (bits >> 31) and f != 0:
            continue
        neighbours.append(f)
    best = None
    best_dist = None
    for f in neighbours:
        d = abs(Fraction(float(f)) - exact)
        if best is None or d < best_dist or (d == best_dist and (_f32_bits(f) & 1) == 0):
            best, best_dist = f, d
    if best == 0:
        best = np.float32(-0.0) if negative else np.float32(0.0)
    return best


def fmt(v):
    """Shortest decimal text that parses back to exactly this float32."""
    f = np.float32(v)
    if np.isnan(f):
        s = "NaN"
    elif np.isinf(f):
        s = "Infinity" if f > 0 else "-Infinity"
    else:
        s = str(f)  # numpy's Dragon4 shortest round-trip text for a float32 scalar
        if "e" not in s and s.endswith(".0"):
            s = s[:-2]
        mant, e, expo = s.partition("e")
        if e:  # "1e+30" -> "1e30", "1e-05" -> "1e-5"
            s = mant + "e" + str(int(expo))
    back = _parse_f32_exact(s)
    if np.isnan(f):
        ok = bool(np.isnan(back))
    else:
        ok = _f32_bits(back) == _f32_bits(f)
    if not ok:
        raise AssertionError(f"float32 {f!r} formatted as {s!r} does not round-trip (got {back!r})")
    return s


def fmt_list(t):
    assert t.dtype == torch.float32
    return [fmt(v) for v in t.detach().reshape(-1).numpy()]


# --------------------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------------------

def make_case(name, logits, targets):
    """logits: float32 tensor (rows, C); targets: int64 tensor (rows,)."""
    assert logits.dtype == torch.float32 and logits.dim() == 2
    rows, classes = logits.shape
    assert targets.shape == (rows,)
    assert bool(((targets >= 0) & (targets < classes)).all())
    sm = F.softmax(logits, dim=1)
    lsm = F.log_softmax(logits, dim=1)
    ce_none = F.cross_entropy(logits, targets, reduction="none")
    ce_mean = F.cross_entropy(logits, targets, reduction="mean")
    ce_sum = F.cross_entropy(logits, targets, reduction="sum")
    am = torch.argmax(logits, dim=1)
    for t in (sm, lsm, ce_none, ce_mean, ce_sum):
        assert t.dtype == torch.float32
    return {
        "name": name,
        "classes": int(classes),
        "rows": int(rows),
        "logits": fmt_list(logits),
        "targets": [int(v) for v in targets.tolist()],
        "softmax": fmt_list(sm),
        "log_softmax": fmt_list(lsm),
        "cross_entropy_none": fmt_list(ce_none),
        "cross_entropy_mean": fmt(ce_mean.item()),
        "cross_entropy_sum": fmt(ce_sum.item()),
        "argmax": [int(v) for v in am.tolist()],
    }


def random_logits(gen, kind, rows, classes):
    if kind == "normal1":
        return torch.randn(rows, classes, generator=gen, dtype=torch.float32)
    if kind == "normal5":
        return torch.randn(rows, classes, generator=gen, dtype=torch.float32) * 5.0
    if kind == "uniform100":
        return torch.rand(rows, classes, generator=gen, dtype=torch.float32) * 200.0 - 100.0
    if kind == "large":
        # Large magnitudes mixed with small ones. Rows cycle through three shapes:
        #  0: each entry is N(0,1) or, with probability 0.35, +-10^U(4,30);
        #  1: a large common offset (+-1e4 .. +-1e6) plus an N(0, 3^2) spread, so the
        #     differences that matter are small while the values are not;
        #  2: mostly N(0,1) with one +-10^U(4,30) planted at a random column.
        out = torch.empty(rows, classes, dtype=torch.float64)
        for r in range(rows):
            shape = r % 3
            small = torch.randn(classes, generator=gen, dtype=torch.float64)
            if shape == 0:
                pick = torch.rand(classes, generator=gen, dtype=torch.float64) < 0.35
                expo = torch.rand(classes, generator=gen, dtype=torch.float64) * 26.0 + 4.0
                sign = torch.where(torch.rand(classes, generator=gen, dtype=torch.float64) < 0.5, -1.0, 1.0)
                out[r] = torch.where(pick, sign * torch.pow(10.0, expo), small)
            elif shape == 1:
                expo = float(torch.rand(1, generator=gen, dtype=torch.float64).item()) * 2.0 + 4.0
                sign = -1.0 if float(torch.rand(1, generator=gen, dtype=torch.float64).item()) < 0.5 else 1.0
                out[r] = sign * 10.0 ** expo + 3.0 * small
            else:
                col = int(torch.randint(0, classes, (1,), generator=gen).item())
                expo = float(torch.rand(1, generator=gen, dtype=torch.float64).item()) * 26.0 + 4.0
                sign = -1.0 if float(torch.rand(1, generator=gen, dtype=torch.float64).item()) < 0.5 else 1.0
                out[r] = small
                out[r, col] = sign * 10.0 ** expo
        return out.to(torch.float32)
    raise ValueError(kind)


def random_cases(gen):
    cases = []
    for classes in CLASS_COUNTS:
        rows = 16 if classes <= 100 else 4
        for kind in RANGES:
            logits = random_logits(gen, kind, rows, classes)
            targets = torch.randint(0, classes, (rows,), generator=gen, dtype=torch.int64)
            cases.append(make_case(f"C{classes}_{kind}", logits, targets))
    return cases


def edge_rows(classes):
    """(name, [rows of logits], [targets]) for the edge cases at this class count.
    Every row has exactly `classes` entries; filler entries are fixed small values."""
    c = classes

    def filler(start=0):
        # deterministic, distinct, small finite values
        return [float(np.float32(0.5 * ((i * 7) % 5) - 1.0 + 0.125 * i)) for i in range(start, start + c)]

    def row(prefix, fill_from=None):
        base = filler() if fill_from is None else fill_from
        r = list(prefix) + base[len(prefix):]
        assert len(r) == c
        return r

    out = []
    out.append(("nan", [row([NAN]), row([1.0, NAN])], [0, c - 1]))
    out.append(("posinf", [row([INF]), row([0.0, 2.0, INF])], [0, 1]))
    out.append(("two_posinf", [row([INF, INF])], [1]))
    out.append(("posinf_neginf", [row([INF, -INF])], [0]))
    out.append(("all_neginf", [[-INF] * c], [c - 1]))
    # -inf among finite values, targets on finite entries (finite losses)...
    some = row([-INF, 1.0, -INF]) if c >= 3 else row([-INF, 1.0])
    some2 = row([2.0, -INF])
    out.append(("some_neginf", [some, some2], [1, 0]))
    # ... and with the target on a -inf entry: PyTorch's loss is +inf.
    out.append(("neginf_target", [some, some2], [0, 1]))
    out.append(("all_equal", [[5.0] * c, [0.0] * c, [-7.25] * c], [0, c - 1, c // 2]))
    out.append(("all_equal_huge", [[1e30] * c, [-1e30] * c, [3e38] * c, [-3e38] * c], [0, 1, c - 1, c // 2]))
    out.append(("pm1e30", [row([1e30, -1e30]), row([-1e30, 1e30, 1e30]), row([0.0, -1e30, 2.0])],
                [0, 1, 1]))
    fmax = float(np.finfo(np.float32).max)
    out.append(("pm3e38", [row([3e38, -3e38]), row([-3e38, 3e38, 3e38]), row([fmax, -fmax, 0.0]),
                           row([-3e38, 0.0, 1.0])],
                [0, 0, 2, 0]))
    # exp(89) overflows float32: a naive exp-then-normalise softmax (TensorPrimitives.SoftMax) gives NaN.
    out.append(("overflow_89", [[89.0, 0.0] + [0.0] * (c - 2), [89.0] * c,
                                [100.0, 99.0] + [98.0 - i for i in range(c - 2)]],
                [1, 0, 0]))
    # exp(-120) underflows to a subnormal and exp(-121) below; naive softmax loses everything.
    out.append(("underflow_120", [[-120.0, -121.0] + [-122.0 - i for i in range(c - 2)],
                                  [-1000.0, -1001.0] + [-1000.5] * (c - 2)],
                [1, 0]))
    # A probability that lands in float32's subnormal range (exp(-89) ~ 2.2e-39).
    out.append(("subnormal_prob", [[0.0, -89.0] + [-95.0] * (c - 2), [0.0, -100.0] + [-103.0] * (c - 2)],
                [1, 1]))
    out.append(("signed_zero", [[-0.0] * c, row([0.0, -0.0])], [0, 1]))
    return out


def edge_cases():
    cases = []
    for classes in EDGE_CLASS_COUNTS:
        all_rows, all_targets = [], []
        for name, rows, targets in edge_rows(classes):
            logits = torch.tensor(rows, dtype=torch.float32)
            tg = torch.tensor(targets, dtype=torch.int64)
            cases.append(make_case(f"edge_C{classes}_{name}", logits, tg))
            all_rows += rows
            all_targets += targets
        # Everything in one batch: a NaN row must not leak into its neighbours.
        cases.append(make_case(f"edge_C{classes}_all_rows", torch.tensor(all_rows, dtype=torch.float32),
                               torch.tensor(all_targets, dtype=torch.int64)))
    # The two-class rows quoted in the docs, exactly as written.
    cases.append(make_case("edge_C2_overflow_89", torch.tensor([[89.0, 0.0], [0.0, 89.0]], dtype=torch.float32),
                           torch.tensor([1, 1], dtype=torch.int64)))
    cases.append(make_case("edge_C2_underflow_120",
                           torch.tensor([[-120.0, -121.0], [-121.0, -120.0]], dtype=torch.float32),
                           torch.tensor([0, 0], dtype=torch.int64)))
    return cases


def check_case(case):
    rows, classes = case["rows"], case["classes"]
    n = rows * classes
    for key in ("logits", "softmax", "log_softmax"):
        assert len(case[key]) == n, (case["name"], key)
    for key in ("targets", "cross_entropy_none", "argmax"):
        assert len(case[key]) == rows, (case["name"], key)
    assert all(0 <= t < classes for t in case["targets"])
    assert all(0 <= a < classes for a in case["argmax"])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    os.chdir(root)

    torch.set_num_threads(1)
    torch.manual_seed(20240611)
    gen = torch.Generator().manual_seed(1234567)

    cases = random_cases(gen) + edge_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in cases:
        check_case(c)
    assert sorted({c["classes"] for c in cases} & set(CLASS_COUNTS)) == sorted(CLASS_COUNTS)

    doc = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "generated_by": {"script": SCRIPT, "command": COMMAND},
        "float_encoding": "each float is a JSON string: the shortest decimal text that round-trips the "
                          "float32 exactly; non-finite values are \"NaN\", \"Infinity\", \"-Infinity\"",
        "cases": cases,
    }
    # One line per case keeps the file diffable without bloating it.
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=True)},")
    lines.append('  "cases": [')
    for i, c in enumerate(cases):
        sep = "," if i + 1 < len(cases) else ""
        lines.append("    " + json.dumps(c, separators=(",", ":"), ensure_ascii=True) + sep)
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"

    # The written document must be valid JSON and say what we meant.
    parsed = json.loads(text)
    assert parsed["cases"] == cases

    data = text.encode("ascii")
    if len(data) > MAX_BYTES:
        raise SystemExit(f"golden file would be {len(data)} bytes, over the {MAX_BYTES} byte budget")
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(data)} bytes, torch {torch.__version__}")
    for c in cases:
        print(f"  {c['name']}: C={c['classes']} rows={c['rows']}")


if __name__ == "__main__":
    sys.exit(main())
