"""The skills model's card, declared in card.toml beside this file (read without Mesa), and the
values of it that the model and studies use."""

from emergesim.card import read_card

CARD = read_card(__file__)
PROMPTINGS = CARD.params["prompting"].choices
# log10 N the model allows, and the widest a figure shows
SCALE_RANGE = (CARD.params["log10_params"].low, CARD.params["log10_params"].high)
# neighbours of every skill: n_skills is at least DEGREE + 1, the fewest a DEGREE-regular graph has
DEGREE = CARD.params["n_skills"].low - 1
# how an answer is scored: the observables that have a Monte Carlo estimate, NAME_mc
METRICS = tuple(name.removesuffix("_mc") for name in CARD.observables if name.endswith("_mc"))
