#!/usr/bin/python3
"""Predict digits with a trained perceptron's run directory, with numpy only.

    /usr/bin/python3 scripts/predict.py RUN_DIR INPUT [INPUT ...] [--json]

RUN_DIR is what `perceptron train` writes: model.json and w1.npy (784xH1), b1.npy (H1), ...,
wN.npy (HN-1x10), bN.npy (10) for N dense layers (w1 b1 w2 b2 for one hidden layer; run
directories of earlier versions, model.json format version 1, are read too). Hidden layers
apply the model's activation (sigmoid, relu or tanh), the last one softmax. Each INPUT is
  - an .npy array of shape (N, 28, 28) or (N, 784) (or one image, (28, 28) or (784,)):
    float32/float64 pixel/255 values in [0, 1], or uint8 pixels 0-255; white ink on black,
    the digit centred as MNIST's are;
  - a 28x28 PNG (needs PIL), such as `perceptron predict -save-preprocessed DIR` writes.
    Photos must first be prepared as MNIST's digits were: `perceptron predict` does that.

One line per image: the digit, its confidence and the runner-up; --json prints one JSON
object per line with the keys of `perceptron predict -json`: input, digit, confidence,
probabilities, runner_up, runner_up_confidence.

From Python:

    import sys; sys.path.insert(0, "scripts")
    from predict import load_model, predict_proba
    model = load_model("runs/my-run")
    probs = predict_proba(model, images)   # images: (N, 784) or (N, 28, 28), values in [0, 1]
    digits = probs.argmax(axis=1)
"""
import argparse
import json
import os
import sys

import numpy as np

FORMAT, FORMAT_VERSIONS = "perceptron-mnist", (1, 2)
ACTIVATIONS = ("sigmoid", "relu", "tanh")


class ModelError(Exception):
    """A run directory that cannot be used; the message names the file."""


