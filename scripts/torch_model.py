#!/usr/bin/python3
"""Load a perceptron run directory into PyTorch as a torch.nn.Sequential.

    /usr/bin/python3 scripts/torch_model.py RUN_DIR out.pt                 # save its state_dict
    /usr/bin/python3 scripts/torch_model.py RUN_DIR --check --data MNIST_DIR [--json]

RUN_DIR is what `perceptron train` writes (model.json and its .npy weights; the best/ of a
-save-best run is one too). The network is Linear, activation, ..., Linear, Softmax(dim=1):
its input is (N, 784) float32 pixel/255, 28x28 row-major, white ink on black; its output
the (N, 10) probabilities. --check evaluates it on the MNIST test set in MNIST_DIR
(`perceptron data -dir` prints where that is) and prints the accuracy.
Needs Debian's python3-torch (and python3-numpy).

From Python:

    import sys; sys.path.insert(0, "scripts")
    import torch
    from torch_model import load
    net = load("runs/A")                      # torch.nn.Sequential, in eval mode
    with torch.no_grad():
        probs = net(torch.from_numpy(images.reshape(-1, 784)))   # float32 in [0, 1]
    digits = probs.argmax(dim=1)
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_accuracy import find, read_idx  # noqa: E402
from predict import ModelError, load_model  # noqa: E402

ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}


def layers(model):
    """The dense layers of a model loaded by predict.load_model, input first, as
    (weights (in, out), biases (out,), activation) with "softmax" last."""
    return model["layers"]


def load(run_dir):
    """Returns the run's network as a torch.nn.Sequential in eval mode; raises
    predict.ModelError, naming the file, when the run directory cannot be used."""
    mods = []
    for weights, biases, activation in layers(load_model(run_dir)):
        lin = torch.nn.Linear(weights.shape[0], weights.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights.T)))
            lin.bias.copy_(torch.from_numpy(biases))
        mods.append(lin)
        if activation == "softmax":
            mods.append(torch.nn.Softmax(dim=1))
        elif activation in ACTIVATIONS:
            mods.append(ACTIVATIONS[activation]())
        else:
            raise ModelError(f"{run_dir}: activation {activation!r}: want one of {sorted(ACTIVATIONS)}")
    return torch.nn.Sequential(*mods).eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", help="run directory written by `perceptron train`")
    ap.add_argument("out", nargs="?", help="write the network's state_dict here (torch.save)")
    ap.add_argument("--check", action="store_true", help="evaluate on the MNIST test set")
    ap.add_argument("--data", help="directory of the MNIST files, for --check")
    ap.add_argument("--json", action="store_true", help="print --check's result as one JSON object")
    args = ap.parse_args()
    if not args.out and not args.check:
        ap.error("give OUT.pt to save the state_dict, or --check")
    if args.check and not args.data:
        ap.error("--check needs --data MNIST_DIR (`perceptron data -dir` prints it)")
    try:
        net = load(args.run_dir)
    except ModelError as e:
        sys.exit(f"torch_model.py: {e}")
    if args.out:
        tmp = args.out + ".tmp"
        try:
            torch.save(net.state_dict(), tmp)
            os.replace(tmp, args.out)
        except OSError as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            sys.exit(f"torch_model.py: {args.out}: {e}")
        print(f"wrote {args.out}: {net}", file=sys.stderr)
    if args.check:
        images = read_idx(find(args.data, "t10k-images-idx3-ubyte.gz"))
        labels = read_idx(find(args.data, "t10k-labels-idx1-ubyte.gz"))
        x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
        with torch.no_grad():
            probs = net(x)
        right = int((probs.argmax(dim=1).numpy() == labels).sum())
        acc = right / len(labels)
        if args.json:
            print(json.dumps({"n": int(len(labels)), "accuracy": acc, "torch": torch.__version__}))
        else:
            print(f"torch {torch.__version__}: test accuracy {acc:.4f} ({right} of {len(labels)} images)")


if __name__ == "__main__":
    main()
