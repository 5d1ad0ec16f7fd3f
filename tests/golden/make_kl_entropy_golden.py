#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's KlDivergence and Entropy.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_kl_entropy_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_kl_entropy.json. Deterministic (fixed seed, one thread). Floats are
written as make_extras_golden.py writes them (shortest round-trip text, "NaN", "Infinity", "-Infinity").

kl cases: F.kl_div(input, target, reduction, log_target) with input = log_softmax of N(0, 2^2) logits and target
the softmax of other logits (a few targets exactly 0, one of them against an input of -inf, which PyTorch gives NaN),
or its log with log_target=True (with -inf log targets); reductions 'none', 'sum', 'mean', 'batchmean', and the
gradient autograd gives w.r.t. input for 'sum', 'mean' and 'batchmean'. float32 and float64, class counts 1, 3, 10,
100.

entropy cases: torch.distributions.Categorical(logits=x).entropy() and the gradient of its sum w.r.t. x, for
logits N(0, s^2) with s from 0.1 to 30, rows with -inf entries, and rows near one-hot; class counts 1, 2, 3, 10, 17,
100, 1000.
"""

import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
import warnings

# F.kl_div warns that reduction="mean" divides by the element count; that is the behaviour recorded here.
warnings.filterwarnings("ignore", message="reduction: .mean.")

OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_kl_entropy.json")
MAX_BYTES = 1024 * 1024
INF = float("inf")

_spec = importlib.util.spec_from_file_location("make_extras_golden", os.path.join(os.path.dirname(__file__), "make_extras_golden.py"))
_extras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_extras)
values = _extras.values
dtype_name = _extras.dtype_name


def kl_case(name, inp, target, log_target):
    case = {
        "name": f"{name}_{dtype_name(inp.dtype)}",
        "dtype": dtype_name(inp.dtype),
        "rows": inp.shape[0],
        "classes": inp.shape[1],
        "logTarget": log_target,
        "input": values(inp),
        "target": values(target),
        "none": values(F.kl_div(inp, target, reduction="none", log_target=log_target)),
    }
    for reduction in ("sum", "mean", "batchmean"):
        x = inp.clone().requires_grad_(True)
        loss = F.kl_div(x, target, reduction=reduction, log_target=log_target)
        loss.backward()
        case[reduction] = values(loss.detach().reshape(1))[0]
        case[f"{reduction}Gradient"] = values(x.grad)
    return case


def entropy_case(name, x):
    logits = x.clone().requires_grad_(True)
    entropy = torch.distributions.Categorical(logits=logits, validate_args=False).entropy()
    entropy.sum().backward()
    return {
        "name": f"{name}_{dtype_name(x.dtype)}",
        "dtype": dtype_name(x.dtype),
        "rows": x.shape[0],
        "classes": x.shape[1],
        "logits": values(x),
        "entropy": values(entropy.detach()),
        "gradient": values(logits.grad),
    }


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261205)
    kl, entropy = [], []
    for dtype in (torch.float32, torch.float64):
        for classes in (1, 3, 10, 100):
            rows = 6 if classes < 100 else 3
            raw = torch.randn(rows, classes, generator=gen, dtype=torch.float64) * 2
            inp = F.log_softmax(raw, dim=1)
            target = F.softmax(torch.randn(rows, classes, generator=gen, dtype=torch.float64) * 2, dim=1)
            if classes > 1:
                target[0, 0] = 0.0
                target[1, classes - 1] = 0.0
                inp[2, 0] = -INF
                target[2, 0] = 0.0
            kl.append(kl_case(f"prob_c{classes}", inp.to(dtype), target.to(dtype), False))
            log_target = torch.log(target)
            if classes > 1:
                log_target[rows - 1, 1] = -INF
                inp[2, 0] = -30.0
            kl.append(kl_case(f"log_c{classes}", inp.to(dtype), log_target.to(dtype), True))
        for classes in (1, 2, 3, 10, 17, 100, 1000):
            rows = 8 if classes < 1000 else 3
            scales = torch.tensor([0.1, 0.5, 1, 2, 5, 10, 20, 30][:rows], dtype=torch.float64).reshape(rows, 1)
            x = torch.randn(rows, classes, generator=gen, dtype=torch.float64) * scales
            if classes > 2:
                x[0, 1] = -INF
                x[1, :classes // 2] = -INF
            entropy.append(entropy_case(f"n_c{classes}", x.to(dtype)))
    document = {"generator": "tests/golden/make_kl_entropy_golden.py", "torch": torch.__version__, "numpy": np.__version__, "kl": kl, "entropy": entropy}
    text = json.dumps(document, separators=(",", ":"))
    assert len(text) <= MAX_BYTES, len(text)
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(kl)} kl and {len(entropy)} entropy cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
