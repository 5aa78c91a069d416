"""The public API: a small, sorted __all__ that lists exactly the public names."""

from __future__ import annotations

import dedup


def test_all_is_sorted_and_complete() -> None:
    assert dedup.__all__ == sorted(dedup.__all__)
    public = {name for name in vars(dedup) if not name.startswith("_")
              and not isinstance(getattr(dedup, name), type(dedup))}
    public.discard("annotations")
    assert public == set(dedup.__all__) - {"__version__"}


def test_version_matches_the_package_metadata() -> None:
    from importlib.metadata import version

    assert dedup.__version__ == version("dedup")
