"""The comparison's cache in its output folder: a rerun from the same inputs fits, trains and
draws nothing again and writes the same report; a changed input is recomputed; a corrupt entry
is recomputed with one warning; a file emergesim did not write is never overwritten."""

import hashlib
import importlib
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from test_compare import tiny

from emergesim import EmergesimError
from emergesim.compare import cache as caching
from emergesim.compare import compare, report
from emergesim.compare.cache import CACHE, MANIFEST, Cache, table_digest

measure = importlib.import_module("emergesim.compare.measure")  # the package exports a function


def run(out, rows, **options):
    summary = compare(out, quick=True, rows=rows, executor="serial", progress=False, **options)
    summary.pop("elapsed_seconds")
    return summary


def figures(out):
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.png"))}


def entries(out, kind):
    return sorted((out / CACHE / kind).glob("*"))


def refuse(*names):
    def fail(*args, **kwargs):
        raise AssertionError(f"a rerun from the cache called {names}")

    return fail


def test_a_rerun_trains_fits_and_draws_nothing_and_writes_the_same_report(tmp_path, monkeypatch):
    rows = tiny({"traffic", "grokking"})
    cold = run(tmp_path, rows)
    drawn, written = figures(tmp_path), json.loads((tmp_path / "summary.json").read_text())
    assert len(entries(tmp_path, "curves")) == 2  # grokking: one entry per size
    assert len(entries(tmp_path, "fits")) == 2 and len(entries(tmp_path, "figures")) == 7
    for module, name in [
        (measure, "training_curves"),
        (measure, "scaling"),
        (measure, "metric_sensitivity"),
        (report, "run"),  # a picture's model run
        (report, "draw_steps"),
        (report, "draw_collapse"),
    ]:
        monkeypatch.setattr(module, name, refuse(name))
    again = run(tmp_path, rows)
    assert again == cold
    rewritten = json.loads((tmp_path / "summary.json").read_text())
    written.pop("elapsed_seconds"), rewritten.pop("elapsed_seconds")
    assert rewritten == written
    assert figures(tmp_path) == drawn
    hashes = json.loads((tmp_path / report.MANIFEST).read_text())
    assert sorted(hashes) == sorted(report.planned(rows))  # the cache is not the report's


def test_the_cached_report_has_the_numbers_of_one_without_cache(tmp_path):
    rows = tiny({"traffic"})
    cached = run(tmp_path / "cached", rows)
    assert run(tmp_path / "cached", rows) == cached
    assert run(tmp_path / "plain", rows, cache=False) == cached
    assert not (tmp_path / "plain" / CACHE).exists()


def test_a_changed_picture_is_redrawn_and_the_fits_are_not(tmp_path, monkeypatch):
    rows = tiny({"traffic"})
    cold = run(tmp_path, rows)
    before = figures(tmp_path)
    (row,) = rows
    moved = row.with_budget(row.comparison.quick, picture={**row.comparison.picture, "length": 120})
    monkeypatch.setattr(measure, "scaling", refuse("scaling"))
    assert run(tmp_path, (moved,)) == cold
    after = figures(tmp_path)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"traffic-picture.png"}
    assert len(entries(tmp_path, "figures")) == 5  # overview, transition, collapse, 2 pictures


def table():
    rng = np.random.default_rng(0)
    x = np.repeat(np.linspace(0, 1, 9), 3)
    y = (x > 0.5) + 0.05 * rng.standard_normal(x.size)
    return pd.DataFrame({"x": x, "y": y, "size": 4, "status": "ok"})


def counting(result):
    calls = []

    def compute():
        calls.append(1)
        return result

    return compute, calls


def test_fits_are_keyed_by_the_exact_table_and_the_seed(tmp_path):
    system = tiny({"traffic"})[0]
    cache = Cache(tmp_path)
    fit, calls = counting(("per unit", "all or nothing", None))

    def finding(runs, seed=0):
        return measure._finding(cache, system, runs, seed, fit)

    first = finding(table())
    assert finding(table()).key == first.key and len(calls) == 1  # read back
    changed = table()
    changed.loc[5, "y"] = np.nextafter(changed.loc[5, "y"], 2)  # one value, by one ulp
    assert finding(changed).key != first.key and len(calls) == 2
    assert finding(table(), seed=1).key != first.key and len(calls) == 3
    renamed = table().rename(columns={"status": "state"})
    assert finding(renamed).key != first.key and len(calls) == 4
    assert finding(table().astype({"size": float})).key != first.key and len(calls) == 5
    assert finding(table()).per_unit == "per unit" and len(calls) == 5


def test_table_digest_reads_every_value_dtype_and_the_index():
    base = table_digest(table())
    assert table_digest(table()) == base
    assert table_digest(table().iloc[::-1]) != base
    assert table_digest(table().set_axis(range(1, 28))) != base
    strings = table()
    strings.loc[0, "status"] = "failed"
    assert table_digest(strings) != base


