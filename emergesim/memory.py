"""Memory a run needs against memory the machine has: the check that refuses, before anything is
built, a run that cannot fit.

Each model estimates the peak bytes of one run from its parameters
(``EmergenceModel.memory_bytes``, a formula of its arrays and agents calibrated against measured
runs); :func:`check_fits` compares that with :func:`available_memory` and raises a one-line
ParameterError naming the estimate, the parameters that drive it and what is available. A model
without an estimate (0) is never refused. No psutil: /proc/meminfo, the cgroup's limit, or the
physical pages.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emergesim.errors import ParameterError

if TYPE_CHECKING:
    from emergesim.model import EmergenceModel

GIB = 2**30
READ_EVERY = 1.0  # seconds: how long a reading of the available memory is used
_last_read: tuple[float, tuple[int, str] | None] | None = None  # (when, what) of the last
# a cgroup's limit, v2 then v1, with its usage: a container may have less than the machine
CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def available_memory() -> tuple[int, str] | None:
    """(bytes a new run may take, where that was read), or None when nothing says.

    Linux's MemAvailable (free memory plus caches it can drop), lowered to the room left under
    the cgroup's limit when there is one; elsewhere the physical memory (os.sysconf). Read again
    after READ_EVERY seconds at the earliest: a sweep of small runs builds thousands a second.
    """
    global _last_read
    now = time.monotonic()
    if _last_read is None or now - _last_read[0] > READ_EVERY:
        _last_read = (now, _read_available())
    return _last_read[1]


def _read_available() -> tuple[int, str] | None:
    found = _meminfo() or _physical()
    room = _cgroup_room()
    if room is not None and (found is None or room < found[0]):
        return room, "cgroup limit"
    return found


def _meminfo() -> tuple[int, str] | None:
    try:
        with open("/proc/meminfo") as lines:
            for line in lines:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "MemAvailable"  # in kB (KiB)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _physical() -> tuple[int, str] | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
    return (pages * size, "physical memory") if pages > 0 and size > 0 else None


def _cgroup_room() -> int | None:
    for limit_file, usage_file in CGROUP_FILES:
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:  # "max" or v1's huge number: no limit
            return max(int(limit) - usage, 0)
    return None


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units, as free(1) and /proc/meminfo count: '110 GB', '1.5 GB',
    '300 MB', '17 kB'."""
    if n >= 10 * GIB:
        return f"{n / GIB:.0f} GB"
    if n >= GIB:
        return f"{n / GIB:.1f} GB"
    if n >= 2**20:
        return f"{n / 2**20:.0f} MB"
    return f"{n / 2**10:.0f} kB"


def check_fits(cls: type[EmergenceModel], values: Mapping[str, Any]) -> None:
    """Refuse a run of ``cls`` with these (validated, complete) parameter values whose estimated
    peak memory exceeds what the machine has available: one line, e.g. "traffic with
    length=1000000000 needs about 102 GB of memory; this machine has 23 GB available
    (MemAvailable)"."""
    need = cls.peak_bytes(values)  # complete already: no defaults to fill in
    if need <= 0:
        return  # the model makes no estimate
    have = available_memory()
    if have is None or need <= have[0]:
        return
    drivers = _drivers(cls, values, need)
    raise ParameterError(
        f"{cls.name} with {drivers} needs about {format_bytes(need)} of memory; this machine "
        f"has {format_bytes(have[0])} available ({have[1]})"
    )


def _drivers(cls: type[EmergenceModel], values: Mapping[str, Any], need: int) -> str:
    """The parameters set away from their defaults that raise the estimate, as name=value (each
    one is a parameter whose default would lower it)."""
    defaults = cls.params.defaults()
    named = [
        f"{name}={_plain(value)}"
        for name, value in values.items()
        if name in defaults
        and value != defaults[name]
        and cls.peak_bytes({**values, name: defaults[name]}) < need
    ]
    return ", ".join(named) if named else "its default parameters"


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
