#!/usr/bin/python3
"""Recompute a run's test accuracy and loss from its .npy weights with numpy only.

    /usr/bin/python3 scripts/check_accuracy.py RUN_DIR --data MNIST_DIR [--json]

RUN_DIR holds model.json and w1.npy, b1.npy, ..., wN.npy, bN.npy for N dense layers (w1
784xH, b1 H, w2 Hx10, b2 10 for one hidden layer), as `perceptron train` writes them (or an
earlier version did); MNIST_DIR holds t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz
(`perceptron data` prints where they are).
probabilities = softmax(...act(act(x @ w1 + b1) @ w2 + b2)... @ wN + bN) with x = pixels / 255,
row-major, act the model's activation (sigmoid, relu or tanh; any other is refused).
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from predict import ModelError, load_model, log_probs  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, name):
    for candidate in (name, name[:-3]):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    sys.exit(f"check_accuracy: {name} not found in {data_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("--data", required=True, help="directory of the MNIST files")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    try:
        model = load_model(args.run_dir)
    except ModelError as e:
        sys.exit(f"check_accuracy: {e}")
    images = read_idx(find(args.data, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(find(args.data, "t10k-labels-idx1-ubyte.gz"))
    x = images.reshape(len(images), 784).astype(np.float32) / 255
    logp = log_probs(model, x).astype(np.float64)
    acc = float((logp.argmax(axis=1) == labels).mean())
    loss = float(-logp[np.arange(len(labels)), labels].mean())
    if args.json:
        print(json.dumps({"test_acc": acc, "test_loss": loss, "n": int(len(labels))}))
    else:
        print(f"test accuracy {acc:.4f}  test loss {loss:.4f}  ({len(labels)} images)")


if __name__ == "__main__":
    main()
