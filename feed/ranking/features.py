"""The one text representation shared by topic models, personal models and clustering.

Hashed word unigrams and bigrams (no vocabulary to fit or store), sublinear term
frequency, title terms counted twice, rows L2-normalised. Every term is hashed into
two columns (a second, salted probe): 2**18 columns host ~500k distinct terms of a
25k-article corpus, so one column is shared by a few unrelated terms, but a term is
only taken as present (a topic's seed phrase, for instance) when both of its
columns are, and two independent collisions in one article are rare.

Tokens are lower-cased words with light stemming (plurals, -ed, -ing), so that a
seed term like "tariff" also matches "tariffs" and "sanctions" matches
"sanctioned"; hyphenated words are split ("chip-maker" -> "chip maker"); "US" and
"U.S." become one token that survives stop-word removal; only function words are
stop words. Vectors are stored per article as compact bytes (encode_row /
decode_rows). Django-free.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**18
TITLE_WEIGHT = 2
# Bumped whenever tokenisation or hashing changes: stored vectors of another
# version must be recomputed (see is_current).
VERSION = 2
_SALT = "\x1f"  # never part of a token
_MAGIC = b"T" + bytes([VERSION])

# A word: letters/digits, with inner dots or apostrophes ("u.s", "o'brien").
# Hyphens, slashes and other punctuation split words.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[.'’](?=[^\W_]))*")
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")
_US = frozenset({"US", "U.S", "U.S."})
# A bigram whose words sit on either side of one of these is not a phrase of the text.
_CLAUSE_BREAK = re.compile(r"[,;:!?()\[\]\"“”]")
# Function words only (scikit-learn's list also drops content words such as
# "interest", "computer", "system", "fire" and "bill").
_FUNCTION_WORDS = """
a about above after again against all am an and any are as at be because been
before being below between both but by can cannot could did do does doing down
during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there
these they this those through to too under until up us very was we were what when
where which while who whom why will with would you your yours yourself
yourselves also may might must shall via per yet ago s t d ll m o re ve y dont
doesnt didnt isnt arent wasnt werent wont wouldnt cant couldnt shouldnt hasnt
havent hadnt im ive id youre youve weve theyre theyve hes shes thats theres
whats
"""
_STOP_WORDS = frozenset(_FUNCTION_WORDS.split())
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


@lru_cache(maxsize=200_000)
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
    return [t for t in map(_token, _WORD.findall(text)) if t]


def terms_of(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of a token sequence: the units hashed into features."""
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))]


def terms(text: str) -> list[str]:
    """Unigrams and bigrams of a text (the same units an article's vector holds)."""
    return terms_of(tokenize(text))


def document_terms(doc: Document) -> list[str]:
    """A document's terms with multiplicity: title terms TITLE_WEIGHT times."""
    return terms(doc.title) * TITLE_WEIGHT + terms(doc.text)


def _hashed_units(doc: Document) -> list[str]:
    units = document_terms(doc)
    return units + [unit + _SALT for unit in units]


_HASHER = FeatureHasher(
    n_features=N_FEATURES,
    input_type="string",
    alternate_sign=False,
    dtype=np.float32,
)


def _column(unit: str) -> int:
    return abs(murmurhash3_32(unit, seed=0)) % N_FEATURES


def feature_columns(term: str) -> tuple[int, int]:
    """The two columns a term (a token, or a "w1 w2" bigram of tokens) hashes to."""
    return _column(term), _column(term + _SALT)


def feature_index(term: str) -> int:
    """The first of a term's two columns."""
    return _column(term)


def phrase_units(phrase: str) -> list[str]:
    """The terms that together mean `phrase`: its single token, or its bigrams."""
    tokens = tokenize(phrase)
    return tokens if len(tokens) == 1 else terms_of(tokens)[len(tokens) :]


def phrase_columns(phrase: str) -> list[int]:
    """Every column that must be present for `phrase` to be present."""
    return [c for unit in phrase_units(phrase) for c in feature_columns(unit)]