def load_model(run_dir):
    """Reads and checks model.json (format version 1, one hidden layer, or 2, any
    number) and the weights it lists; returns a dict with the architecture, the
    float32 weights by name, and "layers": the dense layers input first, as
    (weights (in, out), biases (out,), activation) with "softmax" last."""
    path = os.path.join(run_dir, "model.json")
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise ModelError(f"{path}: {e}") from None
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    version = meta.get("format_version")
    if version not in FORMAT_VERSIONS:
        raise ModelError(f"{path}: format version {version}, this script reads versions 1 and 2")
    arch = meta["architecture"]
    hidden = arch["hidden"] if isinstance(arch["hidden"], list) else [arch["hidden"]]
    if version == 1 and len(hidden) != 1:
        raise ModelError(f"{path}: format version 1 with {len(hidden)} hidden layers")
    if arch["activation"] not in ACTIVATIONS:
        raise ModelError(f"{path}: activation {arch['activation']!r}, want one of {', '.join(ACTIVATIONS)}")
    widths = [arch["inputs"]] + hidden + [arch["outputs"]]
    n = len(widths) - 1
    acts = [arch["activation"]] * (n - 1) + ["softmax"]
    if version == 2:
        listed_layers = [(l.get("units"), l.get("activation"), l.get("weights"), l.get("bias")) for l in arch.get("layers", [])]
        want_layers = [(widths[i + 1], acts[i], f"w{i + 1}", f"b{i + 1}") for i in range(n)]
        if listed_layers != want_layers:
            raise ModelError(f"{path}: layers {listed_layers} do not match the architecture's {want_layers}")
    want = {}
    for i in range(n):
        want[f"w{i + 1}"] = (widths[i], widths[i + 1])
        want[f"b{i + 1}"] = (widths[i + 1],)
    listed = {w["name"]: w for w in meta.get("weights", [])}
    weights = {}
    for name in want:
        if name not in listed:
            raise ModelError(f"{path}: weight {name} is not listed")
        fpath = os.path.join(run_dir, os.path.basename(listed[name]["file"]))
        try:
            a = np.load(fpath, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise ModelError(f"{fpath}: {e}") from None
        if a.dtype != np.float32:
            raise ModelError(f"{fpath}: dtype {a.dtype}, want float32")
        if a.shape != want[name]:
            raise ModelError(f"{fpath}: shape {a.shape}, want {want[name]}")
        if not np.isfinite(a).all():
            raise ModelError(f"{fpath}: holds NaN or infinite values")
        weights[name] = a
    layers = [(weights[f"w{i + 1}"], weights[f"b{i + 1}"], acts[i]) for i in range(n)]
    return {"architecture": arch, "weights": weights, "layers": layers, "dir": run_dir}


def activate(z, activation):
    """A hidden layer's activation, in float32; unknown ones are refused."""
    if activation == "relu":
        return np.maximum(z, np.float32(0))
    if activation == "sigmoid":
        return np.float32(1) / (np.float32(1) + np.exp(-z))
    if activation == "tanh":
        return np.tanh(z)
    raise ModelError(f"activation {activation!r}, want one of {', '.join(ACTIVATIONS)}")


def log_probs(model, images):
    """Log-probabilities (N, 10) of images: (N, 784) or (N, 28, 28) in [0, 1],
    computed in float32 layer by layer: act(h @ w + b), log-softmax last."""
    layers = model["layers"]
    h = np.asarray(images, dtype=np.float32).reshape(-1, layers[0][0].shape[0])
    for w, b, activation in layers[:-1]:
        h = activate(h @ w + b, activation)
    w, b, _ = layers[-1]
    z = h @ w + b
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def predict_proba(model, images):
    """Probabilities (N, 10) of images: (N, 784) or (N, 28, 28) in [0, 1]."""
    return np.exp(log_probs(model, images))


def read_images(path):
    """Images of an .npy array or a 28x28 PNG, as (N, 784) float32 in [0, 1]."""
    if path.lower().endswith(".npy"):
        try:
            a = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise ValueError(f"{path}: {e}") from None
        if a.shape in ((28, 28), (784,)):
            a = a.reshape(1, 784)
        if not (a.ndim == 3 and a.shape[1:] == (28, 28) or a.ndim == 2 and a.shape[1] == 784) or len(a) == 0:
            raise ValueError(f"{path}: array of shape {a.shape}, want (N, 28, 28) or (N, 784)")
        if a.dtype == np.uint8:
            a = a.astype(np.float32) / 255
        elif a.dtype in (np.float32, np.float64):
            a = a.astype(np.float32)
            if not np.isfinite(a).all() or a.min() < -1e-3 or a.max() > 1 + 1e-3:
                raise ValueError(f"{path}: values from {a.min()} to {a.max()}: want pixel/255 values in [0, 1]")
            a = np.clip(a, 0, 1)
        else:
            raise ValueError(f"{path}: dtype {a.dtype}, want float32, float64 (pixel/255) or uint8 (pixel)")
        return a.reshape(-1, 784)
    try:
        from PIL import Image
    except ImportError:
        raise ValueError(f"{path}: reading PNG needs PIL (python3-pil); or give an .npy array") from None
    try:
        with Image.open(path) as im:
            im = im.convert("L")
            if im.size != (28, 28):
                raise ValueError(f"{path}: image is {im.size[0]}x{im.size[1]}, want 28x28 white-on-black "
                                 "(prepare photos with `perceptron predict -save-preprocessed DIR`)")
            return (np.asarray(im, dtype=np.float32) / 255).reshape(1, 784)
    except OSError as e:
        raise ValueError(f"{path}: {e}") from None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", help="run directory written by `perceptron train`")
    ap.add_argument("inputs", nargs="+", help=".npy arrays (N, 28, 28) / (N, 784), or 28x28 PNGs")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    args = ap.parse_args()
    try:
        model = load_model(args.run_dir)
    except ModelError as e:
        sys.exit(f"predict.py: {e}")
    failed = 0
    for path in args.inputs:
        try:
            x = read_images(path)
        except ValueError as e:
            print(f"predict.py: {e}", file=sys.stderr)
            failed += 1
            continue
        probs = predict_proba(model, x)
        for i, p in enumerate(probs):
            name = f"{path}[{i}]" if path.lower().endswith(".npy") else path
            order = np.argsort(-p, kind="stable")
            d, r = int(order[0]), int(order[1])
            if args.json:
                print(json.dumps({"input": name, "digit": d, "confidence": float(p[d]),
                                  "probabilities": [float(v) for v in p],
                                  "runner_up": r, "runner_up_confidence": float(p[r])}))
            else:
                print(f"{name}: {d} (confidence {p[d]:.3f}), runner-up {r} ({p[r]:.3f})")
    if failed:
        sys.exit(f"predict.py: {failed} of {len(args.inputs)} inputs could not be read")


if __name__ == "__main__":
    main()
