"""The snowflake model's card, declared in card.toml beside this file (read without Mesa)."""

from emergesim.card import read_card

CARD = read_card(__file__)
