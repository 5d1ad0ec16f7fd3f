"""Writes the one-node ONNX models that the ONNX Runtime peer of the benchmarks runs (and a SoftmaxCrossEntropyLoss).

Each model is a single Softmax or LogSoftmax node over the last axis (axis = -1, opset 13) of an input of symbolic
shape [N, C], so one model serves every class count and batch size. float32 and float64 versions: ONNX Runtime's CPU
provider has both types for both operators at opset 13.

Run with /usr/bin/python3 (Debian: apt-get install -y python3-onnx) from anywhere; it writes the .onnx files next to
itself. The files are checked in, so building and running the benchmarks needs no Python.
"""

import os

import onnx
from onnx import TensorProto, helper

OPSET = 13
# IR version 7 is the one that goes with opset 13; fixing it (and the producer) keeps the bytes independent of the
# onnx package that runs this script.
IR_VERSION = 7

MODELS = [
    ("softmax_float.onnx", "Softmax", TensorProto.FLOAT),
    ("logsoftmax_float.onnx", "LogSoftmax", TensorProto.FLOAT),
    ("softmax_double.onnx", "Softmax", TensorProto.DOUBLE),
    ("logsoftmax_double.onnx", "LogSoftmax", TensorProto.DOUBLE),
]

# SoftmaxCrossEntropyLoss (opset 13): scores [N, C], int64 labels [N], the mean loss as a scalar.
LOSS_MODELS = [
    ("crossentropymean_float.onnx", TensorProto.FLOAT),
]


def make_model(op_type: str, element_type: int) -> onnx.ModelProto:
    """One node, input "logits" and output "output", both [N, C] with symbolic dimensions."""
    logits = helper.make_tensor_value_info("logits", element_type, ["N", "C"])
    output = helper.make_tensor_value_info("output", element_type, ["N", "C"])
    node = helper.make_node(op_type, ["logits"], ["output"], axis=-1)
    graph = helper.make_graph([node], op_type.lower(), [logits], [output])
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_operatorsetid("", OPSET)],
        producer_name="SoftmaxGen benchmarks/models/make_models.py",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def make_loss_model(element_type: int) -> onnx.ModelProto:
    """One SoftmaxCrossEntropyLoss node with reduction "mean": inputs "logits" [N, C] and "labels" [N], output "output" []."""
    logits = helper.make_tensor_value_info("logits", element_type, ["N", "C"])
    labels = helper.make_tensor_value_info("labels", TensorProto.INT64, ["N"])
    output = helper.make_tensor_value_info("output", element_type, [])
    node = helper.make_node("SoftmaxCrossEntropyLoss", ["logits", "labels"], ["output"], reduction="mean")
    graph = helper.make_graph([node], "crossentropymean", [logits, labels], [output])
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_operatorsetid("", OPSET)],
        producer_name="SoftmaxGen benchmarks/models/make_models.py",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    directory = os.path.dirname(os.path.abspath(__file__))
    for file_name, op_type, element_type in MODELS:
        path = os.path.join(directory, file_name)
        onnx.save(make_model(op_type, element_type), path)
        print(f"{path}: {op_type}, {TensorProto.DataType.Name(element_type)}, {os.path.getsize(path)} bytes")
    for file_name, element_type in LOSS_MODELS:
        path = os.path.join(directory, file_name)
        onnx.save(make_loss_model(element_type), path)
        print(f"{path}: SoftmaxCrossEntropyLoss, {TensorProto.DataType.Name(element_type)}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
