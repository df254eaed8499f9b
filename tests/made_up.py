"""Made-up articles for corpus tests: unique, news-shaped, written by a generator here."""

from __future__ import annotations

import random

_NAMES = [
    "Harwick",
    "Delmont",
    "Ostrava",
    "Kellerman",
    "Ruiz",
    "Tamsin",
    "Okafor",
    "Lindqvist",
    "Marlow",
    "Petrakis",
]
_WORDS = [
    "council",
    "budget",
    "harbour",
    "ferry",
    "report",
    "minister",
    "schools",
    "rail",
    "storm",
    "water",
    "police",
    "court",
    "trial",
    "hospital",
    "union",
    "strike",
    "vote",
    "market",
    "prices",
    "energy",
    "tariff",
    "farmers",
    "drought",
    "river",
    "bridge",
    "museum",
    "festival",
    "league",
    "coach",
    "injury",
    "season",
    "transfer",
    "airport",
    "runway",
    "housing",
    "rents",
    "planning",
    "survey",
    "wages",
    "inflation",
    "bank",
    "exports",
    "factory",
    "jobs",
    "climate",
    "flood",
    "coast",
    "election",
    "turnout",
    "campaign",
    "debate",
    "mayor",
    "tax",
    "pension",
]


def article(rng: random.Random, paragraphs: int = 5) -> str:
    """A unique made-up article: a headline, a blank line, paragraphs of sentences."""
    title = " ".join(rng.choice(_WORDS).capitalize() for _ in range(4))
    paras = []
    for _ in range(paragraphs):
        sents = []
        for _ in range(3):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(10, 16))]
            words.insert(rng.randint(1, 5), rng.choice(_NAMES))
            words.insert(rng.randint(6, 9), str(rng.randint(2, 9000)))
            sents.append(" ".join(words).capitalize() + ".")
        paras.append(" ".join(sents))
    return title + "\n\n" + "\n\n".join(paras) + "\n"
