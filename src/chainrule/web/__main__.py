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
    parser.add_argument("--workers", type=int, default=None,
                        help="engine worker processes (default: the CPU count)")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds of computing per request (default 10)")
    args = parser.parse_args(argv)
    if args.workers is not None and not 1 <= args.workers <= 256:
        parser.error("--workers must be between 1 and 256")
    try:
        serve(args.host, args.port, args.open, announce=lambda s: print(s, flush=True),
              time_limit=args.time_limit, workers=args.workers)
    except ChainruleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
