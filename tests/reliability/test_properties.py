"""Property-based: arbitrary arguments through the public API and the CLI.

Whatever the shapes, dtypes, values and option strings, the outcome is a
correct result or a :class:`~mixmiss.errors.MixmissError` (on the command
line: one ``mixmiss: error:`` line, or argparse's usage error), never another
exception; and a command that fails changes no file of an existing run.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixmiss.cli import main
from mixmiss.data import MECHANISMS, make_mask
from mixmiss.data.venn import resolve_label_sets
from mixmiss.errors import MixmissError
from mixmiss.impute.mean import MeanImputer

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 40), st.floats(allow_nan=True),
    st.text(max_size=8), st.lists(st.integers(-2, 12), max_size=4),
    st.tuples(st.integers(-2, 12), st.integers(-2, 12)),
)  # fmt: skip


@SETTINGS
@given(
    mechanism=st.one_of(st.sampled_from(sorted(MECHANISMS)), st.text(max_size=4)),
    n=anything,
    shape=anything,
    rate=st.one_of(st.floats(-1, 2), anything),
)
def test_make_mask_is_right_or_refuses(mechanism, n, shape, rate):
    try:
        mask = make_mask(mechanism, n, shape, rate, torch.Generator().manual_seed(0))
    except MixmissError:
        return
    assert mask.shape == (n, 1, *shape) and mask.dtype == torch.float32
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert float(mask.mean()) < 1.0 or mechanism != "so"  # something is missing


@SETTINGS
@given(text=st.text(alphabet="0123456789-;, ABCx", max_size=12), classes=st.integers(1, 12))
def test_label_sets_parse_or_refuse(text, classes):
    try:
        sets = resolve_label_sets(text, classes)
    except MixmissError:
        return
    assert sets and all(0 <= label < classes for labels in sets for label in labels)


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)),
    dtype=st.sampled_from(["float32", "float64", "int64", "uint8", "bool", "complex64"]),
    low=st.floats(-2, 1, allow_nan=False),
    mask_dtype=st.sampled_from(["float32", "bool", "int8", "complex64"]),
    nan=st.booleans(),
)
def test_an_imputer_takes_any_array_or_refuses(shape, dtype, low, mask_dtype, nan):
    rng = np.random.default_rng(0)
    x = (rng.uniform(low, 1.0, shape)).astype(dtype)
    if nan and x.dtype.kind == "f":
        x.flat[0] = np.nan
    mask = (rng.uniform(size=shape) > 0.5).astype(mask_dtype)
    try:
        imputer = MeanImputer().fit(x, mask, progress=False)
        out = imputer.impute(x, mask)
    except MixmissError:
        return
    observed = torch.as_tensor(
        mask.real.astype(bool) if mask.dtype.kind == "c" else mask.astype(bool)
    )
    assert out.shape == shape and bool(torch.isfinite(out).all())
    assert torch.equal(out[observed], torch.as_tensor(x, dtype=out.dtype)[observed])


def _digest(directory):
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def mean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    argv = ["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism", "im",
            "--rate", "0.5", "--preset", "smoke", "--max-train", "40", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    return out


option_value = st.one_of(
    st.sampled_from(["-1", "0", "0.5", "1", "2", "nan", "inf", "", "im", "so", "pm", "x", "-",
                     "--", "1e9", "0-6;3-9", "-1-3;3-9", "mean", "rbm", "gain", "cuda"]),
    st.text(alphabet="abc019-;.=", max_size=6),
)  # fmt: skip
options = st.lists(
    st.tuples(
        st.sampled_from(["--rate", "--mechanism", "--method", "--seed", "--preset", "--device",
                         "--max-train", "--set", "--dataset", "--sets", "--iters", "--n",
                         "--max-test", "--distribution"]),
        option_value,
    ),
    max_size=4,
)  # fmt: skip


@SETTINGS
@given(command=st.sampled_from(["train", "eval", "resume"]), extra=options)
def test_cli_on_an_existing_run_errors_in_one_line_and_changes_nothing(
    command, extra, mean_run, capsys
):
    before = _digest(mean_run)
    if command == "eval":
        argv = ["impute", "eval", str(mean_run), "--max-test", "10", "--no-progress"]
    else:
        argv = ["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism",
                "im", "--rate", "0.5", "--preset", "smoke", "--max-train", "40",
                "--out", str(mean_run), "--no-progress"]  # fmt: skip
        argv += ["--resume"] if command == "resume" else []
    for option, value in extra:
        argv += [option, value]
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's usage error
        assert exit_.code == 2
        code = 2
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    if code == 2 and err.startswith("mixmiss:"):
        assert err.count("\n") == 1 and "Traceback" not in err
    if code != 0 or command != "resume":
        after = _digest(mean_run)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert changed <= {f for f in after if f.startswith("eval-seed")}, changed
