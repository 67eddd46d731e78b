#!/usr/bin/python3
"""Independent exact log-likelihood of a small RBM, by brute-force enumeration in numpy.

Reads a model exported with `rbmkit export --dir DIR` (W.csv: n_visible x n_hidden, b.csv, c.csv),
enumerates every configuration of the smaller layer, and prints log Z and the mean log-likelihood
of binarized data (pixel > 127.5, as rbmkit's default threshold binarization) as one JSON object.
It shares no code with rbmkit: it is the reference that `rbmkit eval --exact` is checked against.

    /usr/bin/python3 bench/exact_loglik.py DIR [--data IDX.gz] [--max-examples N]
"""
import argparse
import gzip
import json
import sys

import numpy as np


def read_idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims[0], -1)


def softplus(x):
    return np.logaddexp(0.0, x)


def log_partition(W, b, c):
    """log Z = log sum_v sum_h exp(b'v + c'h + v'Wh), enumerating the smaller layer."""
    if W.shape[1] > W.shape[0]:  # enumerate the visible layer instead
        W, b, c = W.T, c, b
    n = W.shape[1]  # enumerated units
    if n > 26:
        sys.exit("exact_loglik.py: %d units is too many to enumerate" % n)
    chunk_bits = min(n, 13)
    low = ((np.arange(2 ** chunk_bits)[:, None] >> np.arange(chunk_bits)) & 1).astype(np.float64)
    terms = []
    for high in range(2 ** (n - chunk_bits)):
        hbits = ((high >> np.arange(n - chunk_bits)) & 1).astype(np.float64)
        H = np.hstack([low, np.tile(hbits, (low.shape[0], 1))])  # states x n
        lw = H @ c + softplus(H @ W.T + b).sum(axis=1)
        m = lw.max()
        terms.append(m + np.log(np.exp(lw - m).sum()))
    terms = np.array(terms)
    m = terms.max()
    return m + np.log(np.exp(terms - m).sum())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("dir")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    p.add_argument("--max-examples", type=int, default=0)
    a = p.parse_args()
    W = np.loadtxt(a.dir + "/W.csv", delimiter=",", ndmin=2)
    b = np.loadtxt(a.dir + "/b.csv", delimiter=",", ndmin=1).reshape(-1)
    c = np.loadtxt(a.dir + "/c.csv", delimiter=",", ndmin=1).reshape(-1)
    X = read_idx_images(a.data)
    if a.max_examples:
        X = X[: a.max_examples]
    V = (X > 127.5).astype(np.float64)
    log_z = log_partition(W, b, c)
    neg_free_energy = V @ b + softplus(V @ W + c).sum(axis=1)
    print(json.dumps({"log_z": log_z, "log_likelihood": float(neg_free_energy.mean() - log_z),
                      "examples": int(V.shape[0])}))


if __name__ == "__main__":
    main()
