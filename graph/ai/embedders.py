"""Embedders: text to unit-length vectors, in-process, offline.

An `AIModel` row names its embedder by ``provider`` and ``parameters``:

- ``wordllama`` (the default embedder, migration 0015_ai): WordLlama's ``l2_supercat`` token
  embeddings, whose weights and tokenizer ship inside the ``wordllama`` wheel. WordLlama's own
  ``load()`` looks for the tokenizer in the wrong folder of its package and then downloads it
  from a hub; it is pointed at the package's own folder with downloads disabled, so loading
  never touches the network (tests/ai/test_embedders.py proves it with sockets refused).
- ``hashing``: a feature-hashing bag of words, no weights at all (tests, a second model).

Models load once per process (they are read-only and thread-safe to call).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into vectors of ``dimension`` floats, each of unit length (a zero vector
    for a text with nothing to embed)."""

    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class UnknownEmbedder(ValueError):
    """The model's provider has no in-process embedder."""


def _unit_rows(matrix: Any) -> list[list[float]]:
    array = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (array / norms).astype(np.float32).tolist()  # type: ignore[no-any-return]


class WordLlamaEmbedder:
    """WordLlama from the files inside its wheel (no hub, no cache directory)."""

    def __init__(self, config: str = "l2_supercat", dimension: int = 256) -> None:
        import wordllama
        from wordllama import WordLlama

        package = Path(wordllama.__file__).parent  # holds weights/ and tokenizers/
        self.model = WordLlama.load(
            config=config, dim=dimension, cache_dir=package, disable_download=True
        )
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return _unit_rows(self.model.embed(list(texts), norm=True))


class HashingEmbedder:
    """Words hashed into ``dimension`` buckets with a sign (deterministic, no weights)."""

    WORD = re.compile(r"\w+")

    def __init__(self, dimension: int = 64) -> None:
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in self.WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                rows[i, bucket] += 1.0 if digest[4] & 1 else -1.0
        return _unit_rows(rows)


_loaded: dict[tuple[str, str, int], Embedder] = {}
_lock = threading.Lock()


def embedder_for(provider: str, parameters: Mapping[str, Any]) -> Embedder:
    """The process's embedder for a model (loaded on first use)."""
    dimension = int(parameters.get("dimension", 256))
    config = str(parameters.get("config", "l2_supercat"))
    key = (provider, config, dimension)
    with _lock:
        found = _loaded.get(key)
        if found is None:
            if provider == "wordllama":
                found = WordLlamaEmbedder(config, dimension)
            elif provider == "hashing":
                found = HashingEmbedder(dimension)
            else:
                raise UnknownEmbedder(f"No in-process embedder for provider {provider!r}.")
            _loaded[key] = found
    return found


def vector_literal(vector: Sequence[float]) -> str:
    """A vector as pgvector's text form (``[0.1,0.2]``)."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"
