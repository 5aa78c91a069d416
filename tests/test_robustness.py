"""Bad input never loses good data: each case of the robustness issue, end to end.

Every test runs ``dedup scan`` (in process, or as a real process where signals and closed
streams are the point) on messy input and checks three things: what could not be read is
reported by name (and line), everything else is processed, and no traceback reaches the user.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from dedup import (
    Config,
    ConfigError,
    Detector,
    Document,
    IndexMismatchError,
    Problem,
    Report,
    Result,
    scan,
)
from dedup.cli import EXIT_USAGE, main
from dedup.document import Features, analyze_batch
from dedup.report import write_report
from tests.conftest import ROOT

STORY = ("The city council approved a budget of 4.2 billion dollars on Tuesday after a long "
         "debate. Most of the new money will go to schools, public transport and bridges. "
         "The mayor said the vote showed that the city could still agree on what matters.")
OTHER = ("Heavy rain flooded the lower town overnight and closed two schools. Firefighters "
         "pumped water from basements until dawn, and the river is expected to peak on Friday "
         "afternoon, the weather service said in a statement.")


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["scan", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def docs_of(report: dict[str, object]) -> dict[str, dict[str, object]]:
    documents = report["documents"]
    assert isinstance(documents, list)
    return {d["id"]: d for d in documents}


def errors_of(report: dict[str, object]) -> list[dict[str, object]]:
    errors = report["errors"]
    assert isinstance(errors, list)
    return errors


def kinds_of(report: dict[str, object]) -> set[tuple[str, str, str]]:
    matches = report["matches"]
    assert isinstance(matches, list)
    return {(m["a"], m["b"], m["kind"]) for m in matches}


# Encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (STORY.replace("city", "city’s").encode("cp1252"), "cp1252"),
        (("Café crème à Genève. " + STORY).encode("latin-1"), "cp1252"),
        (STORY.encode("utf-16"), "utf-16"),
        (STORY.encode("utf-16-le"), "utf-16-le"),
        (STORY.encode("utf-32"), "utf-32"),
        (b"\xef\xbb\xbf" + STORY.encode(), "utf-8-sig"),
        ("Premi\u00e8re ligne.\n".encode() + "Deuxi\u00e8me ligne.\n".encode("cp1252")
         + f"{STORY}\u2019\n".encode(), "mixed"),
    ],
)
def test_files_in_any_encoding_are_read_and_the_encoding_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, encoding: str) -> None:
    (tmp_path / "odd.txt").write_bytes(data)
    (tmp_path / "plain.txt").write_text(STORY, encoding="utf-8")
    code, report = run_json([str(tmp_path)], capsys)
    assert code == 0
    documents = docs_of(report)
    assert documents["odd"]["encoding"] == encoding
    assert documents["plain"]["encoding"] == "utf-8"
    # Decoded right, the story is the same story in both files.
    assert {("odd", "plain")} <= {(a, b) for a, b, _ in kinds_of(report)}


# Binary files --------------------------------------------------------------------------------


def test_binary_files_in_a_folder_are_named_errors_and_the_rest_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORY + "\nShare this article.", encoding="utf-8")
    (tmp_path / "c.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress(b'{"id": "x", "text": "y"}\n'))
    (tmp_path / "notes.md").write_text("# not a document, and not binary", encoding="utf-8")
    code, report = run_json([str(tmp_path)], capsys)
    assert code == 3
    assert sorted(docs_of(report)) == ["a", "b", "c"]
    assert ("a", "b", "near_duplicate") in kinds_of(report) or (
        "a", "b", "partial") in kinds_of(report)
    errors = {e["source"]: e["message"] for e in errors_of(report)}
    assert set(errors) == {str(tmp_path / n) for n in ("photo.png", "photo.txt", "feed.jsonl.gz")}
    assert "PNG" in str(errors[str(tmp_path / "photo.png")])
    assert "JPEG" in str(errors[str(tmp_path / "photo.txt")])
    assert "gzip" in str(errors[str(tmp_path / "feed.jsonl.gz")])


# JSONL ---------------------------------------------------------------------------------------


def test_bad_jsonl_records_are_errors_with_their_line_and_the_rest_is_processed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a", "text": STORY}),          # 1
        '{"id": "broken", "text": "no end',               # 2 malformed
        json.dumps({"text": STORY}),                      # 3 no id
        json.dumps({"id": "c"}),                          # 4 no text
        json.dumps({"id": "d", "text": ["a", "list"]}),   # 5 text not a string
        json.dumps({"id": "a", "text": OTHER}),           # 6 duplicate id
        "[" * 100_000 + "]" * 100_000,                    # 7 nested too deeply for json
        json.dumps({"id": "b", "text": STORY}),           # 8
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, report = run_json([str(feed)], capsys)
    assert code == 3
    assert sorted(docs_of(report)) == ["a", "b"]
    assert ("a", "b", "exact") in kinds_of(report)
    errors = errors_of(report)
    assert [(e["source"], e["line"]) for e in errors] == [
        (str(feed), n) for n in (2, 3, 4, 5, 6, 7)]
    assert "duplicate id 'a'" in str(errors[4]["message"])
    assert f"{feed}:1" in str(errors[4]["message"])
    assert errors[4]["id"] == "a"


# Sizes ---------------------------------------------------------------------------------------


def test_empty_tiny_and_huge_documents_are_processed_within_limits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = ("word " * 10_000_000)[:50_000_000]  # a single 50 MB line
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for doc_id, text in [("empty", ""), ("blank", " \n\t \n"), ("one", "word"),
                             ("huge", huge), ("huge-copy", huge)]:
            out.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    start = time.perf_counter()
    code, report = run_json([str(feed)], capsys)
    elapsed = time.perf_counter() - start
    assert code == 0
    documents = docs_of(report)
    assert sorted(documents) == ["blank", "empty", "huge", "huge-copy", "one"]
    assert documents["huge"].get("truncated") is True
    assert "truncated" not in documents["one"]
    assert ("huge", "huge-copy", "exact") in kinds_of(report)
    assert elapsed < 120, f"a 50 MB line took {elapsed:.0f} s"


@pytest.mark.parametrize(
    "text",
    [
        "." * 300_000,                                    # one run of stops, no space
        "Short one. " * 30_000,                           # many sentences
        "\n".join(["The same line of text repeated here again and again now."] * 20_000),
        "\n" * 300_000,
        "a" * 300_000,
    ],
    ids=["dots", "sentences", "same-lines", "newlines", "one-word"],
)
def test_pathological_shapes_stay_fast(text: str) -> None:
    start = time.perf_counter()
    report = scan([Document("a", text), Document("b", text)])
    elapsed = time.perf_counter() - start
    assert len(report.documents) == 2
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_the_limits_are_settings() -> None:
    text = "\n".join(f"Sentence number {i} of a long report on the harbour." for i in range(50))
    small = Config(max_sentences=10, max_paragraphs=10, max_chars=100_000)
    assert scan([Document("a", text)], small).documents[0].truncated
    assert not scan([Document("a", text)]).documents[0].truncated


# Characters ----------------------------------------------------------------------------------

CJK = ("北京市政府周二宣布，将在明年投入四十亿元用于改善公共交通系统。"
       "官员表示，新的地铁线路将连接城市东部和西部的主要居住区。"
       "据悉，该计划还包括更新两千辆公共汽车和建设新的自行车道。"
       "市民普遍对这一消息表示欢迎，但也有人担心施工期间的交通拥堵问题。")


@pytest.mark.parametrize(
    ("text", "copy"),
    [
        (STORY.replace("budget", "bud\x00get"), STORY),                      # NUL bytes
        (STORY + " \ud800 \udfff", STORY + " \ud800 \udfff"),                # lone surrogates
        ("שלום עולם \u202eמה שלומך\u202c. " + STORY, "שלום עולם מה שלומך. " + STORY),  # RTL
        (STORY.replace("e", "e\u0301"), STORY.replace("e", "é")),           # combining marks
        (STORY.replace(" ", " 🎉 ", 5), STORY),                              # emoji
        (CJK, CJK.replace("四十亿元", "四十五亿元") + "本报记者报道。"),       # CJK, no spaces
    ],
    ids=["nul", "surrogates", "rtl", "combining", "emoji", "cjk"],
)
def test_unusual_characters_still_find_their_copies(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, copy: str) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a\ud800", "text": text}) + "\n"
                    + json.dumps({"id": "b", "text": copy}) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["scan", str(feed), "-f", "json", "-o", str(out)]) == 0
    # The report is UTF-8 and valid JSON even with a lone surrogate in an id.
    report = json.loads(out.read_bytes().decode("utf-8"))
    assert [(a, b) for a, b, _ in kinds_of(report)] == [("a\ud800", "b")]


# Paths, output and streams -------------------------------------------------------------------


def test_missing_and_unreadable_paths_are_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.txt").write_text(STORY, encoding="utf-8")
    # Even root cannot read this file: reading /proc/self/mem at offset 0 fails with EIO.
    (tmp_path / "mem.txt").symlink_to("/proc/self/mem")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # would block a naive reader forever
    code, report = run_json([str(tmp_path), str(tmp_path / "missing.txt")], capsys)
    assert code == 3
    assert sorted(docs_of(report)) == ["good"]
    errors = {e["source"]: str(e["message"]) for e in errors_of(report)}
    assert "cannot read" in errors[str(tmp_path / "mem.txt")]
    assert "broken symbolic link" in errors[str(tmp_path / "dangling.txt")]
    assert "not a regular file" in errors[str(tmp_path / "pipe.txt")]
    assert errors[str(tmp_path / "missing.txt")] == "no such file or folder"


def dedup(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dedup.cli", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def test_closed_stdin_and_stdout_are_reported_without_traceback(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    closed_in = dedup("scan", "-", "-f", "json", stdin=subprocess.DEVNULL,
                      preexec_fn=lambda: os.close(0))
    out, err = closed_in.communicate(timeout=60)
    assert closed_in.returncode == 3
    assert "stdin is closed" in json.loads(out)["errors"][0]["message"]
    assert "Traceback" not in err
    closed_out = subprocess.run(
        f"{sys.executable} -m dedup.cli scan {doc} >&-", shell=True, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False)
    assert closed_out.returncode == 2
    assert "cannot write the report to stdout: stdout is closed" in closed_out.stderr
    assert "Traceback" not in closed_out.stderr


def test_a_reader_that_goes_away_is_no_error(tmp_path: Path) -> None:
    for i in range(200):
        (tmp_path / f"{i:03}.txt").write_text(f"{STORY} Item {i}.", encoding="utf-8")
    piped = subprocess.run(
        f"{sys.executable} -m dedup.cli scan {tmp_path} -f jsonl | head -n 1", shell=True,
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(piped.stdout)["type"] == "header"
    assert piped.stderr == ""


def test_an_output_that_cannot_be_written_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    for target, reason in [(str(tmp_path / "no" / "such.json"), "No such file"),
                           (str(tmp_path), "it is a folder"),
                           ("/dev/full", "No space left on device")]:
        assert main(["scan", str(doc), "-o", target]) == 2
        err = capsys.readouterr().err
        assert f"cannot write the report to {target}: {reason}" in err
    # A failed scan leaves no partial report beside the target.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_the_previous_report_survives_until_a_new_one_is_complete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    out = tmp_path / "report.json"
    out.write_text("previous", encoding="utf-8")
    assert main(["scan", str(doc), "-f", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["id"] == "a"
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "report.json"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Ctrl-C --------------------------------------------------------------------------------------


def _long_feed(path: Path, count: int) -> None:
    """Write ``count`` unrelated articles: a long scan with little matching to do."""
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            sentences = [" ".join(f"w{rng.randrange(1_000_000)}" for _ in range(12)) + "."
                         for _ in range(12)]
            out.write(json.dumps({"id": f"d{i}", "text": " ".join(sentences)}) + "\n")


def _interrupt(args: list[str], ready: Callable[[], bool]) -> tuple[int, str, str]:
    """Start ``dedup``, send it SIGINT once ``ready()`` says the scan is under way."""
    proc = dedup(*args)
    deadline = time.monotonic() + 300
    while not ready():
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        assert time.monotonic() < deadline, "the scan never got under way"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_writes_no_partial_report(tmp_path: Path, workers: str) -> None:
    feed = tmp_path / "feed.jsonl"
    _long_feed(feed, 20_000)
    out = tmp_path / "report.json"
    # Under way: the report's temporary file exists once reading has started; the workers
    # are given a few seconds more to start (see test_sigterm... for the earliest moment).
    started: list[float] = []

    def under_way() -> bool:
        if not started and any(p.suffix == ".partial" for p in tmp_path.iterdir()):
            started.append(time.monotonic())
        return bool(started) and time.monotonic() - started[0] > 3

    code, _, err = _interrupt(
        ["scan", str(feed), "-f", "json", "-o", str(out), "--workers", workers],
        ready=under_way)
    assert code == 130
    assert "dedup: interrupted, no report written" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


LAUNCHER = ROOT / "_dedup_command.py"


def _before_the_launcher(err: str) -> bool:
    """Say whether a Ctrl-C came before the launcher could set its handler: the traceback
    then starts in pip's generated script (at its imports of re, sys or ``_dedup_command``)
    and has no frame of ours but, at most, the launcher's first statement (the import of
    ``_signal``)."""
    first = next(n for n, line in enumerate(LAUNCHER.read_text().splitlines(), start=1)
                 if line.startswith("import _signal"))
    frames = [line.strip() for line in err.splitlines() if line.lstrip().startswith("File ")
              and "<frozen " not in line]
    script = f'File "{Path(sys.executable).with_name("dedup")}"'
    ours = [f for f in frames[1:] if "_dedup_command.py" in f or str(ROOT / "dedup") in f]
    return (err.rstrip().endswith("KeyboardInterrupt") and bool(frames)
            and frames[0].startswith(script)
            and (not ours or (len(ours) == 1 and f'_dedup_command.py", line {first},' in ours[0])))


def test_ctrl_c_while_the_command_imports_is_one_line(tmp_path: Path) -> None:
    # The command a user runs, interrupted at moments of its start-up, while it imports
    # numpy and the detector: the launcher outside the package catches it.
    command = Path(sys.executable).with_name("dedup")
    assert command.exists(), f"{command} missing: install the package (pip install -e .)"
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    interrupted = 0
    for delay in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3):
        proc = subprocess.Popen([str(command), "scan", str(doc)], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if _before_the_launcher(err):
            continue  # Python's own start-up, on a loaded machine: no code of ours ran yet
        assert "Traceback" not in err, (delay, err)
        if proc.returncode == 130:
            interrupted += 1
            assert err.startswith("dedup: interrupted"), err
    assert interrupted, "no start was interrupted: the delays are too long for this machine"


def test_ctrl_c_while_the_workers_start_is_as_clean(tmp_path: Path) -> None:
    # Ctrl-C in the moment the worker processes start used to leave a half-started worker
    # that printed a traceback (and a pool that could hang the exit). The signal goes to the
    # command alone, or to its whole process group as a terminal sends it.
    feed = tmp_path / "feed.jsonl"
    _long_feed(feed, 2_000)
    out = tmp_path / "report.json"
    rng = random.Random(3)
    for attempt in range(4):
        proc = dedup("scan", str(feed), "-f", "json", "-o", str(out), "--workers", "2",
                     start_new_session=True)
        deadline = time.monotonic() + 120
        # Once the report's temporary file exists, Python has started and the workers are next.
        while not any(p.suffix == ".partial" for p in tmp_path.iterdir()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.5))
        if attempt % 2:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert (proc.returncode, err) == (130, "dedup: interrupted, no report written\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def test_sigterm_stops_as_cleanly_as_ctrl_c(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    _long_feed(feed, 20_000)
    out = tmp_path / "report.json"
    proc = dedup("scan", str(feed), "-f", "json", "-o", str(out))
    deadline = time.monotonic() + 300
    while not any(p.suffix == ".partial" for p in tmp_path.iterdir()):
        assert proc.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.2)
    proc.terminate()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143
    assert "dedup: terminated, no report written" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def _indexed(index: Path) -> int:
    if not index.exists():
        return 0
    with Detector(index=str(index)) as reader:  # a reader beside the writer: supported
        return len(reader)


def test_ctrl_c_leaves_the_index_consistent_and_the_scan_can_resume(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    total = 3_000
    _long_feed(feed, total)
    index = tmp_path / "feed.dedup"
    code, _, err = _interrupt(["scan", str(feed), "--index", str(index), "-f", "json",
                               "-o", str(tmp_path / "report.json")],
                              ready=lambda: _indexed(index) > 0)
    assert code == 130
    assert f"what was added to {index} before it stays there" in err
    assert "Traceback" not in err
    check = subprocess.run([sys.executable, "-m", "dedup.cli", "index", "stats", str(index),
                            "--check", "-f", "json"], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["problems"] == []
    added = _indexed(index)
    assert 0 < added < total
    # Scanning again adds exactly the rest: each batch was stored whole or not at all.
    rerun = subprocess.run([sys.executable, "-m", "dedup.cli", "scan", str(feed), "--index",
                            str(index), "-f", "json"], cwd=ROOT, capture_output=True, text=True,
                           timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert len(report["skipped"]) == added
    assert len(report["documents"]) == total - added
    assert _indexed(index) == total


# Regression cases of the fuzzer ----------------------------------------------------------------

CASES = json.loads((ROOT / "tests" / "cases" / "robustness.json").read_text(encoding="utf-8"))


def _decoded(value: object) -> object:
    # {"hex": ...} is bytes, {"utf16": ...} a str (lone surrogates kept), "times" repeats it.
    if isinstance(value, dict):
        times = int(value.get("times", 1))
        if "hex" in value:
            return bytes.fromhex(value["hex"]) * times
        return bytes.fromhex(value["utf16"]).decode("utf-16-le", "surrogatepass") * times
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(reason=c["xfail"], strict=True)) if "xfail" in c
    else c for c in CASES], ids=[f"{c['target']}-{i}" for i, c in enumerate(CASES)])
def test_fuzz_regression_case(case: dict[str, object]) -> None:
    from benchmarks.fuzz import TARGETS

    check, _ = TARGETS[str(case["target"])]
    check(_decoded(case["input"]))  # raises on the failure the case was found with


def test_a_report_through_a_link_replaces_the_linked_file_and_keeps_its_mode(
        tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["scan", str(doc), "-f", "json", "-o", str(link)]) == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["documents"][0]["id"] == "a"
    assert real.stat().st_mode & 0o777 == 0o640


# A document that cannot be processed -----------------------------------------------------------


def test_a_document_that_cannot_be_analyzed_is_reported_and_the_rest_is_matched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def analyze_or_fail(documents: Sequence[Document], config: Config) -> list[Features]:
        if any(document.id == "bad" for document in documents):
            raise MemoryError("no room for this one")
        return analyze_batch(documents, config)

    monkeypatch.setattr("dedup.parallel.analyze_batch", analyze_or_fail)
    docs = [Document(f"d{i}", f"{STORY} {i % 150}") for i in range(300)]
    docs[200] = Document("bad", STORY, source="feed.jsonl:201")
    report = scan(docs)
    assert [d.id for d in report.documents] == [d.id for d in docs if d.id != "bad"]
    assert [e.to_dict() for e in report.errors] == [{
        "source": "feed.jsonl:201", "id": "bad",
        "message": "could not be processed (MemoryError: no room for this one); skipped, the "
                   "rest was processed. This is a bug in dedup: please report it with this "
                   "document"}]
    # The other documents of its batch (200 is in the second one) were added and matched.
    assert ("d51", "d201", "exact") in {(m.a, m.b, m.kind) for m in report.matches}


# Memory: what a scan keeps ----------------------------------------------------------------------


def test_a_scan_keeps_the_texts_only_when_asked() -> None:
    docs = [Document("a", STORY), Document("b", f"{STORY}\n{STORY}")]
    whole = scan(docs)
    assert [d.cleaned for d in whole.documents] == [STORY, STORY]
    summary = scan(docs, keep="summary")
    assert [(d.text, d.cleaned) for d in summary.documents] == [("", ""), ("", "")]
    assert summary.to_dict() == whole.to_dict()
    seen: list[Result] = []
    none = scan(docs, on_result=seen.append, keep="none")
    assert none.documents == []
    assert none.matches == []
    assert [r.cleaned for r in seen] == [STORY, STORY]
    assert [m for r in seen for m in r.matches] == whole.matches
    assert none.clusters == whole.clusters
    assert whole.clusters
    with pytest.raises(ConfigError, match="'keep' must be 'text', 'summary' or 'none'"):
        scan(docs, keep="all")  # type: ignore[arg-type]


def test_the_json_report_is_written_as_json_dump_would_write_it(tmp_path: Path) -> None:
    # The report is written item by item; the bytes must be those of json.dump(indent=2).
    odd = "Line one\u2028still one\u0085\nline two \"quoted\" \\ \ud800 ☃"
    docs = [Document("a", f"{STORY}\n\n{STORY}\n\n{OTHER}"), Document("b\u2028", STORY),
            Document("c", OTHER + "\n" + odd), Document("d", "")]
    report = scan(docs)
    report.errors.append(Problem("feed.jsonl", "bad line: {oops", line=3))
    report.skipped = ["old\ud800"]
    assert report.matches
    assert report.clusters
    assert report.documents[0].repeats
    for variant in (report, Report(report.config)):
        out = io.StringIO()
        write_report(variant, out, "json")
        assert out.getvalue() == json.dumps(variant.to_dict(), ensure_ascii=False,
                                            indent=2) + "\n"


_STORY = ("The city council approved the new budget on Tuesday after a long debate about "
          "school funding. Officials said the plan raises spending on roads and parks. "
          "The mayor thanked the members who worked on it over the summer months.")


def _damage_payload(path: Path, damage: Callable[[bytes], bytes]) -> None:
    import sqlite3

    with sqlite3.connect(path) as db:
        (data,) = db.execute("SELECT data FROM docs WHERE id = 'a'").fetchone()
        db.execute("UPDATE docs SET data = ? WHERE id = 'a'", (damage(bytes(data)),))


@pytest.mark.parametrize(("damage", "fault"), [
    (lambda d: d[: len(d) // 2], r"is damaged \(payload truncated: .* needs \d+ bytes"),
    (lambda d: d[:1] + b"\xff" * 12 + d[13:], r"is damaged \(payload"),
    (lambda d: d + b"\0", r"is damaged \(payload damaged: the payload has 1 bytes after"),
    (lambda d: b"\x01" + d[1:], r"has payload format 1, this dedup reads 2"),
    (lambda d: b"", r"has payload format None"),
])
def test_a_damaged_or_older_stored_document_names_the_index_and_the_fix(
        tmp_path: Path, damage: Callable[[bytes], bytes], fault: str) -> None:
    path = tmp_path / "feed.dedup"
    with Detector(index=path) as det:
        det.add(Document("a", _STORY))
    _damage_payload(path, damage)
    with Detector(index=path) as det, pytest.raises(IndexMismatchError) as info:
        det.query(Document("b", _STORY))
    message = str(info.value)
    assert message.startswith(f"index {path}: stored document 'a' ")
    assert re.search(fault, message), message
    assert "build the index again" in message


def test_the_cli_reports_a_damaged_index_without_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.dedup"
    with Detector(index=path) as det:
        det.add(Document("a", _STORY))
    _damage_payload(path, lambda d: d[:40])
    (tmp_path / "b.txt").write_text(_STORY, encoding="utf-8")
    assert main(["scan", str(tmp_path / "b.txt"), "--index", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"index {path}: stored document 'a' is damaged (payload truncated" in err
    assert "Traceback" not in err


def test_a_damaged_posting_page_names_the_index_and_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PAGED_MIN", 1)  # every segment in pages
    path = tmp_path / "feed.dedup"
    with Detector(index=path) as det:
        det.add(Document("a", _STORY))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] > 0
        db.execute("UPDATE pages SET keys = substr(keys, 1, 3), nums = substr(nums, 1, 2)")
    with Detector(index=path) as det, pytest.raises(IndexMismatchError) as info:
        det.query(Document("b", _STORY))
    message = str(info.value)
    assert message.startswith(f"index {path}: a posting page or filter is damaged (page ")
    assert "build the index again" in message
