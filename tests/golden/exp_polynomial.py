#!/usr/bin/python3
"""Recomputes the float exponential's polynomial in src/SoftmaxGen/Kernels/SoftmaxMath.cs (ExpShiftedSingle).

e^r on |r| <= ln2/2 (plus a margin for the compensated reduction) as 1 + r + r^2 q(r), q of degree 4, fitted for the
least maximum *relative* error by Lawson's iteratively reweighted least squares on a dense grid. Prints the
coefficients of q from the highest power down, rounded to float, and the error of the fit. Needs numpy only.
"""
import numpy as np

a = np.log(2) / 2 * 1.0001
x = np.linspace(-a, a, 20001)
w = np.ones_like(x)
A = np.stack([x ** i for i in range(2, 7)], 1)
b = np.exp(x) - 1 - x
for _ in range(200):
    sw = np.sqrt(w) / np.exp(x)
    c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    e = np.abs((A @ c - b) / np.exp(x))
    w = w * e
    w /= w.sum()
print("coefficients of r^6 .. r^2:", ", ".join(f"{float(np.float32(v)):.8e}f" for v in reversed(c)))
print(f"max relative error {e.max():.3g} ({e.max() / 2**-24:.3f} of 2^-24)")
