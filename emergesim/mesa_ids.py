"""Mesa 3.3's numbering of agents, without its leak of every model.

Mesa 3.3 numbers each model's agents from ``Agent._ids``, a defaultdict on the class keyed by the
model, so every model that ever numbered an agent stays alive as long as the process
(mesa#3179; Mesa 3.4 moved the count into the model, mesa#3180). An emergesim model numbers its
rows' agents when it is built, so a sweep's process kept every model it ran: its memory grew with
each run, and so did each full pass of the garbage collector. ``install()`` (done when
``emergesim.model`` is imported, on a Mesa that has ``Agent._ids``) gives Mesa the same counters
held with weak keys: a model's counter goes when the model does. Mesa's code is unchanged and
models built with it number their agents as before.
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict
from typing import Any

import mesa


class WeakCounters(weakref.WeakKeyDictionary):
    """``Agent._ids`` as Mesa 3.3 reads it (``_ids[model]`` is the model's count of unique_ids,
    from 1 when first asked for), with the models held weakly."""

    def __getitem__(self, model: Any) -> itertools.count:
        counter = self.get(model)
        if counter is None:
            self[model] = counter = itertools.count(1)
        return counter


def install() -> None:
    """Replace Mesa 3.3's ``Agent._ids`` by WeakCounters holding the same counts; a no-op on a
    Mesa that counts in the model, or when done already."""
    counts = vars(mesa.Agent).get("_ids")
    if isinstance(counts, defaultdict):
        weak = WeakCounters()
        weak.update(counts)
        mesa.Agent._ids = weak
