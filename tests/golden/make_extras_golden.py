#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's middle-axis softmax, sigmoid, binary cross-entropy and top-k.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_extras_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_extras.json. Deterministic (fixed seeds, one thread): rerunning it with
the same PyTorch build reproduces the file byte for byte.

Floats are JSON strings: for float32 data the shortest decimal text that round-trips the float32
(numpy's format_float_scientific(unique=True)); for float64 data Python's repr. "NaN", "Infinity" and "-Infinity"
for non-finite values. The script parses every written value back and checks it is bit-identical before writing.

Sections:
- softmax_axis: F.softmax(x, dim=1) and F.log_softmax(x, dim=1) on [N, C, H, W] tensors (float32 and float64),
  N(0, 25) values, several shapes (inner size 1, sizes that do not fill a vector, large C), and one case with
  extreme values (NaN, +-inf, +-1e30, +-3e38, 89, -120) at chosen positions.
- sigmoid: torch.sigmoid over values from -1e30 to 1e30, both dtypes.
- bce: F.binary_cross_entropy (nn.BCELoss) with reduction none, mean and sum, including probabilities 0 and 1
  (where PyTorch clamps the log at -100) and soft targets.
- bce_logits: F.binary_cross_entropy_with_logits with a scalar pos_weight (1, 3.5, 0.25), reduction none, mean, sum,
  logits up to +-1e4.
- topk: torch.topk(F.softmax(x, dim=1), k, dim=1) with distinct logits (torch.topk promises no order for ties),
  k from 1 to C.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_extras.json")
MAX_BYTES = 1024 * 1024


def fmt(value, dtype):
    if np.isnan(value):
        return "NaN"
    if np.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if dtype == torch.float32:
        return np.format_float_scientific(np.float32(value), unique=True, trim="-")
    return repr(float(value))


def parse(text, dtype):
    if text == "NaN":
        v = float("nan")
    elif text == "Infinity":
        v = float("inf")
    elif text == "-Infinity":
        v = float("-inf")
    else:
        v = float(text)
    return np.float32(v) if dtype == torch.float32 else np.float64(v)


def values(tensor):
    dtype = tensor.dtype
    flat = tensor.detach().reshape(-1).numpy()
    out = [fmt(v, dtype) for v in flat]
    # Round trip: the parsed text must be the same bits (NaN stays NaN).
    for text, v in zip(out, flat):
        back = parse(text, dtype)
        if np.isnan(v):
            assert np.isnan(back), text
        else:
            assert back.tobytes() == v.tobytes(), (text, v)
    return out


def dtype_name(dtype):
    return "float32" if dtype == torch.float32 else "float64"


def softmax_axis_cases():
    cases = []
    shapes = [
        ("n2_c3_4x5", (2, 3, 4, 5)),
        ("n1_c21_7x7", (1, 21, 7, 7)),
        ("n3_c10_1x1", (3, 10, 1, 1)),
        ("n2_c4_3x3", (2, 4, 3, 3)),
        ("n1_c2_16x17", (1, 2, 16, 17)),
        ("n2_c1_5x3", (2, 1, 5, 3)),
        ("n1_c100_2x3", (1, 100, 2, 3)),
    ]
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(1234)
        for name, shape in shapes:
            x = (torch.randn(shape, generator=gen, dtype=torch.float64) * 5).to(dtype)
            cases.append(axis_case(f"{name}_{dtype_name(dtype)}", x))

        # Extreme values at chosen positions of a [2, 5, 4, 5] tensor (inner 20: a whole vector plus a tail).
        x = (torch.randn((2, 5, 4, 5), generator=gen, dtype=torch.float64) * 5).to(dtype)
        big = 3e38 if dtype == torch.float32 else 1.7e308
        x[0, 2, 0, 0] = float("nan")
        x[0, 0, 0, 1] = float("inf")
        x[0, :, 0, 2] = float("-inf")
        x[0, 1, 0, 3] = float("-inf")
        x[0, :, 1, 0] = torch.tensor([1e30, -1e30, 0.0, 1e30, 5.0], dtype=dtype)
        x[0, :, 1, 1] = torch.tensor([big, -big, big, 0.0, -1.0], dtype=dtype)
        x[0, :, 1, 2] = torch.tensor([89.0, 0.0, 0.0, 1.0, 2.0], dtype=dtype)
        x[0, :, 1, 3] = torch.tensor([-120.0, -121.0, -122.0, -130.0, -200.0], dtype=dtype)
        x[1, :, 2, 4] = 7.0
        x[1, :, 3, 0] = torch.tensor([0.0, -0.0, 0.0, -0.0, 0.0], dtype=dtype)
        cases.append(axis_case(f"extreme_n2_c5_4x5_{dtype_name(dtype)}", x))
    return cases


def axis_case(name, x):
    return {
        "name": name,
        "dtype": dtype_name(x.dtype),
        "shape": list(x.shape),
        "input": values(x),
        "softmax": values(F.softmax(x, dim=1)),
        "log_softmax": values(F.log_softmax(x, dim=1)),
    }


def sigmoid_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(99)
        fixed = [0.0, -0.0, 1.0, -1.0, 1e-8, -1e-8, 0.5, -0.5, 5.0, -5.0, 15.0, -15.0, 20.0, -20.0, 30.0, -30.0,
                 40.0, -40.0, 80.0, -80.0, 88.0, -88.0, 89.0, -89.0, 100.0, -100.0, 103.0, -103.0, 104.0, -104.0,
                 200.0, -200.0, 700.0, -700.0, 745.0, -745.0, 800.0, -800.0, 1e30, -1e30,
                 float("inf"), float("-inf"), float("nan")]
        random = (torch.randn(200, generator=gen, dtype=torch.float64) * 10).tolist()
        x = torch.tensor(fixed + random, dtype=dtype)
        cases.append({"name": f"sigmoid_{dtype_name(dtype)}", "dtype": dtype_name(dtype),
                      "input": values(x), "output": values(torch.sigmoid(x))})
    return cases


def bce_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(7)
        n = 64
        p = torch.rand(n, generator=gen, dtype=torch.float64)
        t = (torch.rand(n, generator=gen, dtype=torch.float64) > 0.5).to(torch.float64)
        p[:8] = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 1e-7, 1e-45, 0.5], dtype=torch.float64)
        t[:8] = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0], dtype=torch.float64)
        cases.append(bce_case(f"hard_{dtype_name(dtype)}", p.to(dtype), t.to(dtype)))
        soft = torch.rand(n, generator=gen, dtype=torch.float64)
        cases.append(bce_case(f"soft_{dtype_name(dtype)}", p.to(dtype), soft.to(dtype)))
    return cases


