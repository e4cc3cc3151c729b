"""Small synthetic news corpora for the ranking unit tests: a few topics written
with a known vocabulary among general news."""

import numpy as np

from feed.ranking import features


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CHIPS_WORDS = words(
    "semiconductor chip nvidia gpu wafer foundry tsmc processor lithography "
    "fab transistor accelerator memory asml"
)
TRADE_WORDS = words(
    "tariff tariffs export import duties customs sanctions wto negotiators "
    "retaliation quota embargo levies dumping"
)
QUANTUM_WORDS = words(
    "quantum qubit qubits superconducting entanglement error-correction"
)
GENERAL_WORDS = words(
    "city council weather football match music festival film election mayor "
    "school hospital police storm concert museum train airport bakery garden "
    "recipe holiday market shares quarter profit river bridge parade tourism "
    "restaurant painting theatre novel author league coach season fans"
)


def make_document(rng, topic_words, *, topic_share: float) -> features.Document:
    def words(n):
        picks = []
        for _ in range(n):
            pool = (
                topic_words
                if topic_words and rng.random() < topic_share
                else GENERAL_WORDS
            )
            picks.append(pool[rng.integers(len(pool))])
        return " ".join(picks)

    return features.Document(title=words(7), text=words(25))


def build_corpus(seed: int = 7):
    """(documents, kind per document): 60 chips, 60 trade, 20 quantum and 460
    general articles, shuffled, reproducible."""
    rng = np.random.default_rng(seed)
    kinds = ["chips"] * 60 + ["trade"] * 60 + ["quantum"] * 20 + ["general"] * 460
    rng.shuffle(kinds)
    vocab = {
        "chips": CHIPS_WORDS,
        "trade": TRADE_WORDS,
        "quantum": QUANTUM_WORDS,
        "general": (),
    }
    docs = [make_document(rng, vocab[k], topic_share=0.5) for k in kinds]
    return docs, np.array(kinds)
