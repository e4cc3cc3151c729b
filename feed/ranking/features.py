"""The one text representation shared by topic models, personal models and clustering.

Hashed word unigrams and bigrams (no vocabulary to fit or store), sublinear term
frequency, title terms counted twice, rows L2-normalised. Tokens are lower-cased
words with light stemming (plurals, -ed, -ing) so that a seed term like "tariff"
also matches "tariffs" and "sanctions" matches "sanctioned"; hyphenated words are
split ("chip-maker" -> "chip maker"), and "US" / "U.S." become one token that
survives stop-word removal. Vectors are stored per article as compact bytes
(encode_row / decode_rows). Django-free.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**18
TITLE_WEIGHT = 2
# Bumped whenever tokenisation or hashing changes: stored vectors of another
# version must be recomputed (see is_current).
VERSION = 2
_MAGIC = b"T" + bytes([VERSION])

# A word: letters/digits, with inner dots or apostrophes ("u.s", "o'brien").
# Hyphens, slashes and other punctuation split words.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[.'’](?=[^\W_]))*")
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")
_US = frozenset({"US", "U.S", "U.S."})
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Document:
    title: str
    text: str = ""


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Light, conservative suffix folding: plurals, then -ed / -ing on long words.
    Only consistency matters (documents and seed terms go through the same rule)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        word = word[:-2]
    elif word[-1] == "s" and word[-2] not in "su":
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 4 and _VOWELS.intersection(base):
            if base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # "banned" -> "ban", "shipping" -> "ship"
            return base
    return word


def _token(raw: str) -> str | None:
    if raw in _US:
        return "u.s"
    if _ACRONYM_PLURAL.fullmatch(raw):
        raw = raw[:-1]  # "GPUs" -> "GPU", "LLMs" -> "LLM"
    word = raw.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word == "a.i":
        word = "ai"
    if word in _STOP_WORDS or (len(word) < 2 and not word.isdigit()):
        return None
    return stem(word)


def tokenize(text: str) -> list[str]:
    """Normalised tokens, stop words removed: 'U.S. chip-makers' -> ['u.s', 'chip',
    'maker']."""
    tokens = (_token(raw) for raw in _WORD.findall(text))
    return [t for t in tokens if t]


def terms_of(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of a token sequence: the units hashed into features."""
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))]


def terms(text: str) -> list[str]:
    """Unigrams and bigrams of a text (the same units an article's vector holds)."""
    return terms_of(tokenize(text))


def document_terms(doc: Document) -> list[str]:
    """A document's terms with multiplicity: title terms TITLE_WEIGHT times."""
    return terms(doc.title) * TITLE_WEIGHT + terms(doc.text)


_VECTORIZER = HashingVectorizer(
    n_features=N_FEATURES,
    analyzer=document_terms,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


def feature_index(term: str) -> int:
    """The column a term (a unigram or a "w1 w2" bigram of tokens) hashes to."""
    return abs(murmurhash3_32(term, seed=0)) % N_FEATURES


def phrase_columns(phrase: str) -> list[int]:
    """Columns that together mean `phrase`: its single token, or its bigrams."""
    tokens = tokenize(phrase)
    if len(tokens) == 1:
        return [feature_index(tokens[0])]
    return [feature_index(t) for t in terms_of(tokens)[len(tokens) :]]


def transform(docs: Sequence[Document]) -> sp.csr_matrix:
    """Rows of sublinear-tf, L2-normalised hashed features, one per document."""
    counts = _VECTORIZER.transform(docs).tocsr()
    counts.data = (1.0 + np.log(counts.data)).astype(np.float32)
    return normalize(counts, norm="l2", copy=False)


def empty(n_rows: int = 0) -> sp.csr_matrix:
    return sp.csr_matrix((n_rows, N_FEATURES), dtype=np.float32)


def encode_row(row: sp.csr_matrix) -> bytes:
    """A 1×N row as bytes: magic+version, uint32 count, uint32 indices, float16
    values (about 6 bytes per distinct term)."""
    row = sp.csr_matrix(row)
    indices = row.indices.astype("<u4")
    values = row.data.astype("<f2")
    return (
        _MAGIC
        + np.array([len(indices)], dtype="<u4").tobytes()
        + indices.tobytes()
        + values.tobytes()
    )


def is_current(blob: bytes | None) -> bool:
    """True when `blob` was encoded by this version of the features (else recompute
    it with transform + encode_row)."""
    return bool(blob) and bytes(blob[:2]) == _MAGIC


def decode_rows(blobs: Iterable[bytes | None]) -> sp.csr_matrix:
    """Stack encoded rows into a float32 CSR matrix. Empty blobs and blobs of another
    features version give empty rows."""
    indptr = [0]
    all_indices: list[np.ndarray] = []
    all_values: list[np.ndarray] = []
    for blob in blobs:
        blob = bytes(blob or b"")
        if len(blob) < 6 or not is_current(blob):
            indptr.append(indptr[-1])
            continue
        n = int(np.frombuffer(blob, dtype="<u4", count=1, offset=2)[0])
        all_indices.append(np.frombuffer(blob, dtype="<u4", count=n, offset=6))
        all_values.append(np.frombuffer(blob, dtype="<f2", count=n, offset=6 + 4 * n))
        indptr.append(indptr[-1] + n)
    indices = np.concatenate(all_indices) if all_indices else np.zeros(0, dtype="<u4")
    values = np.concatenate(all_values) if all_values else np.zeros(0, dtype="<f2")
    return sp.csr_matrix(
        (values.astype(np.float32), indices.astype(np.int32), np.array(indptr)),
        shape=(len(indptr) - 1, N_FEATURES),
    )
