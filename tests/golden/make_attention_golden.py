#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's attention softmax (ScaledSoftmax, MaskedSoftmax, CausalSoftmax
and their log-softmax forms).

Run from the repository root:

    /usr/bin/python3 tests/golden/make_attention_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_attention.json. Deterministic (fixed seed, one thread). Floats are
written as make_extras_golden.py writes them (shortest round-trip text, "NaN", "Infinity", "-Infinity").

Each case holds scores [rows, keys] ~ N(0, 4^2), a scale, and one of: a float bias (one row for every row, or one
per score, with -inf entries), a boolean mask (one row, or one per score; True takes part), or a causal offset (row
r keeps keys 0..r+offset). The expected values are F.softmax and F.log_softmax of scores * scale + mask, the additive
mask that F.scaled_dot_product_attention makes of a boolean or causal one (masked_fill with -inf), so fully masked
rows are NaN, as PyTorch gives them.
"""

import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_attention.json")
MAX_BYTES = 1024 * 1024
INF = float("inf")

_spec = importlib.util.spec_from_file_location("make_extras_golden", os.path.join(os.path.dirname(__file__), "make_extras_golden.py"))
_extras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_extras)
values = _extras.values
dtype_name = _extras.dtype_name


def case(name, scores, scale, kind, extra, additive):
    v = scores * scale + additive
    c = {
        "name": f"{name}_{dtype_name(scores.dtype)}",
        "dtype": dtype_name(scores.dtype),
        "rows": scores.shape[0],
        "classes": scores.shape[1],
        "scale": scale,
        "kind": kind,
        "scores": values(scores),
        "softmax": values(F.softmax(v, dim=-1)),
        "logSoftmax": values(F.log_softmax(v, dim=-1)),
    }
    c.update(extra)
    return c


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261205)
    cases = []
    for dtype in (torch.float32, torch.float64):
        for rows, keys in ((4, 3), (6, 17), (3, 128), (2, 300)):
            scale = 1.0 / float(np.sqrt(64))
            scores = (torch.randn(rows, keys, generator=gen, dtype=torch.float64) * 4).to(dtype)

            row_bias = (torch.randn(keys, generator=gen, dtype=torch.float64)).to(dtype)
            row_bias[keys // 2] = -INF
            cases.append(case(f"bias_row_{rows}x{keys}", scores, scale, "bias", {"bias": values(row_bias)}, row_bias))

            full_bias = (torch.randn(rows, keys, generator=gen, dtype=torch.float64)).to(dtype)
            full_bias[0, :] = -INF  # a fully masked row: NaN
            full_bias[1, 0] = -INF
            cases.append(case(f"bias_full_{rows}x{keys}", scores, scale, "bias", {"bias": values(full_bias)}, full_bias))

            key_padding = torch.ones(keys, dtype=torch.bool)
            key_padding[keys - max(1, keys // 4):] = False
            additive = torch.zeros(keys, dtype=dtype).masked_fill(~key_padding, -INF)
            cases.append(case(f"mask_row_{rows}x{keys}", scores, scale, "mask", {"mask": key_padding.tolist()}, additive))

            full_mask = torch.rand(rows, keys, generator=gen) > 0.3
            full_mask[rows - 1, :] = False
            additive = torch.zeros(rows, keys, dtype=dtype).masked_fill(~full_mask, -INF)
            cases.append(case(f"mask_full_{rows}x{keys}", scores, scale, "mask", {"mask": [b for row in full_mask.tolist() for b in row]}, additive))

            for offset in sorted({0, keys - rows, -1}):
                keep = torch.ones(rows, keys, dtype=torch.bool).tril(diagonal=offset)
                additive = torch.zeros(rows, keys, dtype=dtype).masked_fill(~keep, -INF)
                cases.append(case(f"causal_{offset}_{rows}x{keys}", scores, scale, "causal", {"causalOffset": offset}, additive))
    document = {"generator": "tests/golden/make_attention_golden.py", "torch": torch.__version__, "numpy": np.__version__, "cases": cases}
    text = json.dumps(document, separators=(",", ":"))
    assert len(text) <= MAX_BYTES, len(text)
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
