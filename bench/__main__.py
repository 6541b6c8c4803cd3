"""`python -m bench [extraction|dumps|feeds|storage|bulk|load|soak|scale] [options]`: the quick suites when no name is
given.

`load`, `soak` and `scale` start live servers and take minutes, so they run only when named.
"""

import importlib
import sys

SUITES = ("extraction", "dumps", "feeds", "storage", "bulk")
LIVE = ("load", "soak", "scale")


def run(name: str, args: list[str]) -> None:
    # Imported when named, not here: a spawned worker process (bulk's prepare pool, the parser pool) imports
    # this module again, and loading every suite (the app, SQLAlchemy, the test servers) made each worker
    # start in 1.5 s instead of the 0.25 s it takes under `broadsheet ingest`, which distorted the figures.
    importlib.import_module(f"bench.{name}").main(args)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in (*SUITES, *LIVE):
        run(args[0], args[1:])
    elif args and args[0] in ("-h", "--help"):
        print(__doc__)
    else:
        for name in SUITES:
            run(name, args)


if __name__ == "__main__":
    main()
