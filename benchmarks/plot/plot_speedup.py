#!/usr/bin/python3
"""Plot the speed-up of SoftmaxGen's float softmax over TensorPrimitives.SoftMax (row by row) by class count, as an SVG
written by hand (no third-party packages).

Run from the repository root after a BenchmarkDotNet run (see benchmarks/README.md) and the PyTorch script:

    /usr/bin/python3 benchmarks/plot/plot_speedup.py \\
        [--results benchmarks/BenchmarkDotNet.Artifacts/results] [--pytorch benchmarks/results/<date>-pytorch.csv] \\
        [--output docs/speedup.svg]

Reads BenchmarkDotNet's CSV reports SoftmaxGen.Benchmarks.BatchSoftmaxBenchmarks-report.csv (Batch64K and Batch16M)
and, when present, SoftmaxGen.Benchmarks.RowSoftmaxBenchmarks-report.csv (one row); the PyTorch figures default to
the newest benchmarks/results/*-pytorch.csv. One panel per shape; x: class count (log scale); y: speed-up over
TensorPrimitives row by row (time of TensorPrimitives / time of the method, log scale; above 1 is faster). Series:
the generated kernel in Fast and in Exact and ONNX Runtime (all measured in the same BenchmarkDotNet run as
TensorPrimitives) and PyTorch's softmax into a preallocated output (measured by the PyTorch script, on the same
machine but in another run: its ratio divides across runs, so read it as indicative).
"""

import argparse
import csv
import glob
import math
import os
import sys

