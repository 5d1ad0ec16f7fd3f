#!/usr/bin/python3
"""PyTorch 1.13 (Debian python3-torch) speed of softmax, log_softmax and cross_entropy on the shapes of SoftmaxGen's
benchmarks, on one thread, for the comparison in benchmarks/README.md.

Run from the repository root (takes about two minutes; run it on a quiet machine):

    /usr/bin/python3 benchmarks/pytorch/bench_torch.py

`--quick` shortens every measurement (to check that the script works, not for figures); `--output-dir DIR` writes the
files elsewhere than benchmarks/results/.

Shapes (float32 logits ~ N(0, 5^2), the distribution of the BenchmarkDotNet runs; targets uniform in [0, C)):
  - Batch64K: round(65536 / C) rows of C values (fits in L2; at least one row), C = 3, 10, 100, 1000, 32000, 128256;
  - Batch16M: round(16777216 / C) rows (64 MB, far beyond the caches);
  - Row: one row of C values (a 1 x C tensor).
Operations: F.softmax(x, dim=1), F.log_softmax(x, dim=1), F.cross_entropy(x, targets) (mean, class targets); and for
softmax and log_softmax also the preallocated-output form (aten::_softmax.out / _log_softmax.out), which removes the
allocation of the result from the timing (the .NET benchmarks write into preallocated outputs).

Timing: timeit-style. Each measurement runs the call `number` times in a loop (number chosen so that one measurement
takes at least MIN_MEASUREMENT seconds), after warm-up calls; the figure is the median over REPEATS measurements,
divided by `number`. Prints a markdown table and writes benchmarks/results/<date>-pytorch.md plus the same figures as
benchmarks/results/<date>-pytorch.csv (read by benchmarks/plot/plot_speedup.py).
"""

import argparse
import csv
import datetime
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

COMMAND = "/usr/bin/python3 benchmarks/pytorch/bench_torch.py"
CLASS_COUNTS = [3, 10, 100, 1000, 32000, 128256]
SHAPES = [("Row", None), ("Batch64K", 65536), ("Batch16M", 16 * 1024 * 1024)]
SEED = 20261122
MIN_MEASUREMENT = 0.2  # seconds per measurement
REPEATS = 7
LARGE_REPEATS = 5  # for the 16M-element shape: each call takes tens to hundreds of milliseconds
WARMUP_SECONDS = 0.3


def rows_for(shape_elements, classes):
    if shape_elements is None:
        return 1
    # round half away from zero, as BenchmarkData.Rows does
    return max(1, int(shape_elements / classes + 0.5))


def measure(call, repeats):
    """Median seconds per call: warm up, calibrate `number`, then `repeats` timed loops of `number` calls."""
    start = time.perf_counter()
    call()
    while time.perf_counter() - start < WARMUP_SECONDS:
        call()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            call()
        elapsed = time.perf_counter() - t0
        if elapsed >= MIN_MEASUREMENT:
            break
        number = max(number * 2, int(number * MIN_MEASUREMENT / max(elapsed, 1e-9) * 1.1))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times), number


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    global MIN_MEASUREMENT, REPEATS, LARGE_REPEATS, WARMUP_SECONDS
    parser = argparse.ArgumentParser(description="PyTorch softmax speed on SoftmaxGen's benchmark shapes, one thread.")
    parser.add_argument("--quick", action="store_true", help="short measurements, to check that the script runs")
    parser.add_argument("--output-dir", help="where to write <date>-pytorch.md/.csv (default: benchmarks/results)")
    args = parser.parse_args()
    if args.quick:
        MIN_MEASUREMENT, REPEATS, LARGE_REPEATS, WARMUP_SECONDS = 0.01, 3, 1, 0.0
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    results = []
    for shape, elements in SHAPES:
        for classes in CLASS_COUNTS:
            rows = rows_for(elements, classes)
            x = torch.randn(rows, classes, dtype=torch.float32) * 5.0
            targets = torch.randint(0, classes, (rows,), dtype=torch.int64)
            out = torch.empty_like(x)
            repeats = LARGE_REPEATS if shape == "Batch16M" else REPEATS
            calls = [
                ("softmax", lambda: F.softmax(x, dim=1)),
                ("softmax_out", lambda: torch.ops.aten._softmax.out(x, 1, False, out=out)),
                ("log_softmax", lambda: F.log_softmax(x, dim=1)),
                ("log_softmax_out", lambda: torch.ops.aten._log_softmax.out(x, 1, False, out=out)),
                ("cross_entropy", lambda: F.cross_entropy(x, targets)),
            ]
            for op, call in calls:
                seconds, number = measure(call, repeats)
                ns = seconds * 1e9
                results.append({
                    "op": op, "classes": classes, "shape": shape, "rows": rows,
                    "ns_per_call": ns, "ns_per_row": ns / rows, "ns_per_element": ns / (rows * classes),
                    "number": number, "repeats": repeats,
                })
                print(f"{shape:9} C={classes:5} {op:16} {format_time(ns):>12}  {ns / (rows * classes):8.3f} ns/elem", file=sys.stderr)
            del x, targets, out

    table = markdown(results)
    print(table)
    write_files(results, table, args.output_dir, args.quick)


