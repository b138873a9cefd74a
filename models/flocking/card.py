"""The flocking model's card, declared in card.toml beside this file (read without Mesa)."""

from emergesim.card import read_card

CARD = read_card(__file__)


def at_density_4(*birds: int) -> tuple[dict[str, float], ...]:
    """Flocks of these sizes in boxes that keep Vicsek's density N / L^2 = 4: the sizes of the
    card's comparison (written out in card.toml), for other budgets of that row."""
    return tuple({"n_agents": n, "width": (n / 4) ** 0.5, "height": (n / 4) ** 0.5} for n in birds)
