"""No password is ever shown: every path that prints or returns an index location masks it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from dedup import Config, Detector, IndexMismatchError
from dedup.cli import main
from dedup.redact import redact
from tests.conftest import SEEDS
from tests.test_redis import drop, redis_index_url

SECRET = "s3cretPW"
# A port nothing listens on: the store's connection error names the URL.
CLOSED = [f"redis://:{SECRET}@127.0.0.1:9/0", f"redis://ops:{SECRET}@127.0.0.1:9/0",
          f"redis://127.0.0.1:9/0?password={SECRET}&name=feed",
          f"rediss://ops:{SECRET}@127.0.0.1:9/0"]


@pytest.mark.parametrize(("location", "shown"), [
    ("redis://:secret@127.0.0.1:9/0", "redis://:***@127.0.0.1:9/0"),
    ("redis://user:secret@host:6379/1", "redis://user:***@host:6379/1"),
    ("redis://user@host:6379/1", "redis://user@host:6379/1"),
    ("redis://host/0?password=secret&name=a", "redis://host/0?password=***&name=a"),
    ("redis://host/0?name=a&PassWord=secret", "redis://host/0?name=a&PassWord=***"),
    ("unix://:secret@/run/redis.sock?db=2", "unix://:***@/run/redis.sock?db=2"),
    ("redis://:se:cr:et@[::1]:6379/0", "redis://:***@[::1]:6379/0"),
    # What the parser cannot split safely is shown with less, never with the secret.
    ("redis://:se/cret@host/0", "redis://***@host/0"),
    ("redis://:se#cret@host/0", "redis://***@host/0"),
    ("redis://:secret@[::1/0", "redis://***@[::1/0"),
    ("redis://:secret@host:notaport/0", "redis://***@host:notaport/0"),
    ("feed.dedup", "feed.dedup"),
    ("/data/with@sign/feed.dedup", "/data/with@sign/feed.dedup"),
])
def test_redact_masks_the_password_only(location: str, shown: str) -> None:
    assert redact(location) == shown
    assert "secret" not in redact(location).replace("se:cr:et", "")


@pytest.mark.parametrize("url", CLOSED)
def test_scan_connection_error_masks_the_password(
        url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEDUP_DEBUG", "1")  # the debug log and tracebacks too
    assert main(["scan", str(SEEDS), "--index", url, "--progress", "always"]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert f"cannot reach Redis at {redact(url)}" in captured.err
    assert "***" in captured.err


@pytest.mark.parametrize("action", [["stats"], ["stats", "--check"], ["remove", "x"],
                                    ["prune", "--keep-days", "1"], ["compact"]])
def test_index_commands_mask_the_password(action: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url = CLOSED[0]
    assert main(["index", action[0], url, *action[1:]]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "redis://:***@127.0.0.1:9/0" in captured.err


def test_interrupted_scan_masks_the_password(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("dedup.cli.scan", interrupted)
    assert main(["scan", str(SEEDS), "--index", CLOSED[1]]) == 130
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "what was added to redis://ops:***@127.0.0.1:9/0 before it stays there" in err


@pytest.fixture
def password_url() -> Iterator[str]:
    """An index on the test server reached as a user with a password (a Redis ACL user)."""
    import redis

    url = redis_index_url("redact")
    user = f"dedup-test-{uuid.uuid4().hex[:8]}"
    admin = redis.Redis.from_url(url.partition("?")[0] + "?" + "&".join(
        p for p in url.partition("?")[2].split("&") if not p.startswith("name=")))
    admin.acl_setuser(user, enabled=True, passwords=[f"+{SECRET}"], keys=["*"],
                      commands=["+@all"])
    try:
        yield f"{url}&username={user}&password={SECRET}"
    finally:
        drop(url)
        admin.acl_deluser(user)
        admin.close()


def test_a_password_index_shows_its_location_masked(
        password_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The password really is needed: without it the server says no.
    with pytest.raises(ConnectionError) as refused:
        Detector(index=password_url.replace(f"&password={SECRET}", "&password=wrong"))
    assert SECRET not in str(refused.value)
    assert main(["scan", str(SEEDS), "--index", password_url, "--format", "json",
                 "--progress", "always"]) == 0
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert json.loads(captured.out)["matches"]  # the scan did run against the index
    for fmt in ("text", "json"):
        assert main(["index", "stats", password_url, "--check", "--format", fmt]) == 0
        captured = capsys.readouterr()
        assert SECRET not in captured.out + captured.err
        assert "password=***" in captured.out
    with Detector(index=password_url) as detector:
        shown = [detector.store.location, repr(detector.store), repr(detector),
                 json.dumps(detector.stats())]
        assert all(SECRET not in s for s in shown)
        assert "password=***" in detector.store.location
    with pytest.raises(IndexMismatchError) as mismatch:
        Detector(Config(num_perm=64), index=password_url)
    assert SECRET not in str(mismatch.value)
    assert "password=***" in str(mismatch.value)
