"""`mixmiss bench`: every bench registered."""


def test_bench_is_registered(capsys):
    from mixmiss.cli.bench import BENCHES

    assert BENCHES["mmgan"] == "mixmiss.mmgan.bench:run_bench"
