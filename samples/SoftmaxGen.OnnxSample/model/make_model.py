#!/usr/bin/python3
"""Trains the ONNX sample's digit classifier in PyTorch, exports it to ONNX and writes PyTorch's reference values.

Run with /usr/bin/python3 from anywhere (Debian: apt-get install -y python3-torch python3-onnx). It reads
samples/SoftmaxGen.Demo/data/digits.csv.gz and writes:

- digits_mlp.onnx, next to itself: the model. Input "pixels", float32 [batch, 64] (the 8x8 image row by row, values
  0..16, as in digits.csv.gz); output "logits", float32 [batch, 10], with no softmax in the graph. Opset 13, dynamic
  batch.
- tests/SoftmaxGen.Samples.Tests/Golden/digits_mlp_reference.json, the reference values the tests read without
  Python: what PyTorch computes from the held-out images: the labels, the logits, torch.topk(F.softmax(logits,
  dim=1), 3), F.cross_entropy(logits, labels) (mean) and the accuracy. Floats are JSON numbers, the shortest text
  that parses back to the same float32.

The split is fixed by row number: rows 0, 5, 10, ... of digits.csv.gz (360 images) are held out, the other 1437
train. The model is x / 16 -> Linear(64, 32) -> ReLU -> Linear(32, 10), trained with Adam on mini-batches in an
order drawn from a fixed seed, on one thread: rerunning the script with the same PyTorch build on the same machine
reproduces both files byte for byte.
"""

import gzip
import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "SoftmaxGen.Demo", "data", "digits.csv.gz")
MODEL = os.path.join(HERE, "digits_mlp.onnx")
REFERENCE = os.path.join(HERE, "..", "..", "..", "tests", "SoftmaxGen.Samples.Tests", "Golden", "digits_mlp_reference.json")

SEED = 2024
HELD_OUT_EVERY = 5
HIDDEN = 32
EPOCHS = 60
BATCH = 64
LEARNING_RATE = 0.01
TOP_K = 3
OPSET = 13


class DigitsMlp(nn.Module):
    """A two-layer perceptron over the 64 raw pixel counts; the scaling to [0, 1] is part of the model."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(64, HIDDEN)
        self.output = nn.Linear(HIDDEN, 10)

    def forward(self, pixels):
        return self.output(F.relu(self.hidden(pixels / 16.0)))


def load_digits():
    with gzip.open(DATA, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float32)
    assert rows.shape == (1797, 65), rows.shape
    return torch.from_numpy(rows[:, :64].copy()), torch.from_numpy(rows[:, 64].astype(np.int64))


def train(pixels, labels):
    torch.manual_seed(SEED)
    model = DigitsMlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    order = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(labels), generator=order).split(BATCH):
            optimizer.zero_grad()
            F.cross_entropy(model(pixels[batch]), labels[batch]).backward()
            optimizer.step()
    return model.eval()


def export(model):
    torch.onnx.export(
        model,
        torch.zeros(1, 64),
        MODEL,
        input_names=["pixels"],
        output_names=["logits"],
        dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(MODEL), full_check=True)


def shortest(value):
    """The shortest decimal text that parses back to the same float32 (a JSON number)."""
    text = str(np.float32(value))
    assert np.float32(float(text)).tobytes() == np.float32(value).tobytes(), (text, value)
    return text


def write_reference(model, rows, pixels, labels):
    with torch.no_grad():
        logits = model(pixels)
    probabilities, indices = torch.topk(F.softmax(logits, dim=1), TOP_K, dim=1)
    loss = F.cross_entropy(logits, labels)
    accuracy = (logits.argmax(dim=1) == labels).double().mean().item()

    # The top-k order must not hinge on the last bits of a logit: ONNX Runtime's logits differ from PyTorch's by a few
    # roundings, so require a clear gap between consecutive ranked logits (and after the k-th).
    ranked = logits.sort(dim=1, descending=True).values
    gap = (ranked[:, :TOP_K] - ranked[:, 1:TOP_K + 1]).min().item()
    assert gap > 1e-3, f"two logits of a held-out image are within {gap} of each other: change SEED"

    def matrix(values, cell):
        return "[\n" + ",\n".join("    [" + ", ".join(cell(v) for v in row) + "]" for row in values.tolist()) + "\n  ]"

    fields = [
        ("pytorch", json.dumps(torch.__version__)),
        ("held_out_rows", json.dumps(f"row numbers of digits.csv.gz divisible by {HELD_OUT_EVERY}")),
        ("held_out_every", str(HELD_OUT_EVERY)),
        ("rows", str(len(rows))),
        ("classes", "10"),
        ("k", str(TOP_K)),
        ("smallest_ranked_logit_gap", shortest(gap)),
        ("mean_cross_entropy", shortest(loss.item())),
        ("accuracy", repr(accuracy)),
        ("labels", json.dumps(labels.tolist())),
        ("top_indices", matrix(indices, str)),
        ("top_probabilities", matrix(probabilities, shortest)),
        ("logits", matrix(logits, shortest)),
    ]
    text = "{\n" + ",\n".join(f'  "{name}": {value}' for name, value in fields) + "\n}\n"
    json.loads(text)
    os.makedirs(os.path.dirname(REFERENCE), exist_ok=True)
    with open(REFERENCE, "w", encoding="utf-8") as f:
        f.write(text)
    return loss.item(), accuracy


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    pixels, labels = load_digits()
    rows = torch.arange(len(labels))
    held_out = rows % HELD_OUT_EVERY == 0
    model = train(pixels[~held_out], labels[~held_out])
    export(model)
    loss, accuracy = write_reference(model, rows[held_out], pixels[held_out], labels[held_out])
    print(f"{MODEL}: {os.path.getsize(MODEL)} bytes; held out: {held_out.sum().item()} images, "
          f"mean cross-entropy {loss:.6f}, accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
