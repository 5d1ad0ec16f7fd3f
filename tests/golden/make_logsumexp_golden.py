#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's LogSumExp.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_logsumexp_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_logsumexp.json. Deterministic (fixed seed, one thread). Floats are
written as make_extras_golden.py writes them (shortest round-trip text, "NaN", "Infinity", "-Infinity").

Each case is torch.logsumexp(x, dim=1) of a [rows, C] batch, float32 and float64: class counts 1 to 1000 (19 rows: a
block of 16 and three rows after it), logits N(0, 1), N(0, 30^2) and U[-1e4, 1e4], and for C = 3, 10 and 100 a batch of
special rows: NaN, +inf, all -inf (PyTorch gives -inf), -inf among finite values, +inf with -inf, +-1e30,
+-float max, [89, 0, ...] (a naive sum of exponentials overflows in float), [-120, -121, ...] (it underflows),
all-equal rows (log C + x) and signed zeros.
"""

import importlib.util
import json
import os

import numpy as np
import torch

OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_logsumexp.json")
MAX_BYTES = 1024 * 1024
INF = float("inf")
NAN = float("nan")

_spec = importlib.util.spec_from_file_location("make_extras_golden", os.path.join(os.path.dirname(__file__), "make_extras_golden.py"))
_extras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_extras)
values = _extras.values
dtype_name = _extras.dtype_name


def case(name, x):
    return {
        "name": f"{name}_{dtype_name(x.dtype)}",
        "dtype": dtype_name(x.dtype),
        "rows": x.shape[0],
        "classes": x.shape[1],
        "logits": values(x),
        "logsumexp": values(torch.logsumexp(x, dim=1)),
    }


def special_rows(classes, dtype):
    big = float(torch.finfo(dtype).max)
    rows = []

    def row(first, rest=0.0):
        r = [rest] * classes
        r[0] = first
        return r

    rows.append(row(NAN, 1.0))
    rows.append(row(INF, 1.0))
    rows.append([-INF] * classes)
    rows.append(row(2.5, -INF))
    rows.append(row(INF, -INF))
    rows.append(row(1e30, -1e30))
    rows.append(row(big, big) if classes > 1 else [big])
    rows.append(row(-big, -big))
    rows.append(row(89.0, 0.0))
    rows.append([-120.0 - i for i in range(classes)])
    rows.append([7.25] * classes)
    rows.append(row(-0.0, 0.0))
    return torch.tensor(rows, dtype=dtype)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261204)
    cases = []
    for dtype in (torch.float32, torch.float64):
        for classes in (1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000):
            rows = 19 if classes <= 64 else (5 if classes == 100 else 2)
            for label, scale in (("n1", 1.0), ("n30", 30.0)):
                x = (torch.randn(rows, classes, generator=gen, dtype=torch.float64) * scale).to(dtype)
                cases.append(case(f"{label}_c{classes}", x))
            if classes in (3, 10, 100):
                x = ((torch.rand(rows, classes, generator=gen, dtype=torch.float64) * 2 - 1) * 1e4).to(dtype)
                cases.append(case(f"u1e4_c{classes}", x))
                cases.append(case(f"special_c{classes}", special_rows(classes, dtype)))
    document = {"generator": "tests/golden/make_logsumexp_golden.py", "torch": torch.__version__, "numpy": np.__version__, "cases": cases}
    text = json.dumps(document, separators=(",", ":"))
    assert len(text) <= MAX_BYTES, len(text)
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
