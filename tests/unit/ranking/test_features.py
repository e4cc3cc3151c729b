"""The shared text representation: tokens, double hashing, stored bytes."""

import numpy as np
import pytest

from feed.ranking import features
from feed.ranking.features import Document


def test_tokens_are_lower_cased_stemmed_and_split_on_hyphens():
    assert features.tokenize("Chip-makers face new tariffs") == [
        "chip",
        "maker",
        "face",
        "new",
        "tariff",
    ]


def test_us_survives_stop_words_but_the_pronoun_does_not():
    assert features.tokenize("US sanctions hit us") == ["u.s", "sanction", "hit"]
    assert features.tokenize("the U.S. said") == ["u.s", "said"]


def test_acronym_plurals_and_inflections_fold_to_one_token():
    assert features.tokenize("GPUs") == features.tokenize("GPU") == ["gpu"]
    assert features.tokenize("sanctioned") == features.tokenize("sanctions")
    assert features.tokenize("banned shipping") == ["ban", "ship"]


def test_content_words_are_not_stop_words():
    assert features.tokenize("interest rate computer system") == [
        "interest",
        "rate",
        "computer",
        "system",
    ]


def test_terms_are_unigrams_then_bigrams():
    assert features.terms("export controls tighten") == [
        "export",
        "control",
        "tighten",
        "export control",
        "control tighten",
    ]


def test_each_term_fills_both_of_its_columns():
    X = features.transform([Document("Nvidia", "")])
    first, second = features.feature_columns("nvidia")
    assert first != second
    assert X[0, first] > 0
    assert X[0, first] == pytest.approx(X[0, second])
    assert X.nnz == 2


def test_rows_are_unit_length_and_titles_weigh_more():
    X = features.transform([Document("tariff", "wafer")])
    assert np.linalg.norm(X.toarray()) == pytest.approx(1.0)
    tariff, wafer = features.feature_index("tariff"), features.feature_index("wafer")
    assert X[0, tariff] > X[0, wafer]


def test_phrase_columns_are_the_columns_of_its_bigrams():
    columns = features.phrase_columns("World Trade Organization")
    expected = [
        *features.feature_columns("world trade"),
        *features.feature_columns("trade organization"),
    ]
    assert columns == expected


def test_rows_survive_the_byte_round_trip():
    X = features.transform([Document("Chip export curbs", "Beijing responds.")])
    blob = features.encode_row(X[0])
    back = features.decode_rows([blob])
    assert features.is_current(blob)
    assert back.shape == (1, features.N_FEATURES)
    assert np.abs((back - X).toarray()).max() < 1e-3  # float16 storage


def test_a_batch_encodes_row_by_row_alike_including_an_empty_row():
    X = features.transform(
        [
            Document("Chip export curbs", "Beijing responds."),
            Document("", ""),
            Document("Tariffs on steel", "The ministry said."),
        ]
    )
    blobs = features.encode_rows(X)
    assert blobs == [features.encode_row(X[k]) for k in range(3)]
    back = features.decode_rows(blobs)
    assert back[1].nnz == 0
    assert np.abs((back - X).toarray()).max() < 1e-3


def test_empty_and_stale_blobs_decode_to_empty_rows():
    stale = b"\x02\x00\x00\x00" + b"\x00" * 12  # an old, versionless encoding
    back = features.decode_rows([b"", None, stale])
    assert back.shape == (3, features.N_FEATURES)
    assert back.nnz == 0
    assert not features.is_current(stale)


def test_surface_form_finds_the_words_as_written():
    text = "Washington tightened export controls on Nvidia's chips."
    assert features.surface_form(text, "export control") == "export controls"
    assert features.surface_form(text, "nvidia") == "Nvidia's"
    assert features.surface_form(text, "tariff") is None
