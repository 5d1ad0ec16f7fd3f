#!/usr/bin/python3
"""Generate the PyTorch golden data for SoftmaxGen's decoding samplers (SoftmaxSampling).

Run from the repository root:

    /usr/bin/python3 tests/golden/make_sampling_golden.py

Writes tests/SoftmaxGen.Tests/Golden/pytorch_sampling.json. Deterministic (fixed seeds, one thread). Floats are
written as make_extras_golden.py writes them (float32 logits: shortest round-trip text; float64 probabilities: repr).

The reference is the pipeline Hugging Face's generate() runs, written here with torch:
- penalties on the float32 logits: RepetitionPenaltyLogitsProcessor (gather the logits of the classes in the
  history, divide the positive ones by the penalty and multiply the negative ones, scatter back; each class once),
  then OpenAI's frequency and presence penalties (logit - count * frequency - presence), then the logit bias (added)
  and the banned classes (-inf); all float32 tensor operations (divisions elementwise, by a tensor);
- temperature and softmax in float64 on those float32 values: d = (z - max) / T, e = exp(d);
- top-k: the k largest, ties to the lower index (a stable descending sort: torch.topk then scatter);
- top-p: sort descending (stable), cumsum of the top-k-renormalised probabilities; a class is kept when the mass
  strictly before it is below p (TopPLogitsWarper's "cumulative <= 1 - p removed" read from the top); each p asked
  for is moved to the float32 nearest the middle of the two prefix masses around it, so that the cut has a margin;
- min-p: keep e >= min_p * max(e) (MinPLogitsWarper);
- greedy (temperature 0): torch.argmax of the processed float32 logits.
The script asserts that every decision has a margin (distinct logits at a top-k cut at least 1e-4 apart relative,
top-p prefix masses at least 2e-6 relative from p, min-p ratios 1e-4 from min_p), so that float32 rounding in an
implementation cannot move a cut; ties at cuts are exact ties of the input.
"""

import importlib.util
import json
import math
import os

import numpy as np
import torch

OUTPUT = os.path.join("tests", "SoftmaxGen.Tests", "Golden", "pytorch_sampling.json")
MAX_BYTES = 1024 * 1024
MARGIN = 1e-4
# A float32 implementation's prefix masses are within about 1e-6 (relative) of float64 ones.
TOP_P_MARGIN = 2e-6

_spec = importlib.util.spec_from_file_location("make_extras_golden", os.path.join(os.path.dirname(__file__), "make_extras_golden.py"))
_extras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_extras)
values = _extras.values


def process(x, cfg):
    """The penalties, bias and banned classes on float32 logits (a copy)."""
    z = x.clone()
    history = cfg.get("history", [])
    rep, pres, freq = cfg.get("repetition", 1.0), cfg.get("presence", 0.0), cfg.get("frequency", 0.0)
    if history and (rep != 1 or pres != 0 or freq != 0):
        unique, counts = torch.unique(torch.tensor(history, dtype=torch.long), return_counts=True)
        score = torch.gather(z, 0, unique)
        if rep != 1:
            r = torch.full_like(score, rep)
            score = torch.where(score < 0, score * r, score / r)
        score = score - counts.to(torch.float32) * torch.tensor(freq, dtype=torch.float32) - torch.tensor(pres, dtype=torch.float32)
        z = z.scatter(0, unique, score)
    for token, bias in cfg.get("bias", []):
        z[token] = z[token] + torch.tensor(bias, dtype=torch.float32)
    for token in cfg.get("banned", []):
        z[token] = float("-inf")
    return z


