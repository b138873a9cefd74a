"""Each model estimates the memory of a run from its parameters, and a run that cannot fit is
refused before anything is built: by the model, ``run``, ``sweep`` and the CLI alike, in one line
that names the estimate.

The runs the issue names (traffic length=1e9, flocking n_agents=1e7, grokking p=400 width=4096)
need about 10, 1.6 and 8.4 GB now that the agents are made only when asked for, so these tests
refuse them on a simulated machine of 1 GB (``available_memory`` patched); a run too big for
nearly any machine (traffic length=1e9 density=1, ~52 GB) is refused on this one.
"""

import json
import re
import subprocess
import sys
import textwrap
import time

import pytest

import emergesim
from emergesim import ParameterError, memory
from emergesim.cli import main
from emergesim.memory import GIB, available_memory, format_bytes
from emergesim.registry import get_model

# each model's size parameter, a value of it and a larger one
SIZES = {
    "traffic": ("length", 1_000, 100_000),
    "flocking": ("n_agents", 100, 10_000),
    "ising": ("size", 64, 1024),
    "snowflake": ("radius", 50, 500),
    "skills": ("n_skills", 100, 10_000),
    "grokking": ("p", 23, 200),
}
TOO_BIG = [  # the runs issue 18 names
    ("traffic", {"length": 1_000_000_000}),
    ("flocking", {"n_agents": 10_000_000}),
    ("grokking", {"p": 400, "width": 4096}),
]
HUGE = ("traffic", {"length": 1_000_000_000, "density": 1.0})  # ~52 GB
HUGE_ARGS = ["-p", "length=1000000000", "-p", "density=1"]


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 1 GB available."""
    monkeypatch.setattr(memory, "available_memory", lambda: (GIB, "MemAvailable"))


def refused_quickly(call) -> str:
    start = time.perf_counter()
    with pytest.raises(ParameterError) as caught:
        call()
    assert time.perf_counter() - start < 1.0
    message = str(caught.value)
    assert "\n" not in message
    assert "GB of memory" in message and "available (MemAvailable)" in message
    return message


def test_every_model_has_a_size():
    assert set(SIZES) == set(emergesim.available())


@pytest.mark.parametrize("name", list(SIZES))
def test_estimate_is_positive_and_grows_with_size(name):
    cls = get_model(name)
    param, small, large = SIZES[name]
    assert cls.memory_bytes({}) > 0
    assert cls.memory_bytes({}) == cls.memory_bytes(cls.params.defaults())
    assert cls.memory_bytes({param: large}) > cls.memory_bytes({param: small}) > 0


@pytest.mark.parametrize(("name", "params"), TOO_BIG)
def test_too_big_is_refused_by_the_model_run_and_sweep(name, params, small_machine, tmp_path):
    cls = get_model(name)
    message = refused_quickly(lambda: cls(**params))
    estimate = format_bytes(cls.memory_bytes(params))
    drivers = ", ".join(f"{k}={v}" for k, v in params.items())
    assert message == (
        f"{name} with {drivers} needs about {estimate} of memory; this machine has 1.0 GB "
        "available (MemAvailable)"
    )
    assert refused_quickly(lambda: emergesim.run(name, **params)) == message
    out = tmp_path / "sweep"
    param, value = next(iter(params.items()))
    fixed = {k: v for k, v in params.items() if k != param}
    small = SIZES[name][1] if SIZES[name][0] == param else cls.params[param].default
    sweep = lambda: emergesim.sweep(name, vary={param: [small, value]}, fixed=fixed, out=out)  # noqa: E731
    assert refused_quickly(sweep) == message  # the largest point, not the first
    assert not out.exists() or not any(out.rglob("*.parquet"))


def test_cli_refuses_in_one_line(small_machine, capsys):
    assert main(["run", "traffic", "-p", "length=1000000000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "emergesim: error: traffic with length=1000000000 needs about 10 GB of memory; this "
        "machine has 1.0 GB available (MemAvailable)"
    )


def test_a_run_that_fits_is_built(small_machine):
    assert emergesim.run("traffic", length=1000, steps=2, burn_in=0, seed=1).steps == 2


def test_huge_run_is_refused_on_this_machine():
    name, params = HUGE
    need, have = get_model(name).memory_bytes(params), available_memory()
    if have is None or have[0] >= need:
        pytest.skip(f"this machine has {have} bytes available, the run needs {need}")
    message = refused_quickly(lambda: emergesim.run(name, **params))
    assert message.startswith("traffic with length=1000000000, density=1 needs about 52 GB")
    done = subprocess.run(
        [sys.executable, "-m", "emergesim.cli", "run", "traffic", *HUGE_ARGS],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    # one line, the same but for what is available, read again by the other process
    (line,) = done.stderr.strip().splitlines()
    available = r"has [0-9.]+ GB available"
    assert re.sub(available, "", line) == re.sub(available, "", f"emergesim: error: {message}")


def test_available_memory_is_read():
    have = available_memory()
    assert have is not None and have[0] > 0 and have[1]
    assert format_bytes(110 * GIB) == "110 GB"
    assert format_bytes(1.5 * GIB) == "1.5 GB"
    assert format_bytes(300 * 2**20) == "300 MB"


MEASURE = textwrap.dedent(
    """
    import json, sys
    import emergesim

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024

    emergesim.run("traffic", length=1000, steps=3, burn_in=0, seed=1)  # kernels loaded
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak RSS (VmHWM) starts again from here
    before = status("VmRSS:")
    emergesim.run("traffic", steps=3, burn_in=0, seed=1, **json.loads(sys.argv[1]))
    print(status("VmHWM:") - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
def test_estimate_is_within_twice_a_measured_run():
    params = {"length": 4_000_000, "density": 0.5}  # 2 10^6 cars: ~110 MB, a second
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(params)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    measured = int(done.stdout.split()[-1])
    estimate = get_model("traffic").memory_bytes(params)
    assert measured / 2 <= estimate <= 2 * measured, (estimate, measured)
