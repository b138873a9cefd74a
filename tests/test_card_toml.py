"""Cards as TOML (emergesim.card.read_card): a card reads back exactly, types and all, and a bad
one is refused in one line that names the file, the table and the key."""

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass

import pytest

import emergesim
from emergesim import card as card_module
from emergesim.card import Budget, Comparison, ModelCard, read_card
from emergesim.errors import ParameterError
from emergesim.models.flocking.card import at_density_4
from emergesim.models.grokking.card import GENERALISED, MEMORISED
from emergesim.models.skills.card import DEGREE
from emergesim.params import Param, ParamSet
from emergesim.registry import card as registered

SMALL = """
name = "coin"
summary = "A coin flipped once per step."
control = "bias"
order = "heads"
default_steps = 10
scan_observables = ["heads"]
variants = [{ bias = 0.25, side = "tails" }]

[params.bias]
default = 0.5
doc = "probability of heads"
type = "float"
low = 0
high = 1

[params.flips]
default = 3
doc = "flips per step"
type = "int"
low = 1
high = 1e6
low_open = true

[params.side]
default = "heads"
doc = "the side that counts"
type = "str"
choices = ["heads", "tails"]

[observables]
heads = "share of the flips that came up heads"
all_heads = "1 when every flip came up heads, else 0"

[comparisons.coin]
title = "coins"
kind = "ground truth"
size = "flips"
per_unit = "heads"
all_or_nothing = "all_heads"
fixed = { side = "heads" }
quick = { values = "0:1:5", sizes = [2, 4], reps = 2, steps = 3, burn_in = 0 }
full = { values = "0:1:9", sizes = [{ flips = 8, bias = 0.5 }], reps = 3, steps = 4, burn_in = 1 }
expect = "composition"

[comparisons.in_time]
title = "coins in time"
kind = "training"
control = "step"
size = "flips"
per_unit = "heads"
all_or_nothing = "all_heads"
quick = { sizes = [2], reps = 1, steps = 5, burn_in = 0 }
full = { sizes = [2, 4], reps = 2, steps = 9, burn_in = 0 }
"""
SMALL_CARD = ModelCard(
    name="coin",
    summary="A coin flipped once per step.",
    params=ParamSet(
        Param("bias", 0.5, "probability of heads", float, 0, 1),
        Param("flips", 3, "flips per step", int, 1, 1e6, low_open=True),
        Param("side", "heads", "the side that counts", str, choices=("heads", "tails")),
    ),
    control="bias",
    order="heads",
    observables={
        "heads": "share of the flips that came up heads",
        "all_heads": "1 when every flip came up heads, else 0",
    },
    default_steps=10,
    scan_observables=("heads",),
    comparisons=(
        Comparison(
            "coin",
            "coins",
            "ground truth",
            "flips",
            "heads",
            "all_heads",
            quick=Budget("0:1:5", (2, 4), reps=2, steps=3, burn_in=0),
            full=Budget("0:1:9", ({"flips": 8, "bias": 0.5},), reps=3, steps=4, burn_in=1),
            fixed={"side": "heads"},
            expect="composition",
        ),
        Comparison(
            "in_time",
            "coins in time",
            "training",
            "flips",
            "heads",
            "all_heads",
            control="step",
            quick=Budget(None, (2,), reps=1, steps=5, burn_in=0),
            full=Budget(None, (2, 4), reps=2, steps=9, burn_in=0),
        ),
    ),
    variants=({"bias": 0.25, "side": "tails"},),
)


def typed(value):
    """``value`` with the type of every part spelt out: 64 and 64.0, (1,) and [1] differ."""
    if isinstance(value, Mapping):
        return type(value).__name__, [(typed(k), typed(v)) for k, v in value.items()]
    if isinstance(value, tuple | list):
        return type(value).__name__, [typed(v) for v in value]
    if is_dataclass(value):
        return type(value).__name__, [
            (f.name, typed(getattr(value, f.name))) for f in fields(value)
        ]
    return type(value).__name__, repr(value)