def test_training_curves_are_keyed_like_sweep_runs(tmp_path, monkeypatch):
    grokking = tiny({"grokking"})[0]
    budget = grokking.comparison.quick
    curves = pd.DataFrame({"step": [1, 2], "test_accuracy": [0.1, 0.9]})
    compute, calls = counting(curves)
    monkeypatch.setattr(measure, "training_curves", lambda *args, **kwargs: compute())
    cache = Cache(tmp_path)

    def curves_of(budget=budget, fixed=None, seed=0):
        fixed = {"p": 23} if fixed is None else fixed
        return measure._cached_curves(cache, grokking, budget, fixed, seed)

    assert curves_of().equals(curves) and len(calls) == 1
    assert curves_of().equals(curves) and len(calls) == 1
    longer = type(budget)(budget.values, budget.sizes, budget.reps, budget.steps + 1, 0)
    curves_of(budget=longer)
    curves_of(fixed={"p": 31})
    curves_of(seed=1)
    assert len(calls) == 4


def test_a_corrupt_entry_is_recomputed_with_one_warning(tmp_path, capfd):
    rows = tiny({"traffic"})
    cold = run(tmp_path, rows)
    capfd.readouterr()
    (fits,) = entries(tmp_path, "fits")
    fits.write_bytes(fits.read_bytes()[:100])  # cut short
    picture = entries(tmp_path, "figures")[0]
    picture.write_bytes(b"not a png")
    assert run(tmp_path, rows) == cold
    warnings = capfd.readouterr().err.strip().splitlines()
    assert len(warnings) == 2, warnings
    assert all(w.startswith("emergesim: warning: cache entry") for w in warnings)
    assert {str(fits), str(picture)} == {w.split("'")[1] for w in warnings}
    hashes = json.loads((tmp_path / CACHE / MANIFEST).read_text())
    for path in (fits, picture):  # rewritten as computed again
        name = path.relative_to(tmp_path / CACHE).as_posix()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashes[name]
    assert run(tmp_path, rows) == cold
    assert capfd.readouterr().err == ""  # and read back without a word


def put(folder, key, data):
    """Write ``data`` as the fits entry ``key`` with its hash in the manifest: an entry whose
    bytes are intact but do not load."""
    cache, name = Cache(folder), f"fits/{key}.pickle"
    cache.get("fits", key, compute=lambda: "placeholder")
    (cache.folder / name).write_bytes(data)
    cache.hashes[name] = hashlib.sha256(data).hexdigest()
    (cache.folder / MANIFEST).write_text(json.dumps(cache.hashes))


def test_an_entry_that_does_not_load_or_would_run_code_is_recomputed(tmp_path, capfd):
    key = Cache(tmp_path).key("fits", anything=1)
    put(tmp_path, key, pickle.dumps(os.system))
    assert Cache(tmp_path).get("fits", key, lambda: 42) == 42
    err = capfd.readouterr().err
    assert err.count("warning") == 1 and "is not a type a cache entry holds" in err
    assert Cache(tmp_path).get("fits", key, lambda: 0) == 42
    put(tmp_path, key, b"\x80\x05garbage")
    assert Cache(tmp_path).get("fits", key, lambda: 7) == 7
    assert capfd.readouterr().err.count("does not load") == 1


@pytest.mark.parametrize("name", ["notes.txt", "fits/0123.pickle", "figures/" + "a" * 64 + ".png"])
def test_a_file_in_the_cache_that_emergesim_did_not_write_is_refused_before_any_run(tmp_path, name):
    rows = tiny({"traffic"})
    mine = tmp_path / CACHE / name
    mine.parent.mkdir(parents=True)
    mine.write_text("mine")
    with pytest.raises(EmergesimError, match="was not written by emergesim compare"):
        run(tmp_path, rows)
    assert mine.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE]  # no run, no report


def test_a_cache_of_others_next_to_a_report_is_refused_and_kept(tmp_path):
    rows = tiny({"traffic"})
    run(tmp_path, rows)
    manifest = tmp_path / CACHE / MANIFEST
    manifest.write_text("{not json")
    with pytest.raises(EmergesimError, match="cannot tell its cache files from yours"):
        run(tmp_path, rows)
    assert manifest.read_text() == "{not json"
    (other := tmp_path / "other").mkdir()
    (other / CACHE).write_text("a file")
    with pytest.raises(EmergesimError, match="is a file, where emergesim compare keeps its cache"):
        run(other, rows)
    assert (other / CACHE).read_text() == "a file"


def test_an_entry_is_never_written_over_a_file_that_is_not_in_the_manifest(tmp_path):
    cache = Cache(tmp_path)
    key = cache.key("tables", source="x")
    assert cache.get("tables", key, lambda: {"a": 1}) == {"a": 1}
    mine = cache.folder / "tables" / f"{cache.key('tables', source='y')}.pickle"
    mine.write_text("mine")  # arrived after check_free: neither read nor overwritten
    assert cache.get("tables", mine.stem, lambda: {"b": 2}) == {"b": 2}
    assert mine.read_text() == "mine"
    assert sorted(json.loads((cache.folder / MANIFEST).read_text())) == [f"tables/{key}.pickle"]
    with pytest.raises(EmergesimError, match="was not written by emergesim compare"):
        caching.check_free(tmp_path)
