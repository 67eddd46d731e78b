"""Ctrl-C stops fit between two minibatches: the engine runs without the GIL, and its stop hook
lets Python run signal handlers, whose exception fit raises. The estimator stays as it was."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import traceback

import numpy as np
import pytest

import rbmkit

LONG = dict(n_components=64, n_iter=100000, batch_size=20, random_state=0)


def long_data():
    return (np.random.RandomState(0).rand(1000, 100) < 0.3).astype(np.float64)


class Interrupted(Exception):
    pass


def test_a_signal_sent_from_a_thread_stops_fit_with_the_handlers_exception():
    def handler(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        X = long_data()
        rbm = rbmkit.BernoulliRBM(**LONG)
        timer = threading.Timer(
            0.5, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
        start = time.monotonic()
        timer.start()
        with pytest.raises(Interrupted) as caught:
            rbm.fit(X)
        elapsed = time.monotonic() - start
    finally:
        signal.signal(signal.SIGINT, previous)
    # Raised by the handler, called from inside the engine's run (the call into C++), soon
    # after the signal.
    frames = [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert frames[-2:] == ["_train", "handler"], frames
    assert 0.5 <= elapsed < 5
    assert not hasattr(rbm, "components_")
    # The estimator and the library stay usable.
    rbm.set_params(n_iter=2).fit(X[:100])
    assert rbm.components_.shape == (64, 100)


CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import rbmkit
    X = (np.random.RandomState(0).rand(1000, 100) < 0.3).astype(np.float64)
    rbm = rbmkit.BernoulliRBM(n_components=64, n_iter=100000, batch_size=20, random_state=0,
                              verbose=1)
    start = time.monotonic()
    try:
        rbm.fit(X)
    except KeyboardInterrupt:
        print("KeyboardInterrupt fitted=%s" % hasattr(rbm, "components_"), flush=True)
        sys.exit(0)
    print("not interrupted", flush=True)
""")


def test_ctrl_c_sent_to_a_python_process_raises_keyboard_interrupt_in_fit():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()  # the first epoch's report: training has started
        assert line.startswith("[BernoulliRBM] Iteration 1/100000"), line + child.stderr.read()
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert out.splitlines()[-1] == "KeyboardInterrupt fitted=False"
    assert stopped < 5