SHAPES = [("Row", "one row"), ("Batch64K", "~64K elements (in cache)"), ("Batch16M", "~16M elements (out of cache)")]
UNITS = {"ns": 1.0, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
SERIES = [
    # name (the BenchmarkDotNet method, or PyTorch), label, colour, dash pattern, marker
    ("GeneratedFast", "Generated, Fast", "#1f77b4", "", "circle"),
    ("Generated", "Generated, Exact", "#2ca02c", "6,3", "square"),
    ("OnnxRuntime", "ONNX Runtime 1.32", "#ff7f0e", "4,2,1,2", "diamond"),
    ("PyTorch", "PyTorch 1.13 F.softmax (out=)", "#d62728", "2,3", "triangle"),
]
CLASS_TICKS = [(3, "3"), (10, "10"), (100, "100"), (1000, "1k"), (32000, "32k"), (128256, "128k")]


def parse_time(text):
    """BenchmarkDotNet's '1,550.3 μs' (or 'NA') to nanoseconds."""
    text = text.strip().replace(",", "")
    if not text or text == "NA":
        return None
    number, _, unit = text.partition(" ")
    return float(number) * UNITS[unit.strip()]


def read_bdn(path):
    """{(shape, classes, method): mean ns} from a BenchmarkDotNet CSV report."""
    data = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            mean = parse_time(row["Mean"])
            if mean is not None:
                data[(row["Shape"], int(row["Classes"]), row["Method"])] = mean
    return data


def read_pytorch(path):
    """{(shape, classes): ns per call} of softmax into a preallocated output (F.softmax if that is missing)."""
    data, fallback = {}, {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["shape"], int(row["classes"]))
            if row["op"] == "softmax_out":
                data[key] = float(row["ns_per_call"])
            elif row["op"] == "softmax":
                fallback[key] = float(row["ns_per_call"])
    for key, value in fallback.items():
        data.setdefault(key, value)
    return data


def speedups(bdn, pytorch):
    """{shape: {series: [(classes, speed-up)]}}."""
    result = {}
    for shape, _ in SHAPES:
        series = {}
        classes_list = sorted({c for (s, c, _m) in bdn if s == shape})
        for classes in classes_list:
            baseline = bdn.get((shape, classes, "TensorPrimitives"))
            if baseline is None:
                continue
            for name in ("GeneratedFast", "Generated", "OnnxRuntime"):
                t = bdn.get((shape, classes, name))
                if t:
                    series.setdefault(name, []).append((classes, baseline / t))
            t = pytorch.get((shape, classes))
            if t:
                series.setdefault("PyTorch", []).append((classes, baseline / t))
        if series:
            result[shape] = series
    return result


def svg(data, title):
    panel_w, panel_h = 300, 260
    left, top, gap, bottom = 84, 60, 40, 110
    shapes = [s for s in SHAPES if s[0] in data]
    width = left + len(shapes) * panel_w + (len(shapes) - 1) * gap + 20
    height = top + panel_h + bottom
    values = [v for series in data.values() for points in series.values() for _, v in points]
    y_lo = 2 ** math.floor(math.log2(min(values + [1.0]) * 0.9))
    y_hi = 2 ** math.ceil(math.log2(max(values + [1.0]) * 1.1))
    x_lo, x_hi = math.log10(2), math.log10(200000)

    def x_of(i, classes):
        return left + i * (panel_w + gap) + (math.log10(classes) - x_lo) / (x_hi - x_lo) * panel_w

    def y_of(value):
        return top + panel_h - (math.log2(value) - math.log2(y_lo)) / (math.log2(y_hi) - math.log2(y_lo)) * panel_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2:.1f}" y="24" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (shape, caption) in enumerate(shapes):
        x0 = left + i * (panel_w + gap)
        out.append(f'<text x="{x0 + panel_w / 2:.1f}" y="{top - 10}" text-anchor="middle" font-weight="bold">{escape(caption)}</text>')
        out.append(f'<rect x="{x0}" y="{top}" width="{panel_w}" height="{panel_h}" fill="none" stroke="#444"/>')
        tick, step = y_lo, 2 if math.log2(y_hi / y_lo) > 8 else 1
        while tick <= y_hi * 1.0001:
            y = y_of(tick)
            colour, width_ = ("#444", 1.5) if tick == 1 else ("#ddd", 1)
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w}" y2="{y:.1f}" stroke="{colour}" stroke-width="{width_}"/>')
            if i == 0 and round(math.log2(tick)) % step == 0:
                out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{format_tick(tick)}x</text>')
            tick *= 2
        for classes, label in CLASS_TICKS:
            x = x_of(i, classes)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + panel_h}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{top + panel_h + 16}" text-anchor="middle">{label}</text>')
        out.append(f'<text x="{x0 + panel_w / 2:.1f}" y="{top + panel_h + 34}" text-anchor="middle">classes C (log scale)</text>')
        for name, _label, colour, dash, marker in SERIES:
            points = data[shape].get(name)
            if not points:
                continue
            path = " ".join(f"{x_of(i, c):.1f},{y_of(v):.1f}" for c, v in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
            for c, v in points:
                out.append(marker_svg(marker, x_of(i, c), y_of(v), colour, f"{name}, C={c}: {v:.2f}x"))
    out.append(f'<text transform="translate(18,{top + panel_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
               'speed-up over TensorPrimitives.SoftMax row by row (log scale)</text>')
    legend_y = top + panel_h + 62
    x = left
    for _name, label, colour, dash, marker in SERIES:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 30}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.append(marker_svg(marker, x + 15, legend_y, colour, label))
        out.append(f'<text x="{x + 38}" y="{legend_y + 4}">{escape(label)}</text>')
        x += 46 + 6.2 * len(label)
    out.append(f'<text x="{left}" y="{legend_y + 26}" fill="#555">Float softmax, one thread each; 1x = TensorPrimitives.SoftMax'
               ' called per row (the line).</text>')
    out.append(f'<text x="{left}" y="{legend_y + 42}" fill="#555">Data: a BenchmarkDotNet report and the PyTorch script'
               ' (benchmarks/README.md).</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def marker_svg(kind, x, y, colour, tooltip):
    title = f"<title>{escape(tooltip)}</title>"
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{title}</rect>'
    if kind == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" fill="{colour}">{title}</polygon>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'


def format_tick(value):
    return f"{value:g}" if value >= 1 else f"1/{round(1 / value)}"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=os.path.join("benchmarks", "BenchmarkDotNet.Artifacts", "results"),
                        help="folder with BenchmarkDotNet's *-report.csv files")
    parser.add_argument("--pytorch", help="the PyTorch script's CSV (default: newest benchmarks/results/*-pytorch.csv)")
    parser.add_argument("--output", default=os.path.join("docs", "speedup.svg"))
    parser.add_argument("--title", default="SoftmaxGen float softmax: speed-up over TensorPrimitives by class count")
    args = parser.parse_args()

    bdn = {}
    for name in ("BatchSoftmaxBenchmarks", "RowSoftmaxBenchmarks"):
        path = os.path.join(args.results, f"SoftmaxGen.Benchmarks.{name}-report.csv")
        if os.path.exists(path):
            bdn.update(read_bdn(path))
        else:
            print(f"note: {path} not found", file=sys.stderr)
    if not bdn:
        sys.exit(f"no BenchmarkDotNet reports in {args.results}")

    pytorch_path = args.pytorch or max(glob.glob(os.path.join("benchmarks", "results", "*-pytorch.csv")), default=None)
    pytorch = read_pytorch(pytorch_path) if pytorch_path else {}
    if not pytorch:
        print("note: no PyTorch figures", file=sys.stderr)

    data = speedups(bdn, pytorch)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(svg(data, args.title))
    for shape, series in data.items():
        for name, points in series.items():
            print(f"{shape:9} {name:10} " + "  ".join(f"C={c}: {v:.2f}x" for c, v in points), file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
