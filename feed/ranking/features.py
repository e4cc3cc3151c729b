"""The one text representation shared by topic models, personal models and clustering.

Hashed word unigrams and bigrams (no vocabulary to fit or store), sublinear term
frequency, title counted twice, rows L2-normalised. Vectors are stored per article
as compact bytes (encode_row / decode_rows). Django-free.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize

N_FEATURES = 2**18
TITLE_WEIGHT = 2

_TOKEN = re.compile(r"(?u)\b[\w][\w\-\.]*[\w]\b|\b\w\b")


@dataclass(frozen=True)
class Document:
    title: str
    text: str = ""


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens, stop words removed; keeps 'h800', 'u.s.', 'chip-maker'."""
    tokens = _TOKEN.findall(text.lower())
    return [
        t for t in tokens if t not in ENGLISH_STOP_WORDS and len(t) > 1 or t.isdigit()
    ]


def terms(text: str) -> list[str]:
    """Unigrams and bigrams, the units that are hashed into features."""
    tokens = tokenize(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _analyzer(text: str) -> list[str]:
    return terms(text)


_VECTORIZER = HashingVectorizer(
    n_features=N_FEATURES,
    analyzer=_analyzer,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


def document_text(doc: Document) -> str:
    return " ".join([doc.title] * TITLE_WEIGHT + [doc.text])


def feature_index(term: str) -> int:
    """The column a term hashes to (used to explain a score in words)."""
    return int(_VECTORIZER.transform([term]).indices[0]) if term else -1


def transform(docs: Sequence[Document]) -> sp.csr_matrix:
    """Rows of sublinear-tf, L2-normalised hashed features, one per document."""
    counts = _VECTORIZER.transform([document_text(d) for d in docs]).tocsr()
    counts.data = (1.0 + np.log(counts.data)).astype(np.float32)
    return normalize(counts, norm="l2", copy=False)


def encode_row(row: sp.csr_matrix) -> bytes:
    """A 1×N row as bytes: uint32 count, uint32 indices, float16 values."""
    row = row.tocsr()
    indices = row.indices.astype("<u4")
    values = row.data.astype("<f2")
    return (
        np.array([len(indices)], dtype="<u4").tobytes()
        + indices.tobytes()
        + values.tobytes()
    )


def decode_rows(blobs: Iterable[bytes]) -> sp.csr_matrix:
    """Stack encoded rows into a float32 CSR matrix (empty blobs give empty rows)."""
    indptr = [0]
    all_indices: list[np.ndarray] = []
    all_values: list[np.ndarray] = []
    for blob in blobs:
        blob = bytes(blob or b"")
        if len(blob) < 4:
            indptr.append(indptr[-1])
            continue
        n = int(np.frombuffer(blob, dtype="<u4", count=1)[0])
        indices = np.frombuffer(blob, dtype="<u4", count=n, offset=4)
        values = np.frombuffer(blob, dtype="<f2", count=n, offset=4 + 4 * n)
        all_indices.append(indices)
        all_values.append(values)
        indptr.append(indptr[-1] + n)
    indices = np.concatenate(all_indices) if all_indices else np.zeros(0, dtype="<u4")
    values = np.concatenate(all_values) if all_values else np.zeros(0, dtype="<f2")
    return sp.csr_matrix(
        (values.astype(np.float32), indices.astype(np.int32), np.array(indptr)),
        shape=(len(indptr) - 1, N_FEATURES),
    )
