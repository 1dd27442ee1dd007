#!/usr/bin/python3
"""Time one training epoch of 784-20-10 (relu, Adam, batch 200) in numpy and
in `perceptron bench`, in the same run, and print the ratio.

The numpy program is the same network and step as the Go one: float32,
Glorot-uniform weights, zero biases, a new shuffled order each epoch, the
minibatch gathered by index, mean cross-entropy of log-softmax, Adam with
Keras's defaults (lr 0.001, beta1 0.9, beta2 0.999, eps 1e-7), no evaluation.
It runs one warm-up epoch and then times --epochs epochs; the figure is the
median. PyTorch is timed too when it is installed. numpy and each binary
take turns for --rounds rounds (default 3), each ratio is taken within its
round, and the figure printed is the median ratio: on a shared machine the
speed of both moves by tens of percent from minute to minute.

Usage:
    scripts/bench_numpy.py [--perceptron BIN]... [--epochs N] [--rounds N] [--threads N] [--data DIR] [--json]

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
    p.add_argument("--threads", type=int, default=1, help="OPENBLAS_NUM_THREADS for numpy and OpenBLAS builds (default 1)")
    p.add_argument("--data", default="", help="directory of the MNIST *-ubyte.gz files (default: ask `perceptron data -dir`)")
    p.add_argument("--hidden", type=int, default=20)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3,
                   help="alternating rounds of numpy and each binary; the figures are the medians (default 3)")
    p.add_argument("--json", action="store_true", help="print all figures as one JSON object")
    args = p.parse_args()
    for flag in ("epochs", "rounds", "threads", "hidden", "batch"):
        if getattr(args, flag) < 1:
            p.error(f"--{flag} {getattr(args, flag)}: want at least 1")
    return args


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return raw[4 + 4 * ndim:], dims


def load_train(data_dir):
    import numpy as np
    for suffix in (".gz", ""):
        ip = os.path.join(data_dir, "train-images-idx3-ubyte" + suffix)
        lp = os.path.join(data_dir, "train-labels-idx1-ubyte" + suffix)
        if os.path.exists(ip) and os.path.exists(lp):
            break
    else:
        sys.exit(f"bench_numpy: no train-images-idx3-ubyte(.gz) in {data_dir}")
    raw, dims = read_idx(ip)
    x = np.frombuffer(raw, dtype=np.uint8).reshape(dims[0], dims[1] * dims[2]).astype(np.float32) / np.float32(255)
    raw, _ = read_idx(lp)
    y = np.frombuffer(raw, dtype=np.uint8).astype(np.int64)
    return x, y


def numpy_epochs(x, y, hidden, batch, epochs):
    """Returns the seconds of each of epochs timed epochs after a warm-up."""
    import numpy as np
    rng = np.random.default_rng(1)
    n, d = x.shape
    k = 10

    def glorot(fan_in, fan_out):
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-lim, lim, size=(fan_in, fan_out)).astype(np.float32)

    params = [glorot(d, hidden), np.zeros(hidden, np.float32), glorot(hidden, k), np.zeros(k, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
    onehot = np.eye(k, dtype=np.float32)
    t = 0

    def epoch():
        nonlocal t
        perm = rng.permutation(n)
        w1, c1, w2, c2 = params
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            xb, yb = x[idx], onehot[y[idx]]
            bs = xb.shape[0]
            z1 = xb @ w1 + c1
            h = np.maximum(z1, 0)
            z2 = h @ w2 + c2
            z2 = z2 - z2.max(axis=1, keepdims=True)
            e = np.exp(z2)
            p = e / e.sum(axis=1, keepdims=True)
            dz2 = (p - yb) / np.float32(bs)
            gw2 = h.T @ dz2
            gc2 = dz2.sum(axis=0)
            dh = dz2 @ w2.T
            dz1 = dh * (z1 > 0)
            gw1 = xb.T @ dz1
            gc1 = dz1.sum(axis=0)
            t += 1
            a = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            for i, g in enumerate((gw1, gc1, gw2, gc2)):
                m[i] *= b1
                m[i] += (1 - b1) * g
                v[i] *= b2
                v[i] += (1 - b2) * g * g
                params[i] -= (a * m[i] / (np.sqrt(v[i]) + eps)).astype(np.float32)

    return timed(epoch, epochs)


def timed(epoch, epochs):
    """Runs epoch once to warm up, then epochs times, and returns the seconds of each timed run."""
    epoch()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return times


def torch_epochs(x, y, hidden, batch, epochs):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(1)
    torch.set_num_threads(ARGS.threads)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
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


def go_bench(binary, data_dir, env):
    cmd = [binary, "bench", "-json", "-activation", "relu", "-optimizer", "adam",
           "-hidden", str(ARGS.hidden), "-batch", str(ARGS.batch), "-epochs", str(ARGS.epochs)]
    if data_dir:
        cmd += ["-data", data_dir]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


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
    try:
        data_dir = ARGS.data or subprocess.run([binaries[0], "data", "-dir"], check=True,
                                               capture_output=True, text=True).stdout.strip()
        x, y = load_train(data_dir)
        results = {"config": {"hidden": ARGS.hidden, "activation": "relu", "optimizer": "adam",
                              "batch": ARGS.batch, "epochs": ARGS.epochs, "threads": ARGS.threads,
                              "rounds": ARGS.rounds}}
        # Alternate the runs, round after round, so that numpy and each binary
        # see the same machine load; each ratio is taken within its round.
        rounds = []
        for _ in range(ARGS.rounds):
            rnd = {"numpy_seconds_per_epoch": statistics.median(numpy_epochs(x, y, ARGS.hidden, ARGS.batch, ARGS.epochs))}
            tt = torch_epochs(x, y, ARGS.hidden, ARGS.batch, ARGS.epochs)
            if tt is not None:
                rnd["torch_seconds_per_epoch"] = statistics.median(tt)
            rnd["perceptron"] = []
            for b in binaries:
                r = go_bench(b, ARGS.data, env)
                r["binary"] = b
                r["ratio_to_numpy"] = r["seconds_per_epoch"] / rnd["numpy_seconds_per_epoch"]
                rnd["perceptron"].append(r)
            rounds.append(rnd)
        results["rounds"] = rounds
        results["numpy_seconds_per_epoch"] = statistics.median(r["numpy_seconds_per_epoch"] for r in rounds)
        if "torch_seconds_per_epoch" in rounds[0]:
            results["torch_seconds_per_epoch"] = statistics.median(r["torch_seconds_per_epoch"] for r in rounds)
        results["numpy_seconds_per_epoch_after"] = statistics.median(numpy_epochs(x, y, ARGS.hidden, ARGS.batch, ARGS.epochs))
        # per binary: the round with the median ratio
        results["perceptron"] = []
        for i in range(len(binaries)):
            runs = sorted((r["perceptron"][i] for r in rounds), key=lambda r: r["ratio_to_numpy"])
            med = dict(runs[(len(runs) - 1) // 2])
            med["ratios_to_numpy"] = [r["perceptron"][i]["ratio_to_numpy"] for r in rounds]
            results["perceptron"].append(med)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    if ARGS.json:
        json.dump(results, sys.stdout, indent=1)
        print()
        return
    npe = results["numpy_seconds_per_epoch"]
    print(f"784-{ARGS.hidden}-10 relu, Adam, batch {ARGS.batch}; median of {ARGS.epochs} epochs after a warm-up; "
          f"OPENBLAS_NUM_THREADS={ARGS.threads}; {ARGS.rounds} alternating rounds")
    per_round = " ".join(f"{r['numpy_seconds_per_epoch']:.4f}" for r in results["rounds"])
    print(f"numpy      {npe:.4f} s/epoch, median of the rounds ({per_round}; "
          f"again at the end: {results['numpy_seconds_per_epoch_after']:.4f})")
    if "torch_seconds_per_epoch" in results:
        print(f"pytorch    {results['torch_seconds_per_epoch']:.4f} s/epoch")
    else:
        print("pytorch    not installed, skipped")
    for r in results["perceptron"]:
        print(f"perceptron {r['seconds_per_epoch']:.4f} s/epoch, ratio to numpy {r['ratio_to_numpy']:.2f} "
              f"(median; rounds: {' '.join('%.2f' % q for q in r['ratios_to_numpy'])}), "
              f"evaluation of {r['eval_images']} images {r['eval_seconds']:.4f} s  [{r['blas']}]")

if __name__ == "__main__":
    main()
