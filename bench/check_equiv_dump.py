#!/usr/bin/python3
"""Recomputes both updates of an `rbmkit equiv --dump DIR` from its stream, independently of rbmkit.

    /usr/bin/python3 bench/check_equiv_dump.py DIR [DIR ...] [--tolerance X]

DIR/stream.csv holds one row per stream sample: reward (+1 or -1), the n_visible visible states,
the n_hidden hidden values. From it alone this script computes, in double,
  contrastive:  mean over R=+1 rows minus mean over R=-1 rows, of v, h and v h^T
  correlator:   sum over all rows of R*v, R*h, R*v h^T, divided by the number of R=+1 rows
and compares each with rbmkit's contrastive_*.csv and correlator_*.csv, reporting the largest
absolute error. For a Boltzmann machine dump (dW is n x n, mask.csv present) the statistics are
over all units s = (v, h): s s^T with the diagonal and the masked-out pairs set to zero.

The tolerance follows from the precision rbmkit computed in (DIR/precision.txt, "float" or
"double"; a dump without it counts as float when every number in it is a float, else double):
a correlator entry is a sum of the n stream samples' terms (each in [-1,1]) divided by
n+ = n/2, a contrastive entry a difference of two means of n/2 such terms; in any summation
order the rounding error of a sum of n terms is at most about n u times the sum of their
magnitudes (u the unit roundoff: 2^-24 for float, 2^-53 for double), so no entry errs by more
than about 2 (n + 2) u, which is the tolerance. --tolerance X replaces it. Exits 1 if any error exceeds the tolerance, 2 on
bad usage. numpy is the only dependency (bench and tests only).
"""
import argparse
import os
import sys

import numpy as np


def load(path):
    return np.atleast_2d(np.loadtxt(path, delimiter=",", ndmin=2))


UNIT_ROUNDOFF = {"float": 2.0 ** -24, "double": 2.0 ** -53}


def dump_precision(directory, arrays):
    """The precision rbmkit computed the dump in: precision.txt, else what its numbers are."""
    path = os.path.join(directory, "precision.txt")
    if os.path.exists(path):
        with open(path) as f:
            precision = f.read().strip()
        if precision not in UNIT_ROUNDOFF:
            raise ValueError(f"{path}: expected float or double, got {precision!r}")
        return precision, "precision.txt"
    is_float = all(np.array_equal(a, a.astype(np.float32).astype(np.float64)) for a in arrays)
    return ("float" if is_float else "double"), "every number is a float" if is_float else \
        "not every number is a float"


def check(directory, tol):
    stream = load(os.path.join(directory, "stream.csv"))
    db_c = load(os.path.join(directory, "contrastive_db.csv")).ravel()
    dc_c = load(os.path.join(directory, "contrastive_dc.csv")).ravel()
    dW_c = load(os.path.join(directory, "contrastive_dW.csv"))
    db_r = load(os.path.join(directory, "correlator_db.csv")).ravel()
    dc_r = load(os.path.join(directory, "correlator_dc.csv")).ravel()
    dW_r = load(os.path.join(directory, "correlator_dW.csv"))
    nv, nh = db_c.size, dc_c.size
    R = stream[:, 0]
    V = stream[:, 1:1 + nv]
    H = stream[:, 1 + nv:1 + nv + nh]
    assert stream.shape[1] == 1 + nv + nh, "stream.csv has the wrong number of columns"
    assert set(np.unique(R)) <= {-1.0, 1.0}, "rewards must be +1 or -1"
    precision, why = dump_precision(directory, [stream, db_c, dc_c, dW_c, db_r, dc_r, dW_r])
    if tol is None:
        tol = 2 * (R.size + 2) * UNIT_ROUNDOFF[precision]
        tol_text = f"tolerance {tol:.3g} = 2 (n + 2) u, {precision} ({why}), n = {R.size}"
    else:
        tol_text = f"tolerance {tol:g}, given; the dump is {precision} ({why})"
    pos, neg = R > 0, R < 0
    n_pos = pos.sum()
    bm = os.path.exists(os.path.join(directory, "mask.csv"))
    if bm:
        S = np.hstack([V, H])
        mask = load(os.path.join(directory, "mask.csv"))
        keep = (mask != 0) & ~np.eye(nv + nh, dtype=bool)
        X, Y = S, S
    else:
        keep = None
        X, Y = V, H
    # contrastive: positive-phase means minus negative-phase means
    W_c = X[pos].T @ Y[pos] / n_pos - X[neg].T @ Y[neg] / neg.sum()
    b_c = V[pos].mean(0) - V[neg].mean(0)
    c_c = H[pos].mean(0) - H[neg].mean(0)
    # reward correlator: sum over the single stream of R times the statistic, over n+
    W_r = (X * R[:, None]).T @ Y / n_pos
    b_r = (R[:, None] * V).sum(0) / n_pos
    c_r = (R[:, None] * H).sum(0) / n_pos
    if keep is not None:
        W_c = np.where(keep, W_c, 0.0)
        W_r = np.where(keep, W_r, 0.0)
    errors = {
        "contrastive dW": np.abs(W_c - dW_c).max(),
        "contrastive db": np.abs(b_c - db_c).max(),
        "contrastive dc": np.abs(c_c - dc_c).max() if nh else 0.0,
        "correlator dW": np.abs(W_r - dW_r).max(),
        "correlator db": np.abs(b_r - db_r).max(),
        "correlator dc": np.abs(c_r - dc_r).max() if nh else 0.0,
        "rbmkit contrastive - correlator": max(np.abs(dW_c - dW_r).max(), np.abs(db_c - db_r).max(),
                                               np.abs(dc_c - dc_r).max() if nh else 0.0),
    }
    worst = max(errors.values())
    kind = "bm" if bm else "rbm"
    print(f"{directory}: {kind} {nv}x{nh}, {R.size} samples ({n_pos} positive)")
    for name, e in errors.items():
        print(f"  {name:32s} max abs error {e:.3e}")
    ok = worst <= tol
    print(f"  {'ok' if ok else 'FAILED'}: largest {worst:.3e} ({tol_text})")
    return ok


def main(argv):
    doc = __doc__.strip().split("\n")
    parser = argparse.ArgumentParser(
        prog="check_equiv_dump.py", description=doc[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(doc[4:]))
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="a directory written by rbmkit equiv --dump")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="largest allowed absolute error (default: from the dump's precision)")
    args = parser.parse_args(argv)
    if args.tolerance is not None and not args.tolerance >= 0:
        parser.error("--tolerance must be a number >= 0")
    results = []
    for d in args.dirs:
        try:
            results.append(check(d, args.tolerance))
        except (OSError, ValueError, AssertionError) as e:
            print(f"{d}: cannot check: {e}", file=sys.stderr)
            results.append(False)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