def transform(docs: Sequence[Document]) -> sp.csr_matrix:
    """Rows of sublinear-tf, L2-normalised hashed features, one per document."""
    counts = _HASHER.transform(_hashed_units(doc) for doc in docs).tocsr()
    counts.data = np.float32(1.0) + np.log(counts.data, dtype=np.float32)
    normalise_rows(counts)
    return counts


def normalise_rows(X: sp.csr_matrix) -> None:
    """Scale X's rows to unit L2 norm in place (all-zero rows stay zero). Works on
    the stored values directly: sklearn's normalize costs several times more."""
    lengths = np.diff(X.indptr)
    squares = np.bincount(
        np.repeat(np.arange(len(lengths)), lengths),
        weights=X.data.astype(np.float64) ** 2,
        minlength=len(lengths),
    )
    norms = np.sqrt(np.where(squares > 0, squares, 1.0)).astype(X.data.dtype)
    X.data /= np.repeat(norms, lengths)


def empty(n_rows: int = 0) -> sp.csr_matrix:
    return sp.csr_matrix((n_rows, N_FEATURES), dtype=np.float32)


def encode_row(row: sp.csr_matrix) -> bytes:
    """A 1×N row as bytes: magic+version, uint32 count, uint32 indices, float16
    values (about 6 bytes per distinct term)."""
    return encode_rows(row)[0]


def encode_rows(X: sp.csr_matrix) -> list[bytes]:
    """Every row of X as encode_row would encode it, without slicing X row by row
    (scipy's row indexing costs more than the encoding)."""
    X = sp.csr_matrix(X)
    indices = X.indices.astype("<u4").tobytes()
    values = X.data.astype("<f2").tobytes()
    counts = np.diff(X.indptr).astype("<u4")
    return [
        _MAGIC
        + counts[i].tobytes()
        + indices[4 * start : 4 * end]
        + values[2 * start : 2 * end]
        for i, (start, end) in enumerate(
            zip(X.indptr[:-1].tolist(), X.indptr[1:].tolist(), strict=True)
        )
    ]


def is_current(blob: bytes | None) -> bool:
    """True when `blob` was encoded by this version of the features (else recompute
    it with transform + encode_row)."""
    return bool(blob) and bytes(blob[:2]) == _MAGIC


def decode_rows(blobs: Iterable[bytes | None]) -> sp.csr_matrix:
    """Stack encoded rows into a float32 CSR matrix. Empty blobs and blobs of another
    features version give empty rows."""
    indptr = [0]
    index_parts: list[bytes] = []
    value_parts: list[bytes] = []
    for blob in blobs:
        blob = bytes(blob or b"")
        if len(blob) < 6 or blob[:2] != _MAGIC:
            indptr.append(indptr[-1])
            continue
        n = int.from_bytes(blob[2:6], "little")
        index_parts.append(blob[6 : 6 + 4 * n])
        value_parts.append(blob[6 + 4 * n : 6 + 6 * n])
        indptr.append(indptr[-1] + n)
    indices = np.frombuffer(b"".join(index_parts), dtype="<u4")
    values = np.frombuffer(b"".join(value_parts), dtype="<f2")
    return sp.csr_matrix(
        (values.astype(np.float32), indices.astype(np.int32), np.array(indptr)),
        shape=(len(indptr) - 1, N_FEATURES),
    )


def surface_form(text: str, term: str) -> str | None:
    """How `term` (space-separated normalised tokens, as in terms()) is written in
    `text`: "export control" in "new export controls on chips" is "export
    controls". None when the text does not contain it."""
    wanted = term.split()
    if not wanted:
        return None
    spans: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(text):
        token = _token(match.group())
        if token:
            spans.append((token, match.start(), match.end()))
    for i in range(len(spans) - len(wanted) + 1):
        if all(spans[i + k][0] == w for k, w in enumerate(wanted)):
            surface = " ".join(
                text[spans[i][1] : spans[i + len(wanted) - 1][2]].split()
            )
            if not _CLAUSE_BREAK.search(surface):
                return surface
    return None
