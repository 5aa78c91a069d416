"""Index locations as they may be shown: a URL's password masked.

A Redis URL can carry a password (``redis://:secret@host/0``, ``redis://user:secret@host``,
``?password=secret``). Whatever dedup prints or returns about an index (errors, ``dedup index
stats``, a store's ``location``) goes through :func:`redact` first, so that a password never
reaches a terminal, a log or a CI transcript.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit

__all__ = ["MASK", "redact"]

#: What a password is shown as.
MASK = "***"
# Query parameters that redis-py (and other clients) take as credentials.
_SECRET_PARAMS = frozenset({"password", "pass", "passwd", "pwd", "secret", "token"})


def redact(location: str) -> str:
    """Return ``location`` with the password of a URL masked; anything else unchanged.

    The user name and everything else stay, so that the message still says which server
    and which index. A file path (no ``scheme://``) comes back as it is.

    Args:
        location: A file path or a URL such as ``redis://user:secret@host:6379/0``.

    Returns:
        The location with the password (in the authority or a query parameter) as ``***``.

    >>> redact("redis://:secret@127.0.0.1:6379/0")
    'redis://:***@127.0.0.1:6379/0'
    >>> redact("rediss://ops:s3cr%40t@cache.example:6380/2?name=feed")
    'rediss://ops:***@cache.example:6380/2?name=feed'
    >>> redact("unix:///run/redis.sock?db=15&password=secret")
    'unix:///run/redis.sock?db=15&password=***'
    >>> redact("feed.dedup")
    'feed.dedup'
    """
    if "://" not in location:
        return location
    try:
        parts = urlsplit(location)
        parts.port  # noqa: B018  (raises ValueError on a malformed authority)
    except ValueError:
        return _redact_unparsed(location)
    if "@" in parts.path or "@" in parts.fragment:
        # An unquoted '/' or '#' in a password makes the parser cut the authority early
        # (redis-py parses it the same way): what follows may still be part of the password.
        return _redact_unparsed(location)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}{colon and ':' + MASK}@{host}"
    # Each parameter as written, but a secret one's value masked.
    query = "&".join(_masked_param(param) for param in parts.query.split("&"))
    # Put together by hand: urlunsplit drops the empty authority of unix:///path.
    return (f"{parts.scheme}://{netloc}{parts.path}" + ("?" + query if "?" in location else "")
            + ("#" + parts.fragment if "#" in location else ""))


def _masked_param(param: str) -> str:
    name, equals, _ = param.partition("=")
    return f"{name}={MASK}" if equals and unquote_plus(name).lower() in _SECRET_PARAMS else param


def _redact_unparsed(location: str) -> str:
    """Mask everything between ``scheme://`` and the last ``@``, and drop the query.

    For what :func:`urllib.parse.urlsplit` cannot split safely: shown less, never the secret.

    >>> _redact_unparsed("redis://:pa/ss@host/0?password=x")
    'redis://***@host/0'
    """
    scheme, _, rest = location.partition("://")
    rest = rest.partition("?")[0]
    if "@" in rest:
        rest = MASK + "@" + rest.rpartition("@")[2]
    return f"{scheme}://{rest}"
