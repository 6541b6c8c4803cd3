"""`python -m bench [extraction|dumps|feeds|storage|bulk|load|soak|scale] [options]`: the quick suites when no name is
given.

`load`, `soak` and `scale` start live servers and take minutes, so they run only when named.
"""

import sys

from bench import bulk, dumps, extraction, feeds, load, scale, soak, storage

SUITES = {
    "extraction": extraction.main,
    "dumps": dumps.main,
    "feeds": feeds.main,
    "storage": storage.main,
    "bulk": bulk.main,
}
LIVE = {"load": load.main, "soak": soak.main, "scale": scale.main}


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in {**SUITES, **LIVE}:
        {**SUITES, **LIVE}[args[0]](args[1:])
    elif args and args[0] in ("-h", "--help"):
        print(__doc__)
    else:
        for suite in SUITES.values():
            suite(args)


if __name__ == "__main__":
    main()
