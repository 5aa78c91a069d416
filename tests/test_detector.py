"""The detector over every index backend: the same reports, kept between runs, forgetting.

One suite, parametrized over memory, an SQLite file and Redis: the seeds and a generated feed
of copies, near copies, partial copies and rewrites must give identical reports everywhere,
and a feed split over several runs must give the matches of one run.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dedup import Config, Detector, Document, IndexMismatchError, InputError, scan
from dedup.detector import parse_published
from dedup.store.memory import MemoryStore
from tests.test_seeds import A, B, check_report

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "do", "ga", "pe", "zu",
              "fi", "ho", "ja")
FOOTER = "Follow our newsroom for more reports about the region every single day."


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _sentence(rng: random.Random, vocab: list[str]) -> list[str]:
    return [rng.choice(vocab) for _ in range(rng.randint(8, 16))]


def _text(sentences: list[list[str]], footer: bool) -> str:
    lines = [" ".join(s).capitalize() + "." for s in sentences]
    paragraphs = [" ".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
    if footer:
        paragraphs.append(FOOTER)
    return "\n\n".join(paragraphs) + "\n"


def generated_feed(stories: int = 24, seed: int = 7) -> list[Document]:
    """A feed of original stories and their copies, near copies, partial copies and rewrites.

    Deterministic for a seed; words are made-up syllable strings, so no two stories share
    more than chance words, and a footer sentence recurs as boilerplate.
    """
    rng = random.Random(seed)
    vocab = sorted({_word(rng) for _ in range(4000)})
    start = datetime(2024, 1, 1, tzinfo=UTC)
    docs: list[Document] = []
    for story in range(stories):
        sentences = [_sentence(rng, vocab) for _ in range(rng.randint(6, 12))]
        day = start + timedelta(days=story)
        footer = rng.random() < 0.5
        docs.append(Document(f"s{story:03d}", _text(sentences, footer), source="wire",
                             published=day.date().isoformat()))
        kind = story % 5
        if kind == 0:
            variant = sentences
        elif kind == 1:  # near copy: a few words changed
            variant = [[rng.choice(vocab) if rng.random() < 0.04 else w for w in s]
                       for s in sentences]
        elif kind == 2:  # partial: the first half, then other material
            variant = sentences[: len(sentences) // 2 + 1] + [
                _sentence(rng, vocab) for _ in range(len(sentences))]
        elif kind == 3:  # rewrite: a third of each sentence's words changed, order kept
            variant = [[rng.choice(vocab) if rng.random() < 0.3 else w for w in s]
                       for s in sentences]
        else:
            continue
        docs.append(Document(f"s{story:03d}-v{kind}", _text(variant, footer == (kind == 0)),
                             source="outlet", published=(day + timedelta(hours=6)).isoformat()))
    rng.shuffle(docs)
    return docs


@pytest.fixture(scope="module")
def feed() -> list[Document]:
    return generated_feed()


@pytest.fixture(scope="module")
def memory_feed_report(feed: list[Document]) -> dict[str, object]:
    return scan(feed).to_dict()


def test_the_generated_feed_has_every_kind(memory_feed_report: dict[str, object]) -> None:
    kinds = {m["kind"] for m in memory_feed_report["matches"]}  # type: ignore[attr-defined]
    assert kinds == {"exact", "near_duplicate", "partial", "rewrite"}
    pairs = {tuple(sorted((m["a"], m["b"])))
             for m in memory_feed_report["matches"]}  # type: ignore[attr-defined]
    for doc in generated_feed():
        if "-v" in doc.id:
            assert tuple(sorted((doc.id, doc.id.split("-")[0]))) in pairs, doc.id


def test_seed_reports_are_identical_on_every_backend(
        location: str | None, seed_documents: list[Document]) -> None:
    report = scan(seed_documents, index=location)
    check_report(report)
    assert report.to_dict() == scan(seed_documents).to_dict()


def test_feed_reports_are_identical_on_every_backend(
        location: str | None, feed: list[Document],
        memory_feed_report: dict[str, object]) -> None:
    assert scan(feed, index=location).to_dict() == memory_feed_report


@pytest.mark.parametrize("size", [3, 7])
def test_the_batch_size_does_not_change_the_report(
        size: int, feed: list[Document], memory_feed_report: dict[str, object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryStore, "batch_size", lambda self: size)
    assert scan(feed).to_dict() == memory_feed_report


def test_a_feed_over_several_runs_finds_the_matches_of_one(
        kept: str, feed: list[Document], memory_feed_report: dict[str, object]) -> None:
    found = []
    for start in range(0, len(feed), 13):
        with Detector(index=kept) as detector:
            found.extend(m.to_dict() for r in detector.add_many(feed[start : start + 13])
                         for m in r.matches)
    assert found == memory_feed_report["matches"]
    with Detector(index=kept) as detector:
        assert len(detector) == len(feed)
        assert detector.check() == []


def test_a_second_run_reports_new_articles_against_the_old_ones(
        kept: str, seed_documents: list[Document]) -> None:
    first = scan([d for d in seed_documents if d.id != B], index=kept)
    assert first.matches == []
    second = scan(seed_documents, index=kept)
    assert [d.id for d in second.documents] == [B]
    assert sorted(second.skipped) == sorted(d.id for d in seed_documents if d.id != B)
    assert [(m.a, m.b, m.kind) for m in second.matches] == [(A, B, "rewrite")]
    assert [c.members for c in second.clusters] == [(A, B)]
    with Detector(index=kept) as detector:
        assert len(detector) == 5
        assert B in detector


def test_other_settings_are_refused_and_stored_ones_adopted(kept: str) -> None:
    with Detector(Config(num_perm=64), index=kept) as detector:
        detector.add(Document("a", "The river rose by two metres overnight in the old town."))
    with pytest.raises(IndexMismatchError, match="num_perm: index 64, asked 128"):
        Detector(Config(), index=kept)
    with Detector(index=kept) as detector:
        assert detector.config.num_perm == 64
        assert "a" in detector


def test_duplicate_ids_are_refused_across_runs(kept: str) -> None:
    doc = Document("a", "The river rose by two metres overnight in the old town.")
    with Detector(index=kept) as detector:
        detector.add(doc)
    with Detector(index=kept) as detector, pytest.raises(InputError, match="duplicate id 'a'"):
        detector.add_many([Document("b", doc.text), doc])
    with Detector(index=kept) as detector:
        assert len(detector) == 1


def test_remove_and_prune_forget_documents(location: str | None, feed: list[Document]) -> None:
    with Detector(index=location) as detector:
        detector.add_many(feed)
        original = next(d for d in feed if d.id == "s000")
        copy = Document("probe", original.text)
        assert [m.a for m in detector.query(copy).matches] == sorted(
            ["s000", "s000-v0"], key=[d.id for d in feed].index)
        assert "probe" not in detector
        assert detector.remove(["s000", "missing"]) == ["s000"]
        assert [m.a for m in detector.query(copy).matches] == ["s000-v0"]
        pruned = detector.prune(before="2024-01-11")
        assert sorted(pruned) == sorted(d.id for d in feed if d.id != "s000" and
                                        (parse_published(d.published) or 0) < parse_published(
                                            "2024-01-11"))
        assert len(detector) == len(feed) - 1 - len(pruned)
        assert detector.query(copy).matches == ()
        assert detector.prune(keep=timedelta(days=1)) != []  # the feed is dated 2024
        assert len(detector) == 0
        assert detector.check() == []
        with pytest.raises(ValueError, match="exactly one of 'before'"):
            detector.prune()


def test_a_window_compares_only_articles_published_near_each_other(
        location: str | None) -> None:
    text = "The river rose by two metres overnight and flooded the old town square."
    with Detector(index=location, window=timedelta(days=3)) as detector:
        detector.add(Document("jan", text, published="2024-01-01"))
        detector.add(Document("undated", text + " Again."))
        near = detector.add(Document("jan3", text, published="2024-01-03"))
        far = detector.add(Document("jun", text, published="2024-06-01"))
    assert [m.a for m in near.matches] == ["jan", "undated"]
    assert [m.a for m in far.matches] == ["undated"]
    with pytest.raises(ValueError, match="'window' must be a timedelta"):
        Detector(window=timedelta(days=-1))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dedup.cli", *args], capture_output=True,
                          text=True, check=False, timeout=120)


def test_cli_index_commands(tmp_path: Path, seed_documents: list[Document]) -> None:
    index = str(tmp_path / "seeds.dedup")
    folder = tmp_path / "in"
    folder.mkdir()
    for doc in seed_documents:
        if doc.id != B:
            (folder / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    done = _cli("scan", "--index", index, str(folder), "-f", "json")
    assert done.returncode == 0, done.stderr
    (folder / f"{B}.txt").write_text(seed_documents[-1].text, encoding="utf-8")
    done = _cli("scan", "--index", index, str(folder), "-f", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(m["a"], m["b"]) for m in report["matches"]] == [(A, B)]
    assert len(report["skipped"]) == 4
    done = _cli("index", "stats", index, "--check", "-f", "json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert (stats["documents"], stats["problems"]) == (5, [])
    done = _cli("index", "remove", index, A, "nope")
    assert (done.returncode, done.stdout.strip()) == (0, "removed 1 document(s)")
    assert "not in the index: nope" in done.stderr
    done = _cli("index", "prune", index, "--keep-days", "1")
    assert (done.returncode, done.stdout.strip()) == (0, "removed 0 document(s); 4 left")
    done = _cli("index", "prune", index, "--before", "2999-01-01")
    assert done.stdout.strip() == "removed 4 document(s); 0 left"
    size = Path(index).stat().st_size
    done = _cli("index", "compact", index)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gave back ")
    assert Path(index).stat().st_size <= size
    done = _cli("scan", "--index", index, "--num-perm", "64", str(folder))
    assert done.returncode == 2
    assert "num_perm: index 128, asked 64" in done.stderr
    for bad in (str(tmp_path / "missing.dedup"), str(folder / f"{A}.txt")):
        done = _cli("index", "stats", bad)
        assert done.returncode == 2
        assert "index" in done.stderr


def test_capped_buckets_are_counted_and_reported() -> None:
    from dedup.report import format_jsonl
    from tests.test_match import _MEDILINK, _OMNIFIELD, _REPORT

    # Reports from one template share their document bands and sentence bands: with a
    # small cap, the later ones meet full buckets, which the report counts.
    values = [dict(_OMNIFIELD, co=f"Co{k}", price=f"{100 + k}.00") for k in range(8)]
    docs = [Document(f"r{k}", _REPORT.format(**v)) for k, v in enumerate(values)]
    docs.append(Document("m", _REPORT.format(**_MEDILINK)))
    report = scan(docs, Config(max_bucket=2))
    assert report.capped["document_bands"] + report.capped["passages"] > 0
    assert report.to_dict()["capped"] == report.capped
    records = [json.loads(line) for line in format_jsonl(report)]
    assert records[-1] == {"type": "stats", "capped": report.capped}
    # Nothing capped, nothing said: the seeds' report has no such field.
    plain = scan([Document("a", "One story about the council budget vote today.")])
    assert "capped" not in plain.to_dict()
