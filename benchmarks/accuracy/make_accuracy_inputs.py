#!/usr/bin/python3
"""Inputs and PyTorch float32 outputs for SoftmaxGen's accuracy comparison (benchmarks/SoftmaxGen.Accuracy).

Run from the repository root:

    /usr/bin/python3 benchmarks/accuracy/make_accuracy_inputs.py

Writes benchmarks/SoftmaxGen.Accuracy/Data/pytorch_accuracy.bin (about 1.7 MB, checked in, so that the C# tool needs
no Python). Deterministic: fixed seeds, one thread; the same PyTorch build reproduces the file byte for byte.

Sets: "normal5", logits ~ N(0, 5^2), and "normal30", logits ~ N(0, 30^2) (rows whose exponentials span far beyond the
float range unless the row maximum is subtracted); C = 3, 10, 100, 1000 with 512, 512, 256 and 40 rows.

Format, little-endian: the 8 bytes "SMGACC1\\0", int32 case count, then per case: int32 byte length and the UTF-8 set
name, int32 classes, int32 rows, and three float32 arrays of rows x classes values, row-major: the logits,
F.softmax(logits, dim=1) and F.log_softmax(logits, dim=1), both computed by PyTorch in float32.
"""

import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

OUTPUT = os.path.join("benchmarks", "SoftmaxGen.Accuracy", "Data", "pytorch_accuracy.bin")
SETS = [("normal5", 5.0), ("normal30", 30.0)]
ROWS = {3: 512, 10: 512, 100: 256, 1000: 40}
SEED = 20261122
MAX_BYTES = 2 * 1024 * 1024


def main():
    torch.set_num_threads(1)
    chunks = [b"SMGACC1\0", struct.pack("<i", len(SETS) * len(ROWS))]
    for set_index, (name, scale) in enumerate(SETS):
        for classes, rows in ROWS.items():
            generator = torch.Generator().manual_seed(SEED + 1000 * set_index + classes)
            logits = (torch.randn(rows, classes, generator=generator, dtype=torch.float64) * scale).to(torch.float32)
            softmax = F.softmax(logits, dim=1)
            log_softmax = F.log_softmax(logits, dim=1)
            encoded = name.encode("utf-8")
            chunks.append(struct.pack("<i", len(encoded)) + encoded + struct.pack("<ii", classes, rows))
            for tensor in (logits, softmax, log_softmax):
                assert tensor.dtype == torch.float32 and tensor.shape == (rows, classes)
                chunks.append(tensor.contiguous().numpy().astype("<f4").tobytes())
    data = b"".join(chunks)
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{len(data)} bytes: over the {MAX_BYTES}-byte budget")
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUTPUT}: {len(data)} bytes, torch {torch.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
