"""`mixmiss bench`: every bench registered."""

import pytest


def test_bench_is_registered(capsys):
    from mixmiss.cli.bench import BENCHES

    assert BENCHES["mmgan"] == "mixmiss.mmgan.bench:run_bench"


def test_bench_and_mmgan_train_take_a_precision():
    from mixmiss.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["bench", "rbm"]).precision == "auto"
    assert parser.parse_args(["bench", "misgan", "--precision", "bf16"]).precision == "bf16"
    args = parser.parse_args(["mmgan", "train", "--out", "x", "--precision", "fp32"])
    assert args.precision == "fp32"
    assert parser.parse_args(["mmgan", "train", "--out", "x"]).precision is None


def test_a_bad_precision_is_refused_by_the_parser(capsys):
    from mixmiss.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["bench", "rbm", "--precision", "fp16"])
    assert stopped.value.code == 2
    assert "invalid choice: 'fp16'" in capsys.readouterr().err
