#!/usr/bin/python3
"""Features for a linear classifier on Fashion-MNIST: raw pixels, rbmkit, scikit-learn, a stack.

A bench, not part of rbmkit: it needs scikit-learn and numpy (Debian's python3-sklearn and
python3-numpy), an opt-in dependency of this script only, not a runtime dependency of rbmkit.

One scikit-learn LogisticRegression (lbfgs, C=1.0, max_iter=200, the same for every row) is
trained on the 60,000 training images and scored on the 10,000 test images with, as features:
  raw      the pixels divided by 255 (values in [0,1]);
  rbmkit   P(h = 1 | v) of `rbmkit train --binarize none --hidden H --epochs E --seed S`,
           computed by `rbmkit transform` (which applies the model's stored preprocessing);
  sklearn  P(h = 1 | v) of sklearn.neural_network.BernoulliRBM(n_components=H, n_iter=E,
           learning_rate=0.06, random_state=S) fitted on the pixels divided by 255;
  stack    a second `rbmkit train --binarize none` on the CSV of the first layer's training
           features (read at float precision) and `rbmkit transform` of the
           first layer's train and test features;
  binarized  as rbmkit, but with `--binarize threshold` (rbmkit train's default: pixels
           binarized at 0.5, in training and, as stored in the model, in transform).
No feature is rescaled further: every feature is already in [0,1].
Training time is the wall time of the whole `rbmkit train` process, and of `fit` for
scikit-learn. Prints one JSON line per row as it finishes, then a markdown table.

    /usr/bin/python3 bench/feature_learning.py --rbmkit build/rbmkit --out-dir /tmp/fl
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np

FM = "/usr/share/datasets/fashion-mnist"
TRAIN_X = FM + "/train-images-idx3-ubyte.gz"
TRAIN_Y = FM + "/train-labels-idx1-ubyte.gz"
TEST_X = FM + "/t10k-images-idx3-ubyte.gz"
TEST_Y = FM + "/t10k-labels-idx1-ubyte.gz"
ROWS = ["raw", "rbmkit", "sklearn", "stack", "binarized"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    a = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return a.reshape(dims[0], -1) if ndim > 1 else a


def run(cmd):
    """Runs cmd; returns its wall time in seconds."""
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr))
    return dt


def read_features(path):
    """A transform CSV with the label first: (features, labels)."""
    a = np.loadtxt(path, delimiter=",", dtype=np.float64)
    return a[:, 1:], a[:, 0].astype(np.int64)


def score(Xtr, ytr, Xte, yte, max_iter, C):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(solver="lbfgs", C=C, max_iter=max_iter)
    t = time.perf_counter()
    clf.fit(Xtr, ytr)
    dt = time.perf_counter() - t
    return float(clf.score(Xte, yte)), dt, int(np.max(clf.n_iter_))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.split("\n")[2:]))
    p.add_argument("--rbmkit", default="build/rbmkit", help="the rbmkit program (default: %(default)s)")
    p.add_argument("--hidden", type=int, default=256, help="hidden units of every RBM (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=10, help="epochs of every RBM (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="seed of every RBM (default: %(default)s)")
    p.add_argument("--out-dir", required=True, help="directory for models, feature CSVs and results")
    p.add_argument("--rows", nargs="+", choices=ROWS, default=ROWS,
                   help="rows to measure, in this order (default: all)")
    p.add_argument("--max-iter", type=int, default=200, help="LogisticRegression max_iter (default: %(default)s)")
    p.add_argument("--C", type=float, default=1.0, help="LogisticRegression C (default: %(default)s)")
    p.add_argument("--train-examples", type=int, default=0,
                   help="use only the first N training images for the classifier and scikit-learn's "
                        "RBM (0 = all; for a quick check, rbmkit still trains on all)")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    d = lambda name: os.path.join(a.out_dir, name)
    H, E, S = str(a.hidden), str(a.epochs), str(a.seed)

    Xtr_u8, ytr = read_idx(TRAIN_X), read_idx(TRAIN_Y).astype(np.int64)
    Xte_u8, yte = read_idx(TEST_X), read_idx(TEST_Y).astype(np.int64)
    n = a.train_examples or len(ytr)
    Xtr_u8, ytr = Xtr_u8[:n], ytr[:n]
    Xtr, Xte = Xtr_u8 / 255.0, Xte_u8 / 255.0

    results = []

    def report(row, learner, train_s, feats):
        acc, lr_s, iters = score(feats[0], ytr, feats[1], yte, a.max_iter, a.C)
        r = dict(row=row, features=learner, dims=int(feats[0].shape[1]), test_accuracy=acc,
                 learner_train_s=train_s, logreg_fit_s=round(lr_s, 1), logreg_iterations=iters)
        results.append(r)
        print(json.dumps(r), flush=True)
        with open(d("results.jsonl"), "a") as f:
            f.write(json.dumps(r) + "\n")

    l1 = None
    for row in a.rows:
        if row == "raw":
            report(row, "pixels / 255", None, (Xtr, Xte))
        elif row in ("rbmkit", "stack"):
            if l1 is None:
                t = run([a.rbmkit, "train", "--data", TRAIN_X, "--binarize", "none", "--hidden", H,
                         "--epochs", E, "--seed", S, "--out", d("layer1.rbm")])
                run([a.rbmkit, "transform", "--model", d("layer1.rbm"), "--data", TRAIN_X,
                     "--labels", TRAIN_Y, "--out", d("layer1-train.csv")])
                run([a.rbmkit, "transform", "--model", d("layer1.rbm"), "--data", TEST_X,
                     "--labels", TEST_Y, "--out", d("layer1-test.csv")])
                l1 = t
                f1tr, y1 = read_features(d("layer1-train.csv"))
                f1te, _ = read_features(d("layer1-test.csv"))
                assert (y1[:n] == ytr).all()
            if row == "rbmkit":
                report(row, "rbmkit train --binarize none --hidden %s --epochs %s" % (H, E),
                       round(l1, 1), (f1tr[:n], f1te))
            else:
                t = run([a.rbmkit, "train", "--data", d("layer1-train.csv"), "--label-column", "1",
                         "--binarize", "none", "--hidden", H, "--epochs", E, "--seed", S,
                         "--out", d("layer2.rbm")])
                for part in ("train", "test"):
                    run([a.rbmkit, "transform", "--model", d("layer2.rbm"),
                         "--data", d("layer1-%s.csv" % part), "--label-column", "1",
                         "--out", d("layer2-%s.csv" % part)])
                f2tr, y2 = read_features(d("layer2-train.csv"))
                f2te, y2te = read_features(d("layer2-test.csv"))
                assert (y2[:n] == ytr).all() and (y2te == yte).all()
                report(row, "second rbmkit layer on the rbmkit features", round(l1 + t, 1),
                       (f2tr[:n], f2te))
        elif row == "binarized":
            t = run([a.rbmkit, "train", "--data", TRAIN_X, "--binarize", "threshold", "--hidden", H,
                     "--epochs", E, "--seed", S, "--out", d("binarized.rbm")])
            for part, x, y in (("train", TRAIN_X, TRAIN_Y), ("test", TEST_X, TEST_Y)):
                run([a.rbmkit, "transform", "--model", d("binarized.rbm"), "--data", x,
                     "--labels", y, "--out", d("binarized-%s.csv" % part)])
            fbtr, _ = read_features(d("binarized-train.csv"))
            fbte, _ = read_features(d("binarized-test.csv"))
            report(row, "rbmkit train --binarize threshold --hidden %s --epochs %s" % (H, E),
                   round(t, 1), (fbtr[:n], fbte))
        elif row == "sklearn":
            from sklearn.neural_network import BernoulliRBM
            rbm = BernoulliRBM(n_components=a.hidden, n_iter=a.epochs, learning_rate=0.06,
                               random_state=a.seed)
            t = time.perf_counter()
            rbm.fit(Xtr)
            t = time.perf_counter() - t
            report(row, "sklearn BernoulliRBM(n_components=%s, n_iter=%s, learning_rate=0.06)" % (H, E),
                   round(t, 1), (rbm.transform(Xtr), rbm.transform(Xte)))

    print()
    print("| features | dimensions | test accuracy | feature learner training (s) |")
    print("|---|---|---|---|")
    for r in results:
        t = "—" if r["learner_train_s"] is None else "%.1f" % r["learner_train_s"]
        print("| %s | %d | %.4f | %s |" % (r["features"], r["dims"], r["test_accuracy"], t))
    print("\nLogisticRegression(solver='lbfgs', C=%g, max_iter=%d) on %d training / %d test images; "
          "iterations used: %s" % (a.C, a.max_iter, n, len(yte),
                                   ", ".join("%s %d" % (r["row"], r["logreg_iterations"]) for r in results)))


if __name__ == "__main__":
    main()
