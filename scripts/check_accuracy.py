#!/usr/bin/python3
"""Recompute a run's test accuracy and loss from its .npy weights with numpy only.

    /usr/bin/python3 scripts/check_accuracy.py RUN_DIR --data MNIST_DIR [--json]

RUN_DIR holds w1.npy (784xH), b1.npy (H), w2.npy (Hx10), b2.npy (10) and model.json, as
`perceptron train` writes them; MNIST_DIR holds t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz (`perceptron data` prints where they are).
probabilities = softmax(act(x @ w1 + b1) @ w2 + b2) with x = pixels / 255, row-major.
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np


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


def load_model(run_dir):
    with open(os.path.join(run_dir, "model.json")) as f:
        model = json.load(f)
    weights = {w["name"]: np.load(os.path.join(run_dir, w["file"])) for w in model["weights"]}
    return model, weights


def log_probs(model, weights, x):
    z1 = x @ weights["w1"] + weights["b1"]
    if model["architecture"]["activation"] == "relu":
        h = np.maximum(z1, 0)
    else:
        h = 1 / (1 + np.exp(-z1))
    z2 = h @ weights["w2"] + weights["b2"]
    z2 = z2 - z2.max(axis=1, keepdims=True)
    return z2 - np.log(np.exp(z2).sum(axis=1, keepdims=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("--data", required=True, help="directory of the MNIST files")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    model, weights = load_model(args.run_dir)
    images = read_idx(find(args.data, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(find(args.data, "t10k-labels-idx1-ubyte.gz"))
    x = images.reshape(len(images), 784).astype(np.float32) / 255
    logp = log_probs(model, weights, x).astype(np.float64)
    acc = float((logp.argmax(axis=1) == labels).mean())
    loss = float(-logp[np.arange(len(labels)), labels].mean())
    if args.json:
        print(json.dumps({"test_acc": acc, "test_loss": loss, "n": int(len(labels))}))
    else:
        print(f"test accuracy {acc:.4f}  test loss {loss:.4f}  ({len(labels)} images)")


if __name__ == "__main__":
    main()
