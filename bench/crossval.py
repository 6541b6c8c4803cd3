"""Cross-validation by site for the reader's tunable choices: a choice is judged on sites it was not picked on.

A tunable is a module attribute and its candidate values ("app.reader.parsers.html:FAVOR_PRECISION",
[True, False]). Every combination is run once over every page; then for each of K folds of sites (a site
is never on both sides) the combination scoring best on the other folds is picked, and its outputs on the
fold left out are kept. The held-out score is the score of those kept outputs over all pages: what the
tuning procedure itself would give on sites it has never seen.
"""

import hashlib
import importlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

Tunables = Sequence[tuple[str, Sequence[Any]]]


def site(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def fold_of(url: str, folds: int) -> int:
    return int(hashlib.sha256(site(url).encode()).hexdigest(), 16) % folds


@contextmanager
def setting(name: str, value: Any) -> Iterator[None]:
    module_name, attribute = name.split(":")
    module = importlib.import_module(module_name)
    before = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, before)


def label(tunables: Tunables, combo: Sequence[Any]) -> str:
    return ", ".join(f"{name.split(':')[1]}={value}" for (name, _), value in zip(tunables, combo, strict=True))


def run_grid(tunables: Tunables, run: Callable[[], dict[str, Any]]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """`run()` (outputs per page) under every combination of the tunables' values."""
    results = []
    for combo in itertools.product(*(values for _, values in tunables)):
        with ExitStack() as stack:
            for (name, _), value in zip(tunables, combo, strict=True):
                stack.enter_context(setting(name, value))
            results.append((combo, run()))
    return results


def held_out(
    grid: list[tuple[tuple[Any, ...], dict[str, Any]]],
    urls: dict[str, str],
    folds: int,
    score: Callable[[dict[str, Any]], float],
) -> tuple[float, list[tuple[Any, ...]]]:
    """The score of held-out outputs when each fold's combination is picked on the other folds."""
    kept: dict[str, Any] = {}
    chosen = []
    for fold in range(folds):
        train = [k for k, url in urls.items() if fold_of(url, folds) != fold]
        test = [k for k, url in urls.items() if fold_of(url, folds) == fold]
        combo, outputs = max(grid, key=lambda item: score({k: item[1][k] for k in train}))
        kept.update({k: outputs[k] for k in test})
        chosen.append(combo)
    return score(kept), chosen
