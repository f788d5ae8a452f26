"""Start the desktop app (the GUI lands with issue 5; until then, point to the command line)."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from gui.app import run
    except ImportError:
        print("The desktop app is not built yet. Use the `supplychain` command line: "
              "./dev cli --help", file=sys.stderr)
        return 1
    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
