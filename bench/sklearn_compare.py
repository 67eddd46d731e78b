#!/usr/bin/python3
"""rbmkit's defaults next to scikit-learn's BernoulliRBM, scored by one evaluator.

Trains scikit-learn's BernoulliRBM (its persistent CD, learning rate 0.1, batch 100) and rbmkit
(`rbmkit train --hidden H --epochs E` and nothing else unless --rbmkit-args says so) on the
Fashion-MNIST training images binarized at 0.5, exports the scikit-learn weights as CSV
(components_ is hidden x visible = W transposed; intercept_visible_ = b, intercept_hidden_ = c),
imports them with `rbmkit import`, and evaluates both models on the test images with the same
`rbmkit eval --json` (exact log-likelihood for small hidden layers, AIS otherwise). For exact
evaluations the scikit-learn model is also scored by bench/exact_loglik.py, an independent numpy
enumeration. Prints one JSON line per model and seed, then a summary.

    /usr/bin/python3 bench/sklearn_compare.py --rbmkit build/rbmkit --out /tmp/cmp \\
        [--hidden 20] [--epochs 20] [--seeds 1 2 3] [--rbmkit-args="--method cd"] [--eval-args=--ais]
"""
import argparse
import gzip
import json
import os
import shlex
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
TEST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims[0], -1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr))
    return r


def evaluate(rbmkit, model, eval_args):
    r = run([rbmkit, "eval", "--model", model, "--data", TEST, "--json"] + eval_args)
    return json.loads(r.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rbmkit", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=20)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--rbmkit-args", default="", help="extra options for rbmkit train")
    p.add_argument("--eval-args", default="", help="extra options for rbmkit eval (e.g. --ais)")
    p.add_argument("--skip-sklearn", action="store_true")
    p.add_argument("--skip-rbmkit", action="store_true")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    eval_args = shlex.split(a.eval_args)
    X = (read_idx_images(TRAIN) > 127.5).astype(np.float64)
    results = {"sklearn": [], "rbmkit": []}
    for seed in a.seeds:
        if not a.skip_sklearn:
            from sklearn.neural_network import BernoulliRBM
            t0 = time.time()
            rbm = BernoulliRBM(n_components=a.hidden, n_iter=a.epochs, batch_size=100,
                               random_state=seed).fit(X)
            seconds = time.time() - t0
            d = os.path.join(a.out, "sklearn-h%d-s%d" % (a.hidden, seed))
            os.makedirs(d, exist_ok=True)
            np.savetxt(os.path.join(d, "W.csv"), rbm.components_.T, delimiter=",", fmt="%.17g")
            np.savetxt(os.path.join(d, "b.csv"), rbm.intercept_visible_, fmt="%.17g")
            np.savetxt(os.path.join(d, "c.csv"), rbm.intercept_hidden_, fmt="%.17g")
            model = d + ".rbm"
            run([a.rbmkit, "import", "--dir", d, "--out", model])
            e = evaluate(a.rbmkit, model, eval_args)
            e.update(who="sklearn", seed=seed, train_seconds=seconds,
                     seconds_per_epoch=seconds / a.epochs)
            if e["method"] == "exact" and a.hidden <= 24:
                ref = json.loads(run(["/usr/bin/python3", os.path.join(HERE, "exact_loglik.py"), d]).stdout)
                e["numpy_log_likelihood"] = ref["log_likelihood"]
            print(json.dumps(e), flush=True)
            results["sklearn"].append(e)
        if not a.skip_rbmkit:
            model = os.path.join(a.out, "rbmkit-h%d-s%d.rbm" % (a.hidden, seed))
            t0 = time.time()
            run([a.rbmkit, "train", "--hidden", str(a.hidden), "--epochs", str(a.epochs),
                 "--seed", str(seed), "--out", model, "--log", model + ".csv"] + shlex.split(a.rbmkit_args))
            seconds = time.time() - t0
            with open(model + ".csv") as f:
                epoch_seconds = [float(line.split(",")[1]) for line in f.readlines()[1:]]
            e = evaluate(a.rbmkit, model, eval_args)
            e.update(who="rbmkit", seed=seed, train_seconds=seconds,
                     seconds_per_epoch=sum(epoch_seconds) / len(epoch_seconds),
                     rbmkit_args=a.rbmkit_args)
            print(json.dumps(e), flush=True)
            results["rbmkit"].append(e)
    print("summary: %d hidden, %d epochs, test log-likelihood (nats) by %s"
          % (a.hidden, a.epochs, "rbmkit eval " + " ".join(eval_args)))
    for who, rs in results.items():
        if not rs:
            continue
        ll = np.array([r["log_likelihood"] for r in rs])
        line = "  %-8s mean %9.3f  (seeds %s: %s)  %.2f s/epoch" % (
            who, ll.mean(), " ".join(str(r["seed"]) for r in rs),
            " ".join("%.3f" % x for x in ll), np.mean([r["seconds_per_epoch"] for r in rs]))
        if all(r.get("conservative_log_likelihood") is not None for r in rs) and rs[0]["method"] == "ais":
            line += "  conservative %s" % " ".join("%.3f" % r["conservative_log_likelihood"] for r in rs)
        print(line)
    if results["sklearn"] and results["rbmkit"]:
        d = (np.mean([r["log_likelihood"] for r in results["rbmkit"]])
             - np.mean([r["log_likelihood"] for r in results["sklearn"]]))
        print("  rbmkit - sklearn: %+.3f nats" % d)


if __name__ == "__main__":
    main()
