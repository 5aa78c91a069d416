"""The ``dedup`` command's entry point: a module outside the package, imported first.

Importing :mod:`dedup` (numpy, ftfy, regex, the detector) takes a few tenths of a second.
A Ctrl-C in that time would surface as a traceback from inside some import; here it is
caught before any of that starts, and reported the way an interrupted scan is.
"""

import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


def main() -> int:
    """Import the command line and run it; a Ctrl-C at any point is one line, exit 130."""
    try:
        from dedup.cli import main as run

        return run()
    except KeyboardInterrupt:
        sys.stderr.write("dedup: interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