def reference(x, cfg):
    """The filtered, renormalised distribution (float64, dense) and the kept count."""
    z = process(x, cfg)
    classes = z.numel()
    t = cfg.get("temperature", 1.0)
    if t == 0:
        p = torch.zeros(classes, dtype=torch.float64)
        p[int(torch.argmax(z))] = 1
        return z, p, 1
    z64 = z.to(torch.float64)
    e = torch.exp((z64 - z64.max()) / t)
    order = torch.sort(z64, descending=True, stable=True).indices
    keep = torch.ones(classes, dtype=torch.bool)

    k = cfg.get("top_k", 0)
    if 0 < k < classes:
        boundary = z64[order[k - 1]], z64[order[k]]
        assert boundary[0] == boundary[1] or boundary[0] - boundary[1] > MARGIN * max(1.0, abs(float(boundary[0]))), (cfg, boundary)
        keep[order[k:]] = False

    p_top = cfg.get("top_p", 1.0)
    if p_top < 1:
        kept_order = order[keep[order]]
        mass = e[kept_order] / e[kept_order].sum()
        before = torch.cumsum(mass, 0) - mass
        removed = before >= p_top
        n = int((~removed).sum())
        prefix = torch.cumsum(mass, 0)
        # The nearest prefix masses on either side of p (cfg's p is the middle of two: see with_top_p).
        assert n == kept_order.numel() or float(prefix[n - 1]) - p_top > TOP_P_MARGIN * p_top, (cfg, float(prefix[n - 1]))
        assert n == 1 or p_top - float(prefix[n - 2]) > TOP_P_MARGIN * p_top, (cfg, float(prefix[n - 2]))
        keep[kept_order[removed]] = False

    min_p = cfg.get("min_p", 0.0)
    if min_p > 0:
        ratio = e / e.max()
        near = (ratio - min_p).abs() < MARGIN * min_p
        assert not bool((near & keep).any()), (cfg, "min_p")
        keep &= ratio >= min_p

    p = torch.where(keep, e, torch.zeros_like(e))
    p = p / p.sum()
    return z, p, int(keep.sum())


def rows():
    gen = torch.Generator().manual_seed(20261205)
    result = {}
    result["ties_c12"] = torch.tensor([2, 1, 1, 1, 0.5, 3, 3, -1, 0, 2, 1, 1.5], dtype=torch.float32)
    result["n3_c100"] = (torch.randn(100, generator=gen, dtype=torch.float64) * 3).to(torch.float32)
    x = (torch.randn(40, generator=gen, dtype=torch.float64) * 2).to(torch.float32)
    x[[3, 17, 29]] = float("-inf")
    result["neginf_c40"] = x
    # Zipf-like: logit = 6 - 1.1 ln(rank) with the ranks shuffled, so that probabilities fall as rank^-1.1.
    ranks = torch.randperm(32000, generator=gen).to(torch.float64) + 1
    result["zipf_c32000"] = (6 - 1.1 * torch.log(ranks)).to(torch.float32)
    result["one_c1"] = torch.tensor([0.25], dtype=torch.float32)
    result["vec_c5"] = torch.tensor([0.5, -1.25, 2.0, 2.0, 0.0], dtype=torch.float32)
    return result


