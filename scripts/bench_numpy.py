#!/usr/bin/python3
"""Time training epochs of MLPs (relu, Adam) in numpy and in `perceptron bench`,
in the same run, for lists of network and batch sizes, and print every ratio.

The numpy program is the same network and step as the Go one: float32,
Glorot-uniform weights, zero biases, a new shuffled order each epoch, the
minibatch gathered by index, inverted dropout after each hidden layer when
--dropout is given, mean cross-entropy of log-softmax, Adam with Keras's
defaults (lr 0.001, beta1 0.9, beta2 0.999, eps 1e-7), no evaluation, and
no gradient for the input. It runs one warm-up epoch and then times
--epochs epochs; the figure is the median. It also times numpy's forward
pass (loss and accuracy) over the 70,000 training and test images, against
`bench`'s evaluation. PyTorch is timed too when it is installed.

--hidden takes a list of hidden-layer sizes, each one layer or several
joined by + (20,64,256,1024 or 512+512), and --batch a list of batch sizes;
every pair is a cell. Each round times every cell, numpy and then each
binary in turn, for --rounds rounds (default 3); each ratio is taken within
its round and cell, and the figure printed is the median ratio: on a shared
machine the speed of both moves by tens of percent from minute to minute.

Usage:
    scripts/bench_numpy.py [--perceptron BIN]... [--hidden LIST] [--batch LIST] [--dropout RATE]
                           [--epochs N] [--evals N] [--rounds N] [--threads N] [--data DIR] [--json]

Each cell's figures of each round are printed on stderr as they come.
Each --perceptron binary (default: build ./cmd/perceptron into a temporary
directory) runs `bench -json` with the same configuration. The BLAS threads
of numpy (and of an OpenBLAS build of perceptron) are set by --threads
through OPENBLAS_NUM_THREADS (default 1, as the figures in the README).
Needs Debian's /usr/bin/python3 with numpy.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ARGS = None


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--perceptron", action="append", default=[],
                   help="perceptron binary to time (repeatable; default: go build ./cmd/perceptron)")
    p.add_argument("--epochs", type=int, default=5, help="timed epochs after the warm-up (default 5)")
    p.add_argument("--evals", type=int, default=1, help="timed evaluation passes over the 70,000 images per cell and round (default 1)")
    p.add_argument("--threads", type=int, default=1, help="OPENBLAS_NUM_THREADS for numpy and OpenBLAS builds (default 1)")
    p.add_argument("--data", default="", help="directory of the MNIST *-ubyte.gz files (default: ask `perceptron data -dir`)")
    p.add_argument("--hidden", default="20",
                   help="comma-separated hidden layers, each a size or sizes joined by + (default 20; e.g. 20,64,256,1024 or 512+512)")
    p.add_argument("--batch", default="200", help="comma-separated batch sizes (default 200)")
    p.add_argument("--dropout", type=float, default=0.0, help="dropout rate after each hidden layer, 0 <= rate < 1 (default 0)")
    p.add_argument("--rounds", type=int, default=3,
                   help="alternating rounds of numpy and each binary; the figures are the medians (default 3)")
    p.add_argument("--json", action="store_true", help="print all figures as one JSON object")
    args = p.parse_args()
    for flag in ("epochs", "evals", "rounds", "threads"):
        if getattr(args, flag) < 1:
            p.error(f"--{flag} {getattr(args, flag)}: want at least 1")
    if not 0 <= args.dropout < 1:
        p.error(f"--dropout {args.dropout}: want 0 <= rate < 1")
    args.networks = []
    for item in args.hidden.split(","):
        try:
            layers = [int(h) for h in item.split("+")]
        except ValueError:
            p.error(f"--hidden {args.hidden}: {item!r} is not a size or sizes joined by +")
        if min(layers) < 1:
            p.error(f"--hidden {args.hidden}: {item!r}: want at least 1 neuron per layer")
        args.networks.append(layers)
    args.batches = []
    for item in args.batch.split(","):
        try:
            b = int(item)
        except ValueError:
            p.error(f"--batch {args.batch}: {item!r} is not a number")
        if b < 1:
            p.error(f"--batch {item}: want at least 1")
        args.batches.append(b)
    return args


def network_name(layers):
    return "784-" + "-".join(str(h) for h in layers) + "-10"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return raw[4 + 4 * ndim:], dims


def load(data_dir, prefix):
    import numpy as np
    for suffix in (".gz", ""):
        ip = os.path.join(data_dir, prefix + "-images-idx3-ubyte" + suffix)
        lp = os.path.join(data_dir, prefix + "-labels-idx1-ubyte" + suffix)
        if os.path.exists(ip) and os.path.exists(lp):
            break
    else:
        sys.exit(f"bench_numpy: no {prefix}-images-idx3-ubyte(.gz) in {data_dir}")
    raw, dims = read_idx(ip)
    x = np.frombuffer(raw, dtype=np.uint8).reshape(dims[0], dims[1] * dims[2]).astype(np.float32) / np.float32(255)
    raw, _ = read_idx(lp)
    y = np.frombuffer(raw, dtype=np.uint8).astype(np.int64)
    return x, y


class Net:
    """A numpy MLP 784 → layers → 10 (relu) with the Go program's initialisation and Adam."""

    def __init__(self, layers, seed=1):
        import numpy as np
        self.rng = np.random.default_rng(seed)
        sizes = [784] + list(layers) + [10]
        self.params = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            lim = np.sqrt(6.0 / (fan_in + fan_out))
            self.params += [self.rng.uniform(-lim, lim, size=(fan_in, fan_out)).astype(np.float32),
                            np.zeros(fan_out, np.float32)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, xb):
        """Returns the log-probabilities of xb's rows."""
        import numpy as np
        h = xb
        n = len(self.params) // 2
        for i in range(n):
            z = h @ self.params[2 * i] + self.params[2 * i + 1]
            h = np.maximum(z, 0) if i < n - 1 else z
        z = h - h.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def step(self, xb, yb, dropout):
        import numpy as np
        bs = xb.shape[0]
        n = len(self.params) // 2
        acts, zs, masks = [xb], [], []
        h = xb
        for i in range(n - 1):
            z = h @ self.params[2 * i] + self.params[2 * i + 1]
            h = np.maximum(z, 0)
            if dropout:
                mask = (self.rng.random(h.shape, dtype=np.float32) >= dropout).astype(np.float32) * np.float32(1 / (1 - dropout))
                h = h * mask
                masks.append(mask)
            zs.append(z)
            acts.append(h)
        z = h @ self.params[-2] + self.params[-1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        dz = (p - yb) / np.float32(bs)
        grads = [None] * len(self.params)
        for i in reversed(range(n)):
            grads[2 * i] = acts[i].T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i > 0:  # no gradient for the input
                dh = dz @ self.params[2 * i].T
                if dropout:
                    dh = dh * masks[i - 1]
                dz = dh * (zs[i - 1] > 0)
        self.t += 1
        lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
        a = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for i, g in enumerate(grads):
            self.m[i] *= b1
            self.m[i] += (1 - b1) * g
            self.v[i] *= b2
            self.v[i] += (1 - b2) * g * g
            self.params[i] -= (a * self.m[i] / (np.sqrt(self.v[i]) + eps)).astype(np.float32)


def numpy_epochs(x, y, layers, batch, epochs, dropout):
    """Returns the seconds of each of epochs timed epochs after a warm-up."""
    import numpy as np
    net = Net(layers)
    onehot = np.eye(10, dtype=np.float32)
    n = x.shape[0]

    def epoch():
        perm = net.rng.permutation(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            net.step(x[idx], onehot[y[idx]], dropout)

    return timed(epoch, epochs)


def numpy_eval(sets, layers, evals):
    """Returns the median seconds of a forward pass (loss and accuracy) over
    every image of sets, in batches of 10,000."""
    import numpy as np
    net = Net(layers)
    times = []
    for _ in range(evals):
        start = time.perf_counter()
        for x, y in sets:
            for lo in range(0, x.shape[0], 10000):
                logp = net.forward(x[lo:lo + 10000])
                yb = y[lo:lo + 10000]
                _loss = -logp[np.arange(len(yb)), yb].mean()
                _acc = (logp.argmax(axis=1) == yb).mean()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(epoch, epochs):
    """Runs epoch once to warm up, then epochs times, and returns the seconds of each timed run."""
    epoch()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return times


def torch_epochs(x, y, layers, batch, epochs, dropout):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(1)
    torch.set_num_threads(ARGS.threads)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    mods, fan_in = [], 784
    for h in layers:
        mods += [torch.nn.Linear(fan_in, h), torch.nn.ReLU()]
        if dropout:
            mods.append(torch.nn.Dropout(dropout))
        fan_in = h
    model = torch.nn.Sequential(*mods, torch.nn.Linear(fan_in, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()
    n = X.shape[0]

    def epoch():
        perm = torch.randperm(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            opt.zero_grad()
            loss = lossf(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()

    return timed(epoch, epochs)


def go_bench(binary, data_dir, env, layers, batch):
    cmd = [binary, "bench", "-json", "-activation", "relu", "-optimizer", "adam",
           "-hidden", "+".join(str(h) for h in layers), "-batch", str(batch),
           "-epochs", str(ARGS.epochs), "-evals", str(ARGS.evals)]
    if ARGS.dropout:
        cmd += ["-dropout", str(ARGS.dropout)]
    if data_dir:
        cmd += ["-data", data_dir]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def lower_median(xs):
    xs = sorted(xs)
    return xs[(len(xs) - 1) // 2]


def build_label(r):
    """A short name for a binary's build, from the BLAS it reports."""
    return "OpenBLAS build" if r["blas"].startswith("openblas") else "pure-Go build"


def main():
    global ARGS
    ARGS = parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(ARGS.threads))
    # numpy's OpenBLAS reads the variable when it loads: set it before the import.
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
    try:
        import numpy  # noqa: F401
    except ImportError:
        sys.exit("bench_numpy: numpy is missing; run with Debian's /usr/bin/python3 (apt-get install python3-numpy)")

    tmp = None
    binaries = ARGS.perceptron
    if not binaries:
        tmp = tempfile.mkdtemp(prefix="bench-numpy-")
        binaries = [os.path.join(tmp, "perceptron")]
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        subprocess.run(["go", "build", "-o", binaries[0], "./cmd/perceptron"], cwd=root, check=True)
    cells = [{"hidden": layers, "batch": b} for layers in ARGS.networks for b in ARGS.batches]
    try:
        data_dir = ARGS.data or subprocess.run([binaries[0], "data", "-dir"], check=True,
                                               capture_output=True, text=True).stdout.strip()
        x, y = load(data_dir, "train")
        test = load(data_dir, "t10k")
        # Alternate the runs, round after round (every cell in each round),
        # so that numpy and each binary see the same machine load; each
        # ratio is taken within its round and cell.
        for c in cells:
            c["rounds"] = []
        for _ in range(ARGS.rounds):
            for c in cells:
                layers, batch = c["hidden"], c["batch"]
                rnd = {"numpy_seconds_per_epoch": statistics.median(numpy_epochs(x, y, layers, batch, ARGS.epochs, ARGS.dropout)),
                       "numpy_eval_seconds": numpy_eval([(x, y), test], layers, ARGS.evals)}
                tt = torch_epochs(x, y, layers, batch, ARGS.epochs, ARGS.dropout)
                if tt is not None:
                    rnd["torch_seconds_per_epoch"] = statistics.median(tt)
                rnd["perceptron"] = []
                for b in binaries:
                    r = go_bench(b, ARGS.data, env, layers, batch)
                    r["binary"] = b
                    r["ratio_to_numpy"] = r["seconds_per_epoch"] / rnd["numpy_seconds_per_epoch"]
                    r["eval_ratio_to_numpy"] = r["eval_seconds"] / rnd["numpy_eval_seconds"]
                    rnd["perceptron"].append(r)
                c["rounds"].append(rnd)
                print(f"bench_numpy: round {len(c['rounds'])}, {network_name(layers)} batch {batch}: numpy "
                      f"{rnd['numpy_seconds_per_epoch']:.4f} s/epoch, " +
                      ", ".join(f"{build_label(r)} {r['seconds_per_epoch']:.4f} (ratio {r['ratio_to_numpy']:.2f})"
                                for r in rnd["perceptron"]), file=sys.stderr, flush=True)
        for c in cells:
            rounds = c["rounds"]
            c["network"] = network_name(c["hidden"])
            c["numpy_seconds_per_epoch"] = statistics.median(r["numpy_seconds_per_epoch"] for r in rounds)
            c["numpy_eval_seconds"] = statistics.median(r["numpy_eval_seconds"] for r in rounds)
            if "torch_seconds_per_epoch" in rounds[0]:
                c["torch_seconds_per_epoch"] = statistics.median(r["torch_seconds_per_epoch"] for r in rounds)
            # per binary: the round with the (lower) median ratio
            c["perceptron"] = []
            for i in range(len(binaries)):
                runs = sorted((r["perceptron"][i] for r in rounds), key=lambda r: r["ratio_to_numpy"])
                med = dict(runs[(len(runs) - 1) // 2])
                med["ratios_to_numpy"] = [r["perceptron"][i]["ratio_to_numpy"] for r in rounds]
                med["eval_ratios_to_numpy"] = [r["perceptron"][i]["eval_ratio_to_numpy"] for r in rounds]
                med["eval_ratio_to_numpy"] = lower_median(med["eval_ratios_to_numpy"])
                c["perceptron"].append(med)
        # numpy once more at the end, to show how much the machine's speed moved
        last = cells[-1]
        last["numpy_seconds_per_epoch_after"] = statistics.median(
            numpy_epochs(x, y, last["hidden"], last["batch"], ARGS.epochs, ARGS.dropout))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    results = {"config": {"hidden": [c["hidden"] for c in cells], "batch": ARGS.batches, "activation": "relu",
                          "optimizer": "adam", "dropout": ARGS.dropout, "epochs": ARGS.epochs, "evals": ARGS.evals,
                          "threads": ARGS.threads, "rounds": ARGS.rounds},
               "cells": cells}
    # The first cell's figures at the top level too, as for one configuration.
    for k in ("rounds", "numpy_seconds_per_epoch", "numpy_eval_seconds", "torch_seconds_per_epoch", "perceptron"):
        if k in cells[0]:
            results[k] = cells[0][k]
    results["numpy_seconds_per_epoch_after"] = last["numpy_seconds_per_epoch_after"]
    if ARGS.json:
        json.dump(results, sys.stdout, indent=1)
        print()
        return
    print(f"relu, Adam{f', dropout {ARGS.dropout}' if ARGS.dropout else ''}; median of {ARGS.epochs} epochs after a warm-up; "
          f"OPENBLAS_NUM_THREADS={ARGS.threads}; {ARGS.rounds} alternating rounds; "
          f"each ratio within its round, the median first and every round's in brackets")
    labels = [build_label(r) for r in cells[0]["perceptron"]]
    head = "| network | batch | numpy s/epoch |" + "".join(f" {l} s/epoch | ratio |" for l in labels)
    head += " numpy forward s |" + "".join(f" {l} eval s | ratio |" for l in labels)
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for c in cells:
        row = f"| {c['network']} | {c['batch']} | {c['numpy_seconds_per_epoch']:.4f} |"
        for r in c["perceptron"]:
            row += (f" {r['seconds_per_epoch']:.4f} | **{r['ratio_to_numpy']:.2f}** "
                    f"({' '.join('%.2f' % q for q in r['ratios_to_numpy'])}) |")
        row += f" {c['numpy_eval_seconds']:.3f} |"
        for r in c["perceptron"]:
            row += (f" {r['eval_seconds']:.3f} | {r['eval_ratio_to_numpy']:.2f} "
                    f"({' '.join('%.2f' % q for q in r['eval_ratios_to_numpy'])}) |")
        print(row)
    numpy_rounds = " ".join(f"{r['numpy_seconds_per_epoch']:.4f}" for r in cells[-1]["rounds"])
    print(f"numpy on {cells[-1]['network']} batch {cells[-1]['batch']}: {numpy_rounds} s/epoch over the rounds, "
          f"{last['numpy_seconds_per_epoch_after']:.4f} again at the end")
    if "torch_seconds_per_epoch" in cells[0]:
        print("pytorch " + ", ".join(f"{c['network']} batch {c['batch']}: {c['torch_seconds_per_epoch']:.4f} s/epoch" for c in cells))
    else:
        print("pytorch: not installed, skipped")
    for r, l in zip(cells[0]["perceptron"], labels):
        print(f"{l}: {r['binary']} [{r['blas']}]")


if __name__ == "__main__":
    main()
