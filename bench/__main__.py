"""`python -m bench [extraction|dumps|feeds|storage] [options]`: every suite when no name is given."""

import sys

from bench import dumps, extraction, feeds, storage

SUITES = {"extraction": extraction.main, "dumps": dumps.main, "feeds": feeds.main, "storage": storage.main}


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in SUITES:
        SUITES[args[0]](args[1:])
    elif args and args[0] in ("-h", "--help"):
        print(__doc__)
    else:
        for suite in SUITES.values():
            suite(args)


if __name__ == "__main__":
    main()