def format_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:,.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:,.2f} μs"
    return f"{ns:,.1f} ns"


def markdown(results):
    ops = ["softmax", "softmax_out", "log_softmax", "log_softmax_out", "cross_entropy"]
    by_key = {(r["shape"], r["classes"], r["op"]): r for r in results}
    lines = [
        "| Shape | C | Rows | " + " | ".join(ops) + " |",
        "|---|---:|---:|" + "---:|" * len(ops),
    ]
    for shape, _ in SHAPES:
        for classes in CLASS_COUNTS:
            cells = []
            rows = None
            for op in ops:
                r = by_key[(shape, classes, op)]
                rows = r["rows"]
                cells.append(f"{format_time(r['ns_per_call'])} ({r['ns_per_element']:.3f} ns/elem)")
            lines.append(f"| {shape} | {classes} | {rows} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_files(results, table, output_dir, quick):
    today = datetime.date.today().isoformat()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = output_dir or os.path.join(root, "benchmarks", "results")
    os.makedirs(folder, exist_ok=True)
    md_path = os.path.join(folder, f"{today}-pytorch.md")
    csv_path = os.path.join(folder, f"{today}-pytorch.csv")
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(results[0].keys()))
        writer.writeheader()
        for r in results:
            writer.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items()})
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"# PyTorch {torch.__version__} softmax, log_softmax, cross_entropy, {today}",
        "",
        f"- Command: `{COMMAND}{' --quick' if quick else ''}` (finished {now})."
        + (" **Quick run: not for publication.**" if quick else ""),
        f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores, {platform.platform()}; Python {platform.python_version()};"
        f" torch.set_num_threads(1) (ATen threads: {torch.get_num_threads()}).",
        f"- Method: median of {REPEATS} measurements ({LARGE_REPEATS} for Batch16M), each a loop of calls lasting at least"
        f" {MIN_MEASUREMENT} s after {WARMUP_SECONDS} s of warm-up; time per call (ns/elem = per call / (rows x C)).",
        "- Inputs: float32 logits ~ N(0, 5^2), targets uniform in [0, C); `softmax`, `log_softmax`: `F.softmax(x, dim=1)`,"
        " `F.log_softmax(x, dim=1)` (allocate the result); `*_out`: `aten::_softmax.out` / `_log_softmax.out` into a"
        " preallocated tensor; `cross_entropy`: `F.cross_entropy(x, targets)` (mean).",
        f"- Machine-readable: [`{os.path.basename(csv_path)}`]({os.path.basename(csv_path)}).",
        "",
        table,
        "",
    ]
    with open(md_path, "w", encoding="utf-8") as f:
        f.write("\n".join(header))
    print(f"wrote {md_path} and {csv_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
