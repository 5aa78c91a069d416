"""Per-document analysis: what the fast paths of ``analyze`` rely on, and what they must give."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config, Document, analyze, normalize, split_paragraphs, split_sentences
from dedup.document import NUMBER_BIT, Unit, _fingerprint, _stopword_stems
from dedup.shingle import finalize, sorted_unique, token_hashes

# Stops, closing quotes, spaces of several kinds, CJK, marks, apostrophes, ligatures, case
# changes that grow (ß, İ): whatever could make normalize see across a sentence boundary.
_TRICKY = st.text(alphabet=st.sampled_from(
    "ab Z1 .!?。！？\"'”’)]\n\t\u3000\u00a0\u2028\x1c\u0301é߀ΣςİıǄﬁ½新闻,;-—"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_TRICKY)
def test_a_paragraph_normalizes_to_its_sentences_joined(text: str) -> None:
    # analyze normalizes each sentence once and joins them into its paragraph's text.
    for para in split_paragraphs(text):
        sentences = [normalize(s.text) for s in split_sentences(text, [para])]
        assert " ".join(n for n in sentences if n) == normalize(para.text)


_OPENERS = "\"'“‘([«¿¡-—–"


def _reference_names(sentence: str) -> set[str]:
    """Comparison words of the names: capitalized words but the first, unless in title case."""
    words = [w.lstrip(_OPENERS) for w in sentence.split()]
    capitalized = [w for w in words[1:] if w[:1].isupper()]
    if not capitalized or 2 * (len(capitalized) + 1) > len(words) + 1:
        return set()
    return set(normalize(" ".join(capitalized)).split())


def _reference_facts(sentence: str, norm: str) -> tuple[list[int], int]:
    """0/1/2 (no fact, name, number) per comparison word, and the key of the sentence's shape."""
    names = _reference_names(sentence)
    words = norm.split(" ")
    facts = [2 if any(c.isdigit() for c in w) else 1 if w in names else 0 for w in words]
    shape = " ".join("#" if f else w for w, f in zip(words, facts, strict=True))
    return facts, int.from_bytes(hashlib.blake2b(shape.encode("utf-8", "surrogatepass"),
                                                 digest_size=8).digest(), "little")


def _reference_units(text: str, config: Config) -> list[Unit]:
    """Units one sentence at a time, in plain Python and numpy: the core's rules written out."""
    sentences = split_sentences(text)
    norms = [normalize(s.text) for s in sentences]
    stems = token_hashes(" ".join(n for n in norms if n), prefix=config.stem_chars)
    content = ~np.isin(stems, _stopword_stems(config.stem_chars))
    mixed = finalize(stems) & np.uint32(0x7FFFFFFF)
    units, pos = [], 0
    for sentence, norm in zip(sentences, norms, strict=True):
        if not norm:
            continue
        count = norm.count(" ") + 1
        start, pos = pos, pos + count
        facts, key = _reference_facts(sentence.text, norm)
        number = np.array(facts, dtype=np.uint8) == 2
        own = (mixed[start:pos] | np.where(number, NUMBER_BIT, 0).astype(np.uint32))
        own = own[content[start:pos]]
        if count < config.min_sentence_words or own.size == 0:
            continue
        units.append(Unit(sentence.line, sentence.end_line, count, sorted_unique(own), key))
    return units


def _fields(units: list[Unit]) -> list[tuple[int, int, int, list[int], int]]:
    return [(u.line, u.end_line, u.words, u.stems.tolist(), u.key) for u in units]


_SENTENCES = st.lists(st.sampled_from([
    "The council approved the new budget after a long debate.", "It was the one.",
    "Shares of Omnifield rose 9.5% to $389 on Monday, said Anne-Marie O'Neil.",
    "Omnifield Shares Rise After Record Results", "“Yes,” said the Mayor of Springfield in 2024.",
    "Refugees crossed the river at dawn, officials said!", "Why?", "", "“And so it is,” he said.",
    "The the the the the the.", "Der Rat stimmte am Dienstag dem neuen Haushalt zu.",
    "新闻报道今天发布。", "A b c d e f g h."]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(_SENTENCES, st.sampled_from([Config(), Config(stem_chars=3, min_sentence_words=1)]),
       st.booleans())
def test_units_equal_the_sentence_by_sentence_reference(sentences: list[str], config: Config,
                                                        wrap: bool) -> None:
    text = ("\n\n" if wrap else "\n").join(" ".join(sentences[i:i + 3])
                                           for i in range(0, len(sentences), 3))
    sentences = split_sentences(text)
    units = _fingerprint([s.text for s in sentences],
                         [[s.line, s.end_line] for s in sentences], config)[4]
    assert _fields(units) == _fields(_reference_units(text, config))


@pytest.mark.parametrize("config", [Config(), Config(max_paragraphs=2)])
def test_a_removed_repeat_leaves_no_unit_and_no_shingle(config: Config) -> None:
    para = ("The committee said the new rules would apply to every district from next spring, "
            "after a consultation that drew more than four thousand replies.")
    other = "Opposition members called the timetable rushed and asked for a review."
    once = analyze(Document("a", f"{para}\n{other}"), config)
    twice = analyze(Document("b", f"{para}\n{other}\n{para}"), config)
    if config.max_paragraphs >= 3:
        assert twice.removed_lines == {3}
        assert _fields(twice.units) == _fields(once.units)
        assert twice.exact_key == once.exact_key
        assert np.array_equal(twice.shingles, once.shingles)
    else:  # the repeat lies past max_paragraphs: kept, compared, and the document truncated
        assert twice.removed_lines == frozenset()
        assert twice.truncated
        assert len(twice.units) == len(once.units) + 1
