"""``emergesim view`` refuses what it cannot serve with one line and exit code 2, as every
command does (no browser needed; Ctrl-C and its 130 are checked in test_view.py)."""

import socket
import subprocess
import sys
from importlib.util import find_spec

import pytest

from emergesim.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown model 'nope'; available: "),
        (["traffic", "-p", "density=2"], "parameter 'density' must be a number in [0, 1], got '2'"),
        (["traffic", "-p", "colour=red"], "unknown parameter 'colour' for model 'traffic'"),
        (["-p", "density=0.2"], "-p needs a MODEL: emergesim view MODEL -p name=value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    assert main(["view", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"emergesim: error: {message}") and err.count("\n") == 1


def view(*args: str, before: str = "pass") -> subprocess.CompletedProcess:
    """``emergesim view ARGS`` in a fresh interpreter, after the Python line ``before``."""
    code = f"import sys; {before}; from emergesim.cli import entry; entry()"
    return subprocess.run(
        [sys.executable, "-c", code, "view", *args], capture_output=True, text=True, timeout=60
    )


def test_without_the_viz_extra_it_says_what_to_install():
    done = view("traffic", before="sys.modules['solara'] = None")  # as if not installed
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "pip install 'emergesim[viz]'" in done.stderr


@pytest.mark.skipif(not find_spec("solara"), reason="needs the viz extra")
def test_a_busy_port_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = view("traffic", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr == (
        f"emergesim: error: cannot serve on 127.0.0.1 port {port}: Address already in use; "
        "give another --port or --host\n"
    )
