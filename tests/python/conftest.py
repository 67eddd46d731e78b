"""Shared fixtures of rbmkit's Python tests (run by ctest as python.<file>, with PYTHONPATH set
to <build>/python and RBMKIT_CLI to the rbmkit program)."""
import os

import numpy as np
import pytest

import rbmkit

FASHION = "/usr/share/datasets/fashion-mnist"


@pytest.fixture(scope="session")
def cli():
    """The rbmkit program of this build."""
    path = os.environ.get("RBMKIT_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("RBMKIT_CLI does not name the rbmkit program")
    return path


@pytest.fixture(scope="session")
def fashion_bytes():
    """The first 2000 Fashion-MNIST training images as (2000, 784) bytes and their labels."""
    images = os.path.join(FASHION, "train-images-idx3-ubyte.gz")
    if not os.path.exists(images):
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    X = rbmkit.read_idx(images)[:2000]
    y = rbmkit.read_idx_labels(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))[:2000]
    return X, y


def write_idx(path, X):
    """X (examples, dimensions) of uint8 as an IDX file of 2-D examples."""
    n, d = X.shape
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, 2]) + n.to_bytes(4, "big") + d.to_bytes(4, "big"))
        f.write(np.ascontiguousarray(X, dtype=np.uint8).tobytes())


@pytest.fixture
def binary_data():
    """200 binary examples of 12 bits from two prototypes with 10% of the bits flipped."""
    rng = np.random.RandomState(3)
    protos = rng.rand(2, 12) < 0.5
    X = protos[rng.randint(2, size=200)] ^ (rng.rand(200, 12) < 0.1)
    return X.astype(np.float64)
