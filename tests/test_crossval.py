"""Cross-validation by site (bench/crossval.py): choices are scored on sites they were not picked on."""

from bench import crossval


def test_a_site_is_never_on_both_sides_of_a_fold() -> None:
    urls = [f"https://{www}site{n}.example/story/{m}" for n in range(20) for m in range(3) for www in ("", "www.")]
    folds: dict[str, set[int]] = {}
    for url in urls:
        folds.setdefault(crossval.site(url), set()).add(crossval.fold_of(url, 5))
    assert all(len(f) == 1 for f in folds.values()) and len(set().union(*folds.values())) > 1


def test_the_held_out_score_is_that_of_choices_made_without_the_fold() -> None:
    urls = {f"p{n}": f"https://site{n}.example/a" for n in range(40)}
    fold = {key: crossval.fold_of(url, 4) for key, url in urls.items()}
    # Choice "a" is right on every page but those of fold 0; "b" only on fold 0's pages.
    right_a = {key: fold[key] != 0 for key in urls}
    grid = [(("a",), right_a), (("b",), {key: not ok for key, ok in right_a.items()})]

    def share(outputs: dict[str, bool]) -> float:
        return sum(outputs.values()) / len(outputs)

    figure, chosen = crossval.held_out(grid, urls, 4, share)
    assert chosen == [("a",)] * 4  # picked on the other folds, "a" wins everywhere
    assert figure == share(right_a) < 1.0  # so fold 0 is scored with "a" and its misses count


def test_settings_are_restored_after_a_run() -> None:
    from app.reader.parsers import html

    grid = crossval.run_grid(
        [("app.reader.parsers.html:FAVOR_PRECISION", [False, True])], lambda: {"x": html.FAVOR_PRECISION}
    )
    assert [outputs["x"] for _, outputs in grid] == [False, True] and html.FAVOR_PRECISION is True
