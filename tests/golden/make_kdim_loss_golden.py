#!/usr/bin/python3
"""Generate the PyTorch golden data for the K-dimensional cross-entropy and NLL.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_kdim_loss_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_kdim_losses.json, read by KDimLossGoldenTests.cs.
Deterministic (fixed seed, one thread).

Logits of shape [N, C, d1..dk] with the classes on axis 1 and targets [N, d1..dk], as F.cross_entropy
and F.nll_loss take them: [5, 3] (k = 0), [2, 3, 4] (k = 1) and [2, 5, 3, 2] (k = 2), float32 and
float64, and float16 inputs (logits, probabilities and log-probabilities rounded to fp16) computed in float32, as the
Half overloads compute them. Each shape has F.cross_entropy with class targets (no option, class weights, ignore_index -100
on some positions, an in-range ignore_index, label_smoothing 0.1, all together, and every position
ignored), with probability targets (label_smoothing 0 and 0.1), and F.nll_loss (no option and all
options). The cases have make_loss_golden.py's format (reduction 'none', 'mean', 'sum' and autograd's
gradient for 'mean' and 'sum'; F.nll_loss also 'none'), every tensor flattened in row-major order, plus
"shape", the logits' shape. The class counts differ
from the positions per plane so that a transposed layout cannot pass by accident.
"""

import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

COMMAND = "/usr/bin/python3 tests/golden/make_kdim_loss_golden.py"
OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_kdim_losses.json")
MAX_BYTES = 512 * 1024
SHAPES = [(5, 3), (2, 3, 4), (2, 5, 3, 2)]
IGNORE = -100

_spec = importlib.util.spec_from_file_location("make_loss_golden", os.path.join(os.path.dirname(__file__), "make_loss_golden.py"))
_losses = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_losses)


values = _losses.values
scalar = _losses.scalar
dtype_name = _losses.dtype_name


def reductions(case, loss_of, logits, dtype):
    """'none', 'mean', 'sum' and the gradient of 'mean' and 'sum' with respect to the logits."""
    case["none"] = values(loss_of(logits, "none"), dtype)
    for reduction in ("mean", "sum"):
        x = logits.clone().requires_grad_(True)
        loss = loss_of(x, reduction)
        loss.backward()
        case[reduction] = scalar(loss, dtype)
        case["grad_" + reduction] = values(x.grad, dtype)
    return case


def class_target_case(name, logits, targets, weight=None, ignore_index=IGNORE, label_smoothing=0.0):
    dtype = logits.dtype
    case = {
        "name": name, "op": "cross_entropy", "dtype": dtype_name(dtype), "shape": list(logits.shape), "classes": logits.shape[1],
        "logits": values(logits, dtype), "targets": [int(v) for v in targets.reshape(-1)],
        "weights": None if weight is None else values(weight, dtype),
        "ignore_index": ignore_index, "label_smoothing": label_smoothing,
    }
    return reductions(case, lambda x, r: F.cross_entropy(x, targets, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing, reduction=r), logits, dtype)


def probability_case(name, logits, probabilities, label_smoothing=0.0):
    dtype = logits.dtype
    case = {
        "name": name, "op": "prob_cross_entropy", "dtype": dtype_name(dtype), "shape": list(logits.shape), "classes": logits.shape[1],
        "logits": values(logits, dtype), "target_probabilities": values(probabilities, dtype), "label_smoothing": label_smoothing,
    }
    return reductions(case, lambda x, r: F.cross_entropy(x, probabilities, label_smoothing=label_smoothing, reduction=r), logits, dtype)


def nll_case(name, log_probabilities, targets, weight=None, ignore_index=IGNORE):
    dtype = log_probabilities.dtype
    case = {
        "name": name, "op": "nll", "dtype": dtype_name(dtype), "shape": list(log_probabilities.shape), "classes": log_probabilities.shape[1],
        "log_probabilities": values(log_probabilities, dtype), "targets": [int(v) for v in targets.reshape(-1)],
        "weights": None if weight is None else values(weight, dtype), "ignore_index": ignore_index,
    }
    for reduction in ("none", "mean", "sum"):
        loss = F.nll_loss(log_probabilities, targets, weight=weight, ignore_index=ignore_index, reduction=reduction)
        case[reduction] = values(loss, dtype) if reduction == "none" else scalar(loss, dtype)
    return case


def cases_for(shape, dtype, gen, half_inputs=False):
    classes = shape[1]
    target_shape = (shape[0],) + tuple(shape[2:])
    suffix = "x".join(str(d) for d in shape) + "_" + ("float16" if half_inputs else dtype_name(dtype))
    logits = (torch.randn(shape, generator=gen, dtype=torch.float64) * 3).to(dtype)
    if half_inputs:
        # fp16 inputs computed in float32, as SoftmaxGen's Half overloads compute them.
        logits = logits.half().float()
    targets = torch.randint(0, classes, target_shape, generator=gen)
    # Some positions ignored: the first, one in the middle and the last.
    flat = targets.reshape(-1).clone()
    for p in {0, flat.numel() // 2, flat.numel() - 1}:
        flat[p] = IGNORE
    ignored = flat.reshape(target_shape)
    all_ignored = torch.full(target_shape, IGNORE, dtype=torch.long)
    weights = (torch.rand(classes, generator=gen, dtype=torch.float64) * 2 + 0.25).to(dtype)
    out = [
        class_target_case(f"ce_plain_{suffix}", logits, targets),
        class_target_case(f"ce_weights_{suffix}", logits, targets, weight=weights),
        class_target_case(f"ce_ignore_{suffix}", logits, ignored),
        class_target_case(f"ce_ignore_in_range_{suffix}", logits, targets, ignore_index=1),
        class_target_case(f"ce_smoothing0.1_{suffix}", logits, targets, label_smoothing=0.1),
        class_target_case(f"ce_all_{suffix}", logits, ignored, weight=weights, label_smoothing=0.1),
        class_target_case(f"ce_all_ignored_{suffix}", logits, all_ignored, weight=weights, label_smoothing=0.1),
    ]
    probabilities = torch.softmax(torch.randn(shape, generator=gen, dtype=torch.float64) * 2, dim=1).to(dtype)
    if half_inputs:
        probabilities = probabilities.half().float()
    for smoothing in (0.0, 0.1):
        out.append(probability_case(f"prob_smoothing{smoothing}_{suffix}", logits, probabilities, label_smoothing=smoothing))
    log_probabilities = F.log_softmax(logits, dim=1)
    if half_inputs:
        log_probabilities = log_probabilities.half().float()
    out.append(nll_case(f"nll_plain_{suffix}", log_probabilities, targets))
    out.append(nll_case(f"nll_all_{suffix}", log_probabilities, ignored, weight=weights))
    if half_inputs:
        for case in out:
            case["dtype"] = "float16"
    return out


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261205)
    cases = []
    for dtype in (torch.float32, torch.float64):
        for shape in SHAPES:
            cases.extend(cases_for(shape, dtype, gen))
    for shape in SHAPES:
        cases.extend(cases_for(shape, torch.float32, gen, half_inputs=True))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    document = {"generator": COMMAND, "torch": torch.__version__, "numpy": np.__version__, "cases": cases}
    text = json.dumps(document, separators=(",", ":"))
    if len(text) > MAX_BYTES:
        raise SystemExit(f"{OUTPUT} would be {len(text)} bytes, above {MAX_BYTES}")
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
