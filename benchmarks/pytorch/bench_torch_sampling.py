#!/usr/bin/python3
"""PyTorch 1.13 (Debian python3-torch) speed of one top-p sampling step the way PyTorch users write it
(softmax, sort, cumsum, mask, renormalise, multinomial: Hugging Face's TopPLogitsWarper followed by
torch.multinomial), on one thread, for the comparison with SamplingBenchmarks in docs/sampling.md.

Run from the repository root on a quiet machine:

    /usr/bin/python3 benchmarks/pytorch/bench_torch_sampling.py

The row is SamplingBenchmarks' shape: logit 6 - 1.1 ln(rank) for a shuffled rank (float32), one row of 32,000 or
151,936 classes. Timing: the median over 7 measurements of a loop of calls lasting at least 0.2 s, after warm-up;
microseconds per call. Prints a markdown table.
"""

import datetime
import platform
import statistics
import time

import torch
import torch.nn.functional as F

CLASS_COUNTS = [32000, 151936]
REPEATS = 7
MIN_MEASUREMENT = 0.2


def zipf_row(classes, generator):
    ranks = torch.randperm(classes, generator=generator) + 1
    return (6 - 1.1 * torch.log(ranks.double())).float().unsqueeze(0)


def top_p_step(logits, top_p, generator):
    probabilities = F.softmax(logits, dim=-1)
    sorted_probabilities, order = torch.sort(probabilities, descending=True, dim=-1)
    cumulative = torch.cumsum(sorted_probabilities, dim=-1)
    # Keep a class while the mass before it is below top_p (at least one class).
    remove = (cumulative - sorted_probabilities) >= top_p
    sorted_probabilities = sorted_probabilities.masked_fill(remove, 0.0)
    choice = torch.multinomial(sorted_probabilities, 1, generator=generator)
    return order.gather(-1, choice)


def time_call(call):
    for _ in range(5):
        call()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            call()
        if time.perf_counter() - start >= MIN_MEASUREMENT:
            break
        number *= 2
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples) * 1e6


def main():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(20261205)
    print(f"PyTorch {torch.__version__}, {platform.processor() or platform.machine()}, one thread, "
          f"{datetime.date.today().isoformat()}")
    print()
    print("| C | softmax + sort + cumsum + multinomial, top-p 0.9 (µs) | softmax alone (µs) |")
    print("|---:|---:|---:|")
    for classes in CLASS_COUNTS:
        row = zipf_row(classes, generator)
        sample = time_call(lambda: top_p_step(row, 0.9, generator))
        softmax = time_call(lambda: F.softmax(row, dim=-1))
        print(f"| {classes} | {sample:.1f} | {softmax:.1f} |")


if __name__ == "__main__":
    main()