def configs(name, x):
    classes = x.numel()
    out = [
        ("plain", {}),
        ("t0.7", {"temperature": 0.7}),
        ("greedy", {"temperature": 0}),
        ("k1", {"top_k": 1}),
        ("p0.9", {"top_p": 0.9}),
        ("p0.5_t0.8", {"top_p": 0.5, "temperature": 0.8}),
        ("minp0.05", {"min_p": 0.05}),
        ("minp0.1_p0.95_t1.2", {"min_p": 0.1, "top_p": 0.95, "temperature": 1.2}),
    ]
    if classes >= 5:
        out.append(("k3_t1.5", {"top_k": 3, "temperature": 1.5}))
    if classes >= 12:
        out.append(("k7", {"top_k": 7}))
        out.append(("k10_p0.8", {"top_k": 10, "top_p": 0.8}))
    if classes >= 100:
        out.append(("k50", {"top_k": 50}))
        out.append(("k40_p0.8_t0.9", {"top_k": 40, "top_p": 0.8, "temperature": 0.9}))
    history = [int(i) for i in torch.randint(0, classes, (12,), generator=torch.Generator().manual_seed(classes))]
    history += history[:3]  # repeated tokens: counted by the frequency penalty, penalised once by the repetition penalty
    out.append(("rep1.3", {"repetition": 1.3, "history": history}))
    out.append(("rep0.8_pres0.5_freq0.25", {"repetition": 0.8, "presence": 0.5, "frequency": 0.25, "history": history}))
    out.append(("greedy_penalised", {"temperature": 0, "repetition": 2.0, "presence": 1.0, "history": history}))
    if classes >= 12:
        bias = [[1, 2.5], [classes - 1, -1.75], [1, 0.5]]
        banned = [int(torch.argmax(x)), 2]
        out.append(("bias_banned", {"bias": bias, "banned": banned}))
        out.append(("all", {"top_k": min(50, classes - 1), "top_p": 0.9, "min_p": 0.02, "temperature": 0.9, "repetition": 1.3,
                            "presence": 0.5, "frequency": 0.25, "history": history, "bias": bias, "banned": banned}))
    if name == "ties_c12":
        # p at the middle of two prefix masses, so that the cut falls inside the group of four 1s (at the 7th class).
        e = torch.exp(x.to(torch.float64) - x.max())
        prefix = torch.cumsum(torch.sort(e, descending=True, stable=True).values, 0) / e.sum()
        out.append(("p_tie_cut", {"top_p": float((prefix[5] + prefix[6]) / 2)}))
        out.append(("k3_tie_cut", {"top_k": 3}))
    return out


def float32_options(cfg):
    """Options as the C# float properties hold them."""
    out = dict(cfg)
    for key in ("temperature", "top_p", "min_p", "repetition", "presence", "frequency"):
        if key in out:
            out[key] = float(np.float32(out[key]))
    return out


def with_top_p(x, cfg):
    """cfg with top_p moved to the float32 nearest the middle of the two prefix masses around it."""
    if cfg.get("top_p", 1.0) >= 1:
        return cfg
    p_asked = cfg["top_p"]
    probe = dict(cfg, top_p=1.0, min_p=0.0)
    z, p, _ = reference(x, probe)
    mass = torch.sort(p[p > 0], descending=True, stable=True).values
    # Equal probabilities sort by value only here; the middle of two prefix masses does not depend on their order.
    prefix = torch.cumsum(mass, 0)
    n = int((prefix - mass < p_asked).sum())
    low = float(prefix[n - 2]) if n >= 2 else 0.0
    high = float(prefix[n - 1])
    return dict(cfg, top_p=float(np.float32((low + high) / 2)))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    document_rows = {}
    cases = []
    for name, x in rows().items():
        document_rows[name] = values(x)
        for label, cfg in configs(name, x):
            cfg = with_top_p(x, float32_options(cfg))
            z, p, kept = reference(x, cfg)
            if kept > 6000:
                continue  # dense cases of the long row would outgrow the file; the short rows cover them
            nonzero = torch.nonzero(p).flatten()
            case = {
                "name": f"{label}_{name}",
                "row": name,
                "options": {k: v for k, v in cfg.items() if k not in ("history", "bias", "banned")},
                "history": cfg.get("history", []),
                "bias": [[t, repr(float(np.float32(b)))] for t, b in cfg.get("bias", [])],
                "banned": cfg.get("banned", []),
                "kept": kept,
                "greedy": int(torch.argmax(z)),
                "indices": [int(i) for i in nonzero],
                "probabilities": [repr(float(p[i])) for i in nonzero],
            }
            cases.append(case)
    document = {"generator": "tests/golden/make_sampling_golden.py", "torch": torch.__version__, "numpy": np.__version__,
                "rows": document_rows, "cases": cases}
    text = json.dumps(document, separators=(",", ":"))
    assert len(text) <= MAX_BYTES, len(text)
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
