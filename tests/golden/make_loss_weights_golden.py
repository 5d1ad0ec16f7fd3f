#!/usr/bin/python3
"""Generate the PyTorch golden data for class weights that are NaN, infinite, zero or negative.

Run from the repository root:

    /usr/bin/python3 tests/golden/make_loss_weights_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_loss_weights.json, read by LossWeightGoldenTests.cs.
Deterministic (fixed seed, one thread). The cases have the format of make_loss_golden.py's (its
class_target_case and nll_case build them) except that a case's logits (cross-entropy) or
log-probabilities (NLL) are held once per batch, under "batches", and the case names its batch.

PyTorch 1.13 forms the smoothing term of F.cross_entropy only when label_smoothing > 0, and then
from every class weight; without smoothing a weight enters only through the rows that target its
class (the loss, the mean's denominator sum(w[target]) and the gradient). Each batch has one special
class k = C - 1 whose weight is NaN, +inf, -inf, 0 or negative, either targeted by no row or by some
rows (with 39 rows: in whole blocks of 4, 8 and 16 rows and in the rows after them), with label_smoothing 0 and 0.1 and two
ignored rows; plus targeted weights summing to exactly 0 (the mean divides by 0), all weights
negative (a negative denominator), and +inf and -inf together on untargeted classes. Each case has
reduction 'none', 'mean' and 'sum' and autograd's gradient for 'mean' and 'sum'; F.nll_loss takes
the same weights. Class counts 3 (39 rows: SoftmaxGen takes rows this short lane-wise in blocks of
4, 8 or 16 rows, and the rows after the last whole block one by one), 17 (6 rows) and 100 (4 rows),
float32 and float64. The case named
"reproducer_nan_weight_untargeted_C3_float32" is F.cross_entropy([[1, 2, 3], [3, 2, 1]], [0, 1],
weight=[1, 1, nan]) and its gradient.
"""

import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

COMMAND = "/usr/bin/python3 tests/golden/make_loss_weights_golden.py"
OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_loss_weights.json")
MAX_BYTES = 1024 * 1024
IGNORE = -100
NAN = float("nan")
INF = float("inf")
SPECIAL = [("nan", NAN), ("inf", INF), ("neginf", -INF), ("zero", 0.0), ("negative", -1.5)]
ROWS = {3: 39, 17: 6, 100: 4}

_spec = importlib.util.spec_from_file_location("make_loss_golden", os.path.join(os.path.dirname(__file__), "make_loss_golden.py"))
_losses = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_losses)
class_target_case = _losses.class_target_case
nll_case = _losses.nll_case


def batch(classes, dtype, gen):
    """Logits, targets avoiding class C - 1, the same with C - 1 targeted by some rows, and two ignored rows."""
    rows = ROWS[classes]
    logits = (torch.randn(rows, classes, generator=gen, dtype=torch.float64) * 3).to(dtype)
    k = classes - 1
    untargeted = torch.randint(0, k, (rows,), generator=gen).tolist()
    targeted = list(untargeted)
    # Rows in the first block, in a later block and after the whole blocks of 4, 8 and 16 rows.
    for r in {0, 3, rows // 2, rows - 2} if rows > 16 else {0}:
        targeted[r] = k
    for r in (1, rows - 1):
        untargeted[r] = IGNORE
        targeted[r] = IGNORE
    return logits, untargeted, targeted


def base_weights(classes, gen):
    return torch.rand(classes, generator=gen, dtype=torch.float64) * 2 + 0.25


def shared(case, batch_name, key):
    """The case without its input rows, which the batch holds once for all its cases."""
    del case[key]
    case["batch"] = batch_name
    return case


def cases_for(classes, dtype, gen, batches):
    suffix = f"C{classes}_{_losses.dtype_name(dtype)}"
    logits, untargeted, targeted = batch(classes, dtype, gen)
    log_probabilities = F.log_softmax(logits, dim=1)
    batches[suffix] = {
        "logits": _losses.values(logits, dtype),
        "log_probabilities": _losses.values(log_probabilities, dtype),
    }
    base = base_weights(classes, gen)
    k = classes - 1
    out = []

    def add(name, targets, weights):
        w = weights.to(dtype)
        for smoothing in (0.0, 0.1):
            case = class_target_case(f"ce_{name}_smoothing{smoothing}_{suffix}", logits, targets, weight=w, ignore_index=IGNORE, label_smoothing=smoothing)
            out.append(shared(case, suffix, "logits"))
        out.append(shared(nll_case(f"nll_{name}_{suffix}", log_probabilities, targets, weight=w, ignore_index=IGNORE), suffix, "log_probabilities"))

    for label, value in SPECIAL:
        w = base.clone()
        w[k] = value
        add(f"{label}_untargeted", untargeted, w)
        add(f"{label}_targeted", targeted, w)

    # The counted rows' weights sum to exactly 0: class 0 weighs 1, class 1 -1, class C - 1 0 (for an odd count).
    # Class 0 is the target of the rows where it is least likely, so that the sum of the losses, a difference,
    # is large beside the float32 rounding of its terms.
    balanced = list(untargeted)
    counted = sorted((r for r, t in enumerate(balanced) if t != IGNORE), key=lambda r: float(log_probabilities[r, 0]))
    for i, r in enumerate(counted):
        balanced[r] = 0 if i < len(counted) // 2 else 1
    if len(counted) % 2 == 1:
        balanced[counted[-1]] = k
    w = base.clone()
    w[0], w[1], w[k] = 1.0, -1.0, 0.0
    add("zero_sum", balanced, w)

    # Every weight negative: a negative denominator.
    add("all_negative", targeted, -base)

    # +inf and -inf on untargeted classes (C - 1 and C - 2; for 3 classes only class 0 is targeted).
    w = base.clone()
    w[k], w[k - 1] = INF, -INF
    both = [t if t == IGNORE else t % (k - 1) for t in untargeted]
    add("inf_and_neginf_untargeted", both, w)
    return out


def reproducer(dtype):
    logits = torch.tensor([[1, 2, 3], [3, 2, 1]], dtype=dtype)
    name = f"reproducer_nan_weight_untargeted_C3_{_losses.dtype_name(dtype)}"
    return class_target_case(name, logits, [0, 1], weight=[1.0, 1.0, NAN])


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261205)
    batches = {}
    cases = []
    for dtype in (torch.float32, torch.float64):
        cases.append(reproducer(dtype))
        for classes in sorted(ROWS):
            cases.extend(cases_for(classes, dtype, gen, batches))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    document = {
        "generator": COMMAND,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "batches": batches,
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
