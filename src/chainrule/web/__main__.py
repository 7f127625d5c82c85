"""``python -m chainrule.web [--host H] [--port N] [--open]``: the explorer, without the CLI."""

from __future__ import annotations

import argparse
import sys

from chainrule.errors import ChainruleError
from chainrule.web.server import DEFAULT_HOST, DEFAULT_PORT, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chainrule.web", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.open, announce=lambda s: print(s, flush=True))
    except ChainruleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
