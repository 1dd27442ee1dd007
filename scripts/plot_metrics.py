#!/usr/bin/python3
"""Draw the study's two-panel figure from metrics.csv files with matplotlib.

    plot_metrics.py [-o FILE] [--title TEXT] METRICS...

Each METRICS is a run directory or its metrics.csv (as `perceptron train`
writes it). The left panel shows accuracy, the right one loss, train and
test against epoch. One run is titled with its configuration (from the
model.json beside metrics.csv); several runs are overlaid, each in its own
colour, train solid and test dashed, labelled by their directory names.

Needs Debian's python3-matplotlib (/usr/bin/python3); nothing else.
"""
import argparse
import csv
import json
import os
import sys

COLUMNS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "epoch_seconds"]


def read_metrics(path):
    """Returns the columns of a metrics.csv file as lists, by name."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != COLUMNS:
        raise ValueError("%s: header %r, want %s" % (path, rows[0] if rows else "", ",".join(COLUMNS)))
    cols = {name: [] for name in COLUMNS}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            raise ValueError("%s: line %d has %d fields, want %d" % (path, n, len(row), len(COLUMNS)))
        try:
            for name, cell in zip(COLUMNS, row):
                cols[name].append(int(cell) if name == "epoch" else float(cell))
        except ValueError:
            raise ValueError("%s: line %d: %r is not a number" % (path, n, cell))
    if not cols["epoch"]:
        raise ValueError("%s: no epochs" % path)
    return cols


def describe(model_json):
    """The configuration in model.json's training record, or None."""
    try:
        with open(model_json) as f:
            t = json.load(f).get("training") or {}
    except (OSError, ValueError):
        return None
    if not t:
        return None
    return "784-%s-10 %s, %s, lr=%g, batch=%s, epochs=%s, seed=%s" % (
        t.get("hidden"), t.get("activation"), t.get("optimizer"), t.get("lr", 0),
        t.get("batch"), t.get("epochs"), t.get("seed"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("metrics", nargs="+", help="run directory or metrics.csv")
    ap.add_argument("-o", "--output", default="curves_matplotlib.png", help="image to write (default %(default)s)")
    ap.add_argument("--title", help="figure title (default: the configuration of a single run)")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    runs = []
    for m in args.metrics:
        path = os.path.join(m, "metrics.csv") if os.path.isdir(m) else m
        runs.append((os.path.basename(os.path.dirname(os.path.abspath(path))), path, read_metrics(path)))

    fig, (acc, loss) = plt.subplots(1, 2, figsize=(10, 4))
    for i, (name, path, h) in enumerate(runs):
        if len(runs) == 1:
            styles = [("C0", "-", "train"), ("C1", "-", "test")]
        else:
            styles = [("C%d" % i, "-", name + " train"), ("C%d" % i, "--", name + " test")]
        for ax, keys in ((acc, ("train_acc", "test_acc")), (loss, ("train_loss", "test_loss"))):
            for (color, ls, label), key in zip(styles, keys):
                ax.plot(h["epoch"], h[key], color=color, linestyle=ls, marker="o" if len(h["epoch"]) <= 30 else None,
                        markersize=3, label=label)
    for ax, what in ((acc, "accuracy"), (loss, "loss")):
        ax.set_title("model " + what)
        ax.set_ylabel(what)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right" if what == "accuracy" else "upper right", fontsize="small")
    title = args.title
    if title is None and len(runs) == 1:
        title = describe(os.path.join(os.path.dirname(runs[0][1]), "model.json"))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    tmp = os.path.join(os.path.dirname(os.path.abspath(args.output)), "." + os.path.basename(args.output) + ".tmp")
    fig.savefig(tmp, format=os.path.splitext(args.output)[1][1:] or "png", dpi=100)
    os.replace(tmp, args.output)
    print(args.output)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        print("plot_metrics.py: %s" % e, file=sys.stderr)
        sys.exit(1)
