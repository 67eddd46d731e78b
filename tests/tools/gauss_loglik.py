#!/usr/bin/env python3
"""Independent log-likelihood of a Gaussian-Bernoulli RBM model file on a CSV file.

    gauss_loglik.py MODEL.rbm DATA.csv [features]

Reads the model file with the struct module (docs/model-format.md), standardises the CSV's
values (a header line allowed) with the stored data.mean and data.sd, and prints the mean
log-density of the standardised data in nats per example, and the same in the data's own units:
log p(x') with −F(x') summed over every hidden state from the energy of Cho, Ilin & Raiko 2011,
eq. 1, and log Z by numerical integration over v (trapezoid rule on a grid, nv <= 2) or, for
nv > 2, from the closed form of one Gaussian integral per hidden state. With `features`, prints
instead P(h = 1 | v) of the first example, sigm(c_j + Σ_i W_ij x'_i / σ_i²), comma-separated.
Python stdlib only.
"""
import csv
import itertools
import math
import struct
import sys


def read_model(path):
    data = open(path, "rb").read()
    assert data[:8] == b"RBMKIT\x1a\n", "not a model file"
    et, kind, vu = data[12], data[13], data[14]
    assert kind == 1 and vu == 2, "not a Gaussian-Bernoulli RBM"
    nv, nh = struct.unpack_from("<QQ", data, 16)
    (cfg_len,) = struct.unpack_from("<I", data, 64)
    pos = 68 + cfg_len
    (count,) = struct.unpack_from("<I", data, pos)
    pos += 4
    fmt = "<%d" + ("f" if et == 4 else "d")
    arrays = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos:pos + name_len].decode()
        pos += name_len
        rows, cols = struct.unpack_from("<QQ", data, pos)
        pos += 16
        n = rows * cols
        arrays[name] = (rows, cols, struct.unpack_from(fmt % n, data, pos))
        pos += n * et
    W = [[arrays["W"][2][j * nv + i] for j in range(nh)] for i in range(nv)]  # column-major
    return nv, nh, W, list(arrays["b"][2]), list(arrays["c"][2]), list(arrays["z"][2]), \
        list(arrays["data.mean"][2]), list(arrays["data.sd"][2])


def logsumexp(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def main():
    nv, nh, W, b, c, z, mean, sd = read_model(sys.argv[1])
    var = [math.exp(x) for x in z]
    states = list(itertools.product((0, 1), repeat=nh))

    def neg_energy(v, h):
        e = sum(c[j] * h[j] for j in range(nh))
        for i in range(nv):
            wh = sum(W[i][j] * h[j] for j in range(nh))
            e += -(v[i] - b[i]) ** 2 / (2 * var[i]) + wh * v[i] / var[i]
        return e

    def neg_free(v):
        return logsumexp([neg_energy(v, h) for h in states])

    rows = []
    with open(sys.argv[2]) as f:
        for row in csv.reader(f):
            try:
                rows.append([float(x) for x in row])
            except ValueError:
                continue  # the header line
    xs = [[(r[i] - mean[i]) / sd[i] for i in range(nv)] for r in rows]
    if len(sys.argv) > 3 and sys.argv[3] == "features":
        x = xs[0]
        print(",".join("%.12f" % (1 / (1 + math.exp(-(c[j] + sum(W[i][j] * x[i] / var[i]
                                                               for i in range(nv))))))
                       for j in range(nh)))
        return
    if nv <= 2:
        step, half = (0.01, 12.0) if nv == 1 else (0.1, 10.0)
        grid = [k * step - half for k in range(int(round(2 * half / step)) + 1)]
        points = [(g,) for g in grid] if nv == 1 else [(a, g) for a in grid for g in grid]
        log_z = logsumexp([neg_free(p) for p in points]) + nv * math.log(step)
    else:
        terms = []
        for h in states:
            t = sum(c[j] * h[j] for j in range(nh))
            for i in range(nv):
                a = sum(W[i][j] * h[j] for j in range(nh))
                t += ((b[i] + a) ** 2 - b[i] ** 2) / (2 * var[i]) + 0.5 * math.log(2 * math.pi * var[i])
            terms.append(t)
        log_z = logsumexp(terms)
    ll = sum(neg_free(x) for x in xs) / len(xs) - log_z
    print("%.10f %.10f" % (ll, ll - sum(math.log(s) for s in sd)))


if __name__ == "__main__":
    main()
