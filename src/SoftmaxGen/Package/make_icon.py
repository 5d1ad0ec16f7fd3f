"""Draws the package icon, icon.png (128 x 128 RGBA), with the standard library only.

A rounded square with the bars of softmax([1, 0.3, 1.8, -0.2, 1.3]): the largest bar in the accent colour.
Run `python3 make_icon.py` in this folder; the output is the same bytes on every run.
"""
import math
import struct
import zlib

SIZE = 128
SAMPLES = 4  # supersampling per axis, for anti-aliased edges
BACKGROUND = (28, 52, 92)
BAR = (236, 240, 245)
ACCENT = (255, 166, 0)

logits = [1.0, 0.3, 1.8, -0.2, 1.3]
top = max(logits)
exps = [math.exp(v - top) for v in logits]
probabilities = [e / sum(exps) for e in exps]


def inside_rounded_square(x, y, radius=22.0):
    cx = min(max(x, radius), SIZE - radius)
    cy = min(max(y, radius), SIZE - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def bar_colour(x, y):
    """The bar colour at (x, y), or None outside every bar."""
    left, width, gap, base, height = 20.0, 14.0, 4.0, 106.0, 84.0
    largest = max(probabilities)
    for i, p in enumerate(probabilities):
        x0 = left + i * (width + gap)
        if x0 <= x < x0 + width and base - height * p / largest <= y < base:
            return ACCENT if p == largest else BAR
    return None


def pixel(px, py):
    r = g = b = a = 0.0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = px + (sx + 0.5) / SAMPLES
            y = py + (sy + 0.5) / SAMPLES
            if not inside_rounded_square(x, y):
                continue
            colour = bar_colour(x, y) or BACKGROUND
            r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
    n = SAMPLES * SAMPLES
    if a == 0:
        return (0, 0, 0, 0)
    # Colours averaged over covered samples (not premultiplied), coverage as alpha.
    return (round(r / a), round(g / a), round(b / a), round(255 * a / n))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in pixel(x, y)) for y in range(SIZE))
png = (b"\x89PNG\r\n\x1a\n"
       + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9))
       + chunk(b"IEND", b""))
with open("icon.png", "wb") as f:
    f.write(png)
print(f"icon.png: {SIZE}x{SIZE}, {len(png)} bytes")
