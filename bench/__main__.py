"""`python -m bench [extraction|storage|bulk] [options]`: every suite when no name is given."""

import sys

from bench import bulk, extraction, storage

SUITES = {"extraction": extraction.main, "storage": storage.main, "bulk": bulk.main}


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
