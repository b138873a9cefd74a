"""The grokking model's card, declared in card.toml beside this file (read without Mesa)."""

from emergesim.card import read_card

MEMORISED = 0.99  # train accuracy that counts as memorised (the card's memorised_at says so)
GENERALISED = 0.95  # test accuracy that counts as generalised (as its generalised_at says)

CARD = read_card(__file__)
