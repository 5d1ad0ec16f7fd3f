#!/usr/bin/python3
"""Recomputes the coefficients of Fast's logarithm (SoftmaxMath.LogAtLeastOneFast in src/SoftmaxGen/Kernels/BlockMath.cs):
ln(1 + f) = f + f^2 P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1], P of degree 8, fitted for the least maximum absolute
error of ln(1 + f) (Lawson's iteratively reweighted least squares on Chebyshev nodes, which converges to the minimax
fit), then checked on a dense grid. Prints the coefficients c0..c8 and the error (about 2^-30).

    /usr/bin/python3 tests/golden/log_polynomial.py
"""

import numpy as np

DEGREE = 8
lo, hi = np.sqrt(0.5) - 1, np.sqrt(2) - 1
n = 4000
f = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
f = f[np.abs(f) > 1e-6]
g = (np.log1p(f) - f) / f**2
V = np.vander(f, DEGREE + 1, increasing=True)
w = np.ones_like(f)
for _ in range(60):
    W = np.sqrt(w) * f**2
    c, *_ = np.linalg.lstsq(V * W[:, None], g * W, rcond=None)
    e = np.abs(f**2 * (V @ c - g))
    w = w * e
    w /= w.sum()

grid = np.linspace(lo, hi, 200001)
error = np.abs(grid + grid * grid * np.polyval(c[::-1], grid) - np.log1p(grid)).max()
for i, coefficient in enumerate(c):
    print("c%d = %.17g" % (i, coefficient))
print("max |error| = %.3e = 2^%.1f" % (error, np.log2(error)))