def toml(value) -> str:
    """``value`` as a TOML value (JSON's strings are TOML's basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def written(card: ModelCard) -> str:
    """``card`` as a card.toml, every field written out (None: left out)."""
    tables = {"params", "observables", "comparisons"}
    lines = [
        f"{f.name} = {toml(getattr(card, f.name))}" for f in fields(card) if f.name not in tables
    ]
    for name, param in card.params.items():
        lines.append(f"[params.{json.dumps(name)}]")
        for f in fields(Param)[1:]:
            value = getattr(param, f.name)
            if value is not None:
                lines.append(f"{f.name} = {toml(value.__name__ if f.name == 'type' else value)}")
    lines += [
        "[observables]",
        *(f"{json.dumps(k)} = {toml(v)}" for k, v in card.observables.items()),
    ]
    for comparison in card.comparisons:
        lines.append(f"[comparisons.{json.dumps(comparison.key)}]")
        for f in fields(Comparison)[1:]:
            value = getattr(comparison, f.name)
            if isinstance(value, Budget):
                value = {g.name: getattr(value, g.name) for g in fields(Budget)}
                value = {k: v for k, v in value.items() if v is not None}
            if value is not None:
                lines.append(f"{f.name} = {toml(value)}")
    return "\n".join(lines) + "\n"


def test_a_small_card_reads_as_declared_in_python(tmp_path):
    path = tmp_path / "card.toml"
    path.write_text(SMALL)
    assert typed(read_card(path)) == typed(SMALL_CARD)


def test_the_path_of_a_module_reads_the_toml_beside_it(tmp_path):
    (tmp_path / "card.toml").write_text(SMALL)
    assert read_card(tmp_path / "card.py") == SMALL_CARD


@pytest.mark.parametrize("name", emergesim.available())
def test_every_registered_card_written_out_reads_back_the_same(tmp_path, name):
    card = registered(name)
    path = tmp_path / "card.toml"
    path.write_text(written(card))
    assert typed(read_card(path)) == typed(card)


def test_the_tables_take_the_fields_of_their_dataclasses():
    """A table's keys are its dataclass's fields but for the name, which is its table's."""
    for keys, cls, named in (
        (card_module._CARD, ModelCard, ""),
        (card_module._PARAM, Param, "name"),
        (card_module._COMPARISON, Comparison, "key"),
        (card_module._BUDGET, Budget, ""),
    ):
        assert {**keys[0], **keys[1]}.keys() == {f.name for f in fields(cls)} - {named}


def test_values_written_out_in_the_toml_agree_with_the_code_that_uses_them():
    flock = registered("flocking").comparisons[0]
    assert typed(flock.quick.sizes) == typed(at_density_4(100, 400, 1600))
    assert typed(flock.full.sizes) == typed(at_density_4(100, 400, 1600, 3200))
    grokking = registered("grokking").observables
    assert f">= {MEMORISED} " in grokking["memorised_at"]
    assert f">= {GENERALISED} " in grokking["generalised_at"]
    assert f"{DEGREE}-regular" in registered("skills").params["n_skills"].doc


def refused(tmp_path, old: str, new: str, error: type[Exception] = ValueError) -> str:
    """The one line that refuses SMALL with ``old`` made ``new``, after the file it names."""
    path = tmp_path / "card.toml"
    assert old in SMALL
    path.write_text(SMALL.replace(old, new, 1))
    with pytest.raises(error) as refusal:
        read_card(path)
    message = str(refusal.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message.removeprefix(str(path))


def test_an_unknown_key_is_refused_naming_the_allowed_ones(tmp_path):
    assert refused(tmp_path, "high = 1\n", "hgih = 1\n") == (
        " [params.bias]: unknown key 'hgih' "
        "(allowed: default, doc, type, low, high, choices, unit, low_open, high_open)"
    )
    assert refused(tmp_path, 'name = "coin"', 'nmae = "coin"').startswith(
        " (top level): unknown key 'nmae' (allowed: name, summary, params,"
    )


def test_a_missing_key_is_refused_naming_the_required_ones(tmp_path):
    assert refused(tmp_path, 'doc = "probability of heads"\n', "") == (
        " [params.bias]: missing key 'doc' (required: default, doc, type)"
    )
    assert refused(tmp_path, "reps = 2, ", "") == (
        " [comparisons.coin.quick]: missing key 'reps' (required: sizes, reps, steps, burn_in)"
    )


def test_a_value_of_another_type_is_refused_naming_the_type_wanted(tmp_path):
    edits = [
        ("reps = 2,", "reps = 2.0,"),
        ("default_steps = 10", "default_steps = true"),
        ('scan_observables = ["heads"]', "scan_observables = [1]"),
        ('type = "int"', 'type = "integer"'),
        ('heads = "share', 'heads = 1\nx = "share'),
        ("[params.bias]", "[params]\nextra = 3\n[params.bias]"),
    ]
    assert [refused(tmp_path, *edit) for edit in edits] == [
        " [comparisons.coin.quick]: 'reps' must be an integer, got 2.0",
        " (top level): 'default_steps' must be an integer, got True",
        " (top level): 'scan_observables' must be an array, each a string, got [1]",
        " [params.flips]: 'type' must be one of int, float, str, bool, got 'integer'",
        " [observables]: 'heads' must be a string, got 1",
        " [params]: 'extra' must be a table, got 3",
    ]


def test_the_model_checks_and_the_toml_syntax_name_the_file_too(tmp_path):
    assert refused(tmp_path, 'control = "bias"', 'control = "nope"') == (
        ": model 'coin': control 'nope' is no parameter"
    )
    assert refused(tmp_path, "default = 0.5", "default = 2.0", ParameterError) == (
        ": parameter 'bias' must be a number in [0, 1], got 2.0"
    )
    assert refused(tmp_path, "name = ", "name = = ").startswith(": Invalid value")