def bce_case(name, p, t):
    return {
        "name": name, "dtype": dtype_name(p.dtype),
        "probabilities": values(p), "targets": values(t),
        "none": values(F.binary_cross_entropy(p, t, reduction="none")),
        "mean": values(F.binary_cross_entropy(p, t, reduction="mean").reshape(1))[0],
        "sum": values(F.binary_cross_entropy(p, t, reduction="sum").reshape(1))[0],
    }


def bce_logits_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(11)
        n = 64
        x = torch.randn(n, generator=gen, dtype=torch.float64) * 6
        x[:10] = torch.tensor([0.0, 100.0, -100.0, 1e4, -1e4, 30.0, -30.0, 50.0, -50.0, 1e-6], dtype=torch.float64)
        hard = (torch.rand(n, generator=gen, dtype=torch.float64) > 0.5).to(torch.float64)
        soft = torch.rand(n, generator=gen, dtype=torch.float64)
        for w in (1.0, 3.5, 0.25):
            for kind, t in (("hard", hard), ("soft", soft)):
                xs, ts = x.to(dtype), t.to(dtype)
                pw = torch.tensor(w, dtype=dtype)
                case = {
                    "name": f"{kind}_w{w}_{dtype_name(dtype)}", "dtype": dtype_name(dtype), "pos_weight": fmt(w, dtype),
                    "logits": values(xs), "targets": values(ts),
                }
                for reduction in ("none", "mean", "sum"):
                    r = F.binary_cross_entropy_with_logits(xs, ts, pos_weight=pw, reduction=reduction)
                    case[reduction] = values(r) if reduction == "none" else values(r.reshape(1))[0]
                cases.append(case)
    return cases


def topk_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(5)
        for classes, ks, scale in ((1, (1,), 5), (3, (1, 2, 3), 5), (10, (1, 3, 10), 5), (17, (5,), 30),
                                  (100, (1, 5, 20, 100), 5), (1000, (10,), 5)):
            rows = 8 if classes < 1000 else 3
            while True:
                x = (torch.randn((rows, classes), generator=gen, dtype=torch.float64) * scale).to(dtype)
                # Distinct logits per row, so the order is defined.
                if all(len(set(r.tolist())) == classes for r in x):
                    break
            for k in ks:
                probs = F.softmax(x, dim=1)
                v, i = torch.topk(probs, k, dim=1)
                # Distinct logits can round to equal probabilities; keep only cases where the ranking is unambiguous.
                assert torch.equal(i, torch.topk(x, k, dim=1).indices), (classes, k)
                cases.append({"name": f"C{classes}_k{k}_{dtype_name(dtype)}", "dtype": dtype_name(dtype),
                              "classes": classes, "k": k, "logits": values(x),
                              "indices": i.reshape(-1).tolist(), "probabilities": values(v)})
    return cases


def main():
    torch.set_num_threads(1)
    data = {
        "generator": "tests/golden/make_extras_golden.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "softmax_axis": softmax_axis_cases(),
        "sigmoid": sigmoid_cases(),
        "bce": bce_cases(),
        "bce_logits": bce_logits_cases(),
        "topk": topk_cases(),
    }
    text = json.dumps(data, indent=None, separators=(",", ":"))
    assert len(text) < MAX_BYTES, len(text)
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(text)} bytes")


if __name__ == "__main__":
    main()
