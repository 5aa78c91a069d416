"""The ``dedup`` command's entry point: a module outside the package, imported first.

Importing :mod:`dedup` (numpy, ftfy, the Rust core, the detector) takes a few tenths of a second.
A Ctrl-C in that time would surface as a traceback from inside some import; here it is
caught before any of that starts, and reported the way an interrupted scan is.
"""

# The C module under ``signal``: ``signal.py`` imports ``enum`` first, which takes long enough
# on a loaded machine for a Ctrl-C to land inside it, before any handler is set.
import _signal as signal  # type: ignore[import-not-found]
import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


def main() -> int:
    """Import the command line and run it; a Ctrl-C at any point is one line, exit 130.

    During the imports a Ctrl-C is only noted, and acted on once they are done: raised in
    the middle of one, it can land in a callback of Python's import machinery, which prints
    "Exception ignored ..." and a traceback that no ``except`` here can catch.
    """
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        from dedup.cli import main as run
    except KeyboardInterrupt:  # pragma: no cover - SIGINT is held meanwhile
        held.append(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        sys.stderr.write("dedup: interrupted\n")
        return EXIT_INTERRUPTED
    try:
        return run()
    except KeyboardInterrupt:
        sys.stderr.write("dedup: interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
