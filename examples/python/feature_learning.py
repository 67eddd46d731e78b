#!/usr/bin/python3
"""RBM features for a linear classifier: rbmkit.BernoulliRBM next to scikit-learn's BernoulliRBM.

A Pipeline of an RBM (256 hidden units, 20 epochs) and LogisticRegression, trained on
Fashion-MNIST (Debian's dataset-fashion-mnist) and/or scikit-learn's 8x8 digits (--data). Both RBMs get the same float64 input in [0, 1]; rbmkit uses its defaults, scikit-learn
its own with learning_rate=0.06. Prints the test accuracy and the RBM's fit time of each, and the
ratio of the fit times, measured in this one process.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/feature_learning.py \
        [--data fashion digits] [--train 60000]
"""
import argparse
import os
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM as SklearnRBM
from sklearn.pipeline import Pipeline

import rbmkit

FASHION = "/usr/share/datasets/fashion-mnist"


def fashion_mnist(n_train):
    def part(kind):
        X = rbmkit.read_idx(os.path.join(FASHION, kind + "-images-idx3-ubyte.gz"))
        y = rbmkit.read_idx_labels(os.path.join(FASHION, kind + "-labels-idx1-ubyte.gz"))
        return X / 255.0, y
    (X, y), (Xt, yt) = part("train"), part("t10k")
    return X[:n_train], y[:n_train], Xt, yt


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    X, Xt, y, yt = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
    return X, y, Xt, yt


def evaluate(name, rbm, X, y, Xt, yt):
    pipe = Pipeline([("rbm", rbm), ("clf", LogisticRegression(C=10.0, max_iter=1000))])
    # pipe.fit(X, y), one step at a time so that the RBM's fit is timed alone.
    start = time.perf_counter()
    rbm.fit(X)
    fit_seconds = time.perf_counter() - start
    pipe.named_steps["clf"].fit(rbm.transform(X), y)
    accuracy = pipe.score(Xt, yt)
    print("  %-28s test accuracy %.4f   RBM fit %7.1f s" % (name, accuracy, fit_seconds),
          flush=True)
    return accuracy, fit_seconds


def compare(title, X, y, Xt, yt, n_components, n_iter, seed):
    print("%s: %d training, %d test examples of %d values; %d hidden units, %d epochs"
          % (title, len(X), len(Xt), X.shape[1], n_components, n_iter), flush=True)
    ours = evaluate("rbmkit.BernoulliRBM", rbmkit.BernoulliRBM(
        n_components=n_components, n_iter=n_iter, random_state=seed), X, y, Xt, yt)
    theirs = evaluate("sklearn BernoulliRBM", SklearnRBM(
        n_components=n_components, n_iter=n_iter, learning_rate=0.06, random_state=seed),
        X, y, Xt, yt)
    print("  accuracy difference %+.4f, fit time ratio (scikit-learn / rbmkit) %.1fx"
          % (ours[0] - theirs[0], theirs[1] / ours[1]), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--train", type=int, default=60000, help="Fashion-MNIST training examples")
    p.add_argument("--components", type=int, default=256)
    p.add_argument("--iter", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", nargs="+", choices=["fashion", "digits"], default=["fashion"])
    a = p.parse_args()
    print("rbmkit %s, %d thread(s), %s" % (rbmkit.__version__, rbmkit._core.threads(),
                                          rbmkit._core.blas_info()))
    if "fashion" in a.data:
        compare("Fashion-MNIST", *fashion_mnist(a.train), a.components, a.iter, a.seed)
    if "digits" in a.data:
        compare("digits (8x8)", *digits(), a.components, a.iter, a.seed)


if __name__ == "__main__":
    main()
