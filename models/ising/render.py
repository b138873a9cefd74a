"""Pictures of an Ising run: the spins at the last frame, and |m| and energy against time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from emergesim.models.ising import exact

if TYPE_CHECKING:
    from emergesim.models.ising.model import IsingFrame, IsingModel

UP, DOWN = "#f6c85f", "#1b2a49"  # amber and deep blue
SPINS = ListedColormap([DOWN, UP])
EXACT = dict(color="#c0392b", ls="--", lw=1, label="Onsager/Yang, infinite lattice")
RULES = {"heat_bath": "heat bath", "metropolis": "Metropolis", "swendsen_wang": "Swendsen-Wang"}


def draw(
    fig: Figure, model: IsingModel, frames: Sequence[IsingFrame], steps: Sequence[int]
) -> None:
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.3])
    _draw_spins(fig.add_subplot(grid[:, 0]), model, frames[-1], steps[-1])
    magnetization = fig.add_subplot(grid[0, 1])
    energy = fig.add_subplot(grid[1, 1], sharex=magnetization)
    _draw_series(magnetization, energy, model, frames, steps)
    j, t = model.coupling, model.temperature
    ratio = f" ({t * exact.K_C / abs(j):.3f} $T_c$)" if j else ""
    fig.suptitle(
        f"2D Ising model ({RULES[model.update]}): L = {model.size}, "
        f"T = {t:g}{ratio}, J = {j:g}, h = {model.field:g}"
    )


def _draw_spins(ax, model: IsingModel, frame: IsingFrame, step: int) -> None:
    ax.imshow(frame.spins, cmap=SPINS, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    shown = len(frame.spins)
    corner = f", top-left {shown} x {shown} shown" if shown < model.size else ""
    ax.set_title(f"sweep {step}{corner}", fontsize=10)
    legend = [Patch(color=UP, label="s = +1"), Patch(color=DOWN, label="s = -1")]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, frameon=False)


def _draw_series(
    m_ax, e_ax, model: IsingModel, frames: Sequence[IsingFrame], steps: Sequence[int]
) -> None:
    """The time axis spans the whole run, so an animation's frames line up."""
    m = [f.magnetization for f in frames]
    e = [f.energy for f in frames]
    m_ax.plot(steps, m, color=DOWN, lw=1.3)
    e_ax.plot(steps, e, color=DOWN, lw=1.3)
    j, h = model.coupling, model.field
    top = max(e)
    if j > 0 and h == 0:
        k = j / model.temperature
        m_ax.axhline(exact.spontaneous_magnetization(k), **EXACT)
        e_ax.axhline(j * exact.energy(k), **EXACT)
        m_ax.legend(loc="best", fontsize=8)
        top = max(top, j * exact.energy(k))
    ground = 2 * abs(j) + abs(h) or 1.0  # no spin's energy is below -ground
    e_ax.set_ylim(-1.03 * ground, top + 0.15 * ground)
    m_ax.set_ylim(-0.02, 1.02)
    m_ax.set_xlim(0, max(model.steps, 1))
    m_ax.tick_params(labelbottom=False)
    m_ax.set_ylabel("|m|")
    e_ax.set_ylabel("energy per spin")
    e_ax.set_xlabel("sweep")
    for ax in (m_ax, e_ax):
        ax.grid(alpha=0.3)
    m_ax.set_title(f"|m| = {m[-1]:.3f}, energy {e[-1]:.3f} per spin", fontsize=10)
