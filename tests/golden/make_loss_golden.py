#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's loss family.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_loss_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_losses.json, read by LossGoldenTests.cs.
Deterministic (fixed seeds, one thread).

Every case is one operation on one batch, in float32 or float64, with PyTorch 1.13's
results: F.cross_entropy with class targets (weight, ignore_index, label_smoothing;
reduction 'none', 'mean', 'sum') and the gradient autograd gives for 'mean' and 'sum';
F.cross_entropy with probability targets (label_smoothing) and its gradients; F.nll_loss
(weight, ignore_index); the backward of F.softmax and F.log_softmax for a given output
gradient. Keras' categorical_crossentropy and sparse_categorical_crossentropy from
probabilities (from_logits=False) are computed here with NumPy in the case's precision,
following Keras' formula: divide each row by its sum, clip to [epsilon, 1 - epsilon],
then -sum(target * log(p)).

float32 values are written as the shortest text that round-trips the float32 (checked
exactly, with make_golden.py's formatter); float64 values as Python's repr, which
round-trips the double. Non-finite values are "NaN", "Infinity", "-Infinity".
"""

import importlib.util
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

COMMAND = "/usr/bin/python3 tests/golden/make_loss_golden.py"
OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_losses.json")
MAX_BYTES = 1536 * 1024
CLASS_COUNTS = [1, 2, 3, 10, 17, 100]
INF = float("inf")

_spec = importlib.util.spec_from_file_location("make_golden", os.path.join(os.path.dirname(__file__), "make_golden.py"))
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


def fmt64(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    s = repr(v)
    assert float(s) == v
    return s


def values(t, dtype):
    a = t.detach().reshape(-1).numpy() if isinstance(t, torch.Tensor) else np.asarray(t).reshape(-1)
    if dtype == torch.float32:
        return [_golden.fmt(np.float32(v)) for v in a]
    return [fmt64(v) for v in a]


def scalar(t, dtype):
    return values(torch.as_tensor(t, dtype=dtype).reshape(1), dtype)[0]


def dtype_name(dtype):
    return "float32" if dtype == torch.float32 else "float64"


# --------------------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------------------

def class_target_case(name, logits, targets, weight=None, ignore_index=-100, label_smoothing=0.0):
    dtype = logits.dtype
    classes = logits.shape[1]
    w = None if weight is None else torch.as_tensor(weight, dtype=dtype)
    t = torch.as_tensor(targets, dtype=torch.long)
    kwargs = dict(weight=w, ignore_index=ignore_index, label_smoothing=label_smoothing)
    case = {
        "name": name, "op": "cross_entropy", "dtype": dtype_name(dtype), "classes": classes,
        "logits": values(logits, dtype), "targets": [int(v) for v in targets],
        "weights": None if w is None else values(w, dtype),
        "ignore_index": ignore_index, "label_smoothing": label_smoothing,
        "none": values(F.cross_entropy(logits, t, reduction="none", **kwargs), dtype),
    }
    for reduction in ("mean", "sum"):
        x = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(x, t, reduction=reduction, **kwargs)
        loss.backward()
        case[reduction] = scalar(loss, dtype)
        case["grad_" + reduction] = values(x.grad, dtype)
    return case


def probability_case(name, logits, probabilities, label_smoothing=0.0):
    dtype = logits.dtype
    case = {
        "name": name, "op": "prob_cross_entropy", "dtype": dtype_name(dtype), "classes": logits.shape[1],
        "logits": values(logits, dtype), "target_probabilities": values(probabilities, dtype),
        "label_smoothing": label_smoothing,
        "none": values(F.cross_entropy(logits, probabilities, reduction="none", label_smoothing=label_smoothing), dtype),
    }
    for reduction in ("mean", "sum"):
        x = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(x, probabilities, reduction=reduction, label_smoothing=label_smoothing)
        loss.backward()
        case[reduction] = scalar(loss, dtype)
        case["grad_" + reduction] = values(x.grad, dtype)
    return case


def nll_case(name, log_probabilities, targets, weight=None, ignore_index=-100):
    dtype = log_probabilities.dtype
    w = None if weight is None else torch.as_tensor(weight, dtype=dtype)
    t = torch.as_tensor(targets, dtype=torch.long)
    return {
        "name": name, "op": "nll", "dtype": dtype_name(dtype), "classes": log_probabilities.shape[1],
        "log_probabilities": values(log_probabilities, dtype), "targets": [int(v) for v in targets],
        "weights": None if w is None else values(w, dtype), "ignore_index": ignore_index,
        "mean": scalar(F.nll_loss(log_probabilities, t, weight=w, ignore_index=ignore_index, reduction="mean"), dtype),
        "sum": scalar(F.nll_loss(log_probabilities, t, weight=w, ignore_index=ignore_index, reduction="sum"), dtype),
    }


def keras_case(name, probabilities, targets, epsilon, sparse):
    """Keras' formula in the case's precision (NumPy): p / sum(p), clip to [eps, 1 - eps], -sum(t log p)."""
    dtype = probabilities.dtype
    np_type = np.float32 if dtype == torch.float32 else np.float64
    p = probabilities.numpy().astype(np_type)
    classes = p.shape[1]
    eps = np_type(epsilon)
    q = p / np.sum(p, axis=1, keepdims=True)
    q = np.clip(q, eps, np_type(1) - eps)
    if sparse:
        onehot = np.zeros_like(q)
        onehot[np.arange(len(targets)), targets] = 1
        t = onehot
    else:
        t = targets.numpy().astype(np_type)
    per_row = -np.sum(t * np.log(q), axis=1)
    case = {
        "name": name, "op": "keras_sparse" if sparse else "keras", "dtype": dtype_name(dtype), "classes": classes,
        "probabilities": values(torch.from_numpy(p), dtype), "epsilon": epsilon,
        "mean": values(torch.from_numpy(np.array([np.mean(per_row)], dtype=np_type)), dtype)[0],
        "sum": values(torch.from_numpy(np.array([np.sum(per_row)], dtype=np_type)), dtype)[0],
    }
    if sparse:
        case["targets"] = [int(v) for v in targets]
    else:
        case["target_probabilities"] = values(targets, dtype)
    return case


def backward_case(name, logits, output_gradient, log):
    dtype = logits.dtype
    x = logits.clone().requires_grad_(True)
    y = F.log_softmax(x, dim=1) if log else F.softmax(x, dim=1)
    y.backward(output_gradient)
    return {
        "name": name, "op": "log_softmax_backward" if log else "softmax_backward", "dtype": dtype_name(dtype),
        "classes": logits.shape[1], "outputs": values(y, dtype), "output_gradient": values(output_gradient, dtype),
        "input_gradient": values(x.grad, dtype),
    }


def weights_for(classes, gen, dtype):
    w = torch.rand(classes, generator=gen, dtype=torch.float64) * 2 + 0.25
    if classes >= 3:
        w[1] = 0.0  # a zero weight
    return w.to(dtype)


def cases_for(classes, dtype, gen):
    rows = 8 if classes <= 17 else 4
    suffix = f"C{classes}_{dtype_name(dtype)}"
    logits = (torch.randn(rows, classes, generator=gen, dtype=torch.float64) * 3).to(dtype)
    targets = torch.randint(0, classes, (rows,), generator=gen).tolist()
    targets[0] = 0
    ignored = list(targets)
    ignored[1] = -100
    ignored[rows - 1] = -100
    w = weights_for(classes, gen, dtype)
    out = [
        class_target_case(f"ce_plain_{suffix}", logits, targets),
        class_target_case(f"ce_weights_{suffix}", logits, targets, weight=w),
        class_target_case(f"ce_ignore_{suffix}", logits, ignored),
        class_target_case(f"ce_smoothing0.1_{suffix}", logits, targets, label_smoothing=0.1),
        class_target_case(f"ce_smoothing1_{suffix}", logits, targets, label_smoothing=1.0),
        class_target_case(f"ce_all_{suffix}", logits, ignored, weight=w, label_smoothing=0.1),
    ]
    if classes >= 2:
        # An ignore index inside the class range: rows of class 0 are ignored.
        out.append(class_target_case(f"ce_ignore_class0_{suffix}", logits, targets, weight=w, ignore_index=0, label_smoothing=0.2))

    raw = torch.rand(rows, classes, generator=gen, dtype=torch.float64)
    probabilities = (raw / raw.sum(dim=1, keepdim=True)).to(dtype)
    for smoothing in (0.0, 0.1, 1.0):
        out.append(probability_case(f"prob_smoothing{smoothing}_{suffix}", logits, probabilities, label_smoothing=smoothing))

    log_probabilities = F.log_softmax(logits, dim=1)
    out.append(nll_case(f"nll_plain_{suffix}", log_probabilities, targets))
    out.append(nll_case(f"nll_all_{suffix}", log_probabilities, ignored, weight=w))

    predicted = F.softmax(logits, dim=1)
    if classes >= 2:
        predicted[2] = predicted[2] * 1.7  # a row that does not sum to 1: Keras divides by the sum
        predicted[3, 0] = 0.0              # a zero probability: Keras clips it to epsilon
    for epsilon in (1e-7, 1e-3):
        out.append(keras_case(f"keras_eps{epsilon}_{suffix}", predicted, probabilities, epsilon, sparse=False))
        out.append(keras_case(f"keras_sparse_eps{epsilon}_{suffix}", predicted, targets, epsilon, sparse=True))

    output_gradient = torch.randn(rows, classes, generator=gen, dtype=torch.float64).to(dtype)
    out.append(backward_case(f"softmax_backward_{suffix}", logits, output_gradient, log=False))
    out.append(backward_case(f"log_softmax_backward_{suffix}", logits, output_gradient, log=True))
    return out


def edge_cases(dtype, gen):
    out = []
    for classes in (3, 10):
        suffix = f"C{classes}_{dtype_name(dtype)}"
        rows = 6
        logits = torch.randn(rows, classes, generator=gen, dtype=torch.float64)
        logits[0] = logits[0] * 1e4            # extreme magnitudes
        logits[1, 0] = 1e4
        logits[1, 1] = -1e4
        logits[2, 1] = -INF                    # -inf among finite values, not the target
        logits[3, :] = logits[3, :] - 1e4      # a large common offset
        logits[4, 2] = -INF
        logits = logits.to(dtype)
        targets = [0, 0, 1, 0, 2, 0]  # rows 2 and 4: the target logit is -inf
        targets_no_neginf = [0, 0, 0, 1, 0, 1]
        w = weights_for(classes, gen, dtype)
        out.append(class_target_case(f"edge_extreme_{suffix}", logits, targets_no_neginf))
        out.append(class_target_case(f"edge_extreme_weights_{suffix}", logits, targets_no_neginf, weight=w))
        # The target on a -inf logit: loss +inf, gradient finite.
        out.append(class_target_case(f"edge_neginf_target_{suffix}", logits, targets))
        # Smoothing with a -inf logit: the smoothing term is +inf.
        out.append(class_target_case(f"edge_neginf_smoothing_{suffix}", logits, targets_no_neginf, label_smoothing=0.1))
        # All rows ignored: mean NaN, sum 0, gradient 0.
        out.append(class_target_case(f"edge_all_ignored_{suffix}", logits, [-100] * rows))
        out.append(class_target_case(f"edge_all_ignored_smoothing_{suffix}", logits, [-100] * rows, weight=w, label_smoothing=0.3))
        # The counted rows weigh 0 in total: mean NaN, gradient NaN (PyTorch).
        zero = torch.zeros(classes, dtype=dtype)
        out.append(class_target_case(f"edge_zero_weights_{suffix}", logits, targets_no_neginf, weight=zero))
        # Smoothing 0 and 1 with weights.
        out.append(class_target_case(f"edge_smoothing0_weights_{suffix}", logits, targets_no_neginf, weight=w, label_smoothing=0.0))
        out.append(class_target_case(f"edge_smoothing1_weights_{suffix}", logits, targets_no_neginf, weight=w, label_smoothing=1.0))
        # Probability targets on extreme logits (targets positive where the logit is -inf is +inf; zero there is NaN).
        raw = torch.rand(rows, classes, generator=gen, dtype=torch.float64)
        p = (raw / raw.sum(dim=1, keepdim=True)).to(dtype)
        finite = logits.clone()
        finite[torch.isinf(finite)] = -50.0
        out.append(probability_case(f"edge_prob_extreme_{suffix}", finite, p, label_smoothing=0.1))
        out.append(probability_case(f"edge_prob_neginf_{suffix}", logits, p))
        # NLL with -inf log-probabilities and an all-ignored batch.
        out.append(nll_case(f"edge_nll_neginf_{suffix}", F.log_softmax(logits, dim=1), targets, weight=w))
        out.append(nll_case(f"edge_nll_all_ignored_{suffix}", F.log_softmax(logits, dim=1), [-100] * rows))
        # Backward passes through -inf logits (probability 0, log-probability -inf... its gradient).
        g = torch.randn(rows, classes, generator=gen, dtype=torch.float64).to(dtype)
        out.append(backward_case(f"edge_softmax_backward_{suffix}", finite, g, log=False))
        out.append(backward_case(f"edge_log_softmax_backward_{suffix}", finite, g, log=True))
    return out


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261122)
    cases = []
    for dtype in (torch.float32, torch.float64):
        for classes in CLASS_COUNTS:
            cases.extend(cases_for(classes, dtype, gen))
        cases.extend(edge_cases(dtype, gen))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    document = {
        "generator": COMMAND,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    text = json.dumps(document, separators=(",", ":"))
    if len(text) > MAX_BYTES:
        raise SystemExit(f"{OUTPUT} would be {len(text)} bytes, above {MAX_BYTES}")
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
