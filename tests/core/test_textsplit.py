"""Splitting long messages: every chunk fits, nothing is lost, lines are kept whole when they fit."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from core.textsplit import split_text


@settings(max_examples=300, deadline=None)  # pure and quick: the full count everywhere
@given(st.text(alphabet=st.sampled_from(list("ab <&>đế\n ")), max_size=3000), st.integers(5, 300))
def test_chunks_fit_and_keep_every_non_space_character(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert "".join(text.split()) == "".join("".join(chunks).split())


def test_cuts_at_line_ends_first() -> None:
    text = "\n".join(["x" * 30] * 5)
    assert split_text(text, 70) == ["x" * 30 + "\n" + "x" * 30] * 2 + ["x" * 30]


def test_measure_counts_escaped_html() -> None:
    chunks = split_text("<" * 100, 40, measure=lambda s: len(html.escape(s)))
    assert all(len(html.escape(c)) <= 40 for c in chunks) and "".join(chunks) == "<" * 100
