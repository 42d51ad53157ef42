"""The default embedder loads from its wheel alone: no hub, no network."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

from graph.ai.embedders import HashingEmbedder

# A fresh interpreter (nothing loaded or cached yet) in which every socket connection and
# name lookup fails, with the hub's own offline switch on too.
OFFLINE_LOAD = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from graph.ai.embedders import embedder_for

    embedder = embedder_for("wordllama", {"config": "l2_supercat", "dimension": 256})
    vectors = embedder.embed(["a cat sits on the mat", "a kitten rests on a rug", "tax forms"])
    print(len(vectors), len(vectors[0]))
    """
)


def test_wordllama_loads_and_embeds_with_the_network_refused(tmp_path):
    # given
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HOME": str(tmp_path),  # no cache from an earlier run to fall back on
        "PYTHONPATH": os.getcwd(),
    }
    # when
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_LOAD], env=env, capture_output=True, text=True, timeout=120
    )
    # then
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "256"]
    assert "Downloading" not in done.stderr
    assert not (tmp_path / ".cache").exists()


def test_wordllama_ranks_a_paraphrase_above_an_unrelated_text():
    # given
    from graph.ai.embedders import embedder_for

    embedder = embedder_for("wordllama", {"dimension": 256})
    cat, kitten, tax = np.array(embedder.embed(["a cat sits on the mat", "a kitten rests on a rug",
                                                "quarterly tax filing"]))  # fmt: skip
    # then
    assert abs(np.linalg.norm(cat) - 1) < 1e-5
    assert cat @ kitten > cat @ tax


def test_hashing_embedder_is_deterministic_and_unit_length():
    # given
    embedder = HashingEmbedder(32)
    # when
    first, again, empty = embedder.embed(["Hello world", "hello WORLD", ""])
    # then
    assert first == again
    assert abs(sum(x * x for x in first) - 1) < 1e-5
    assert empty == [0.0] * 32
