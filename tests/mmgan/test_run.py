"""The run directory: reading its config, log, training time and checkpoint step."""

import json

import pytest

from mixmiss.errors import CacheError, InputError
from mixmiss.mmgan.run import (
    checkpoint_step,
    discard_unstarted,
    has_checkpoint,
    read_config,
    read_info,
    read_log,
    training_seconds,
)


def _write_log(run_dir, seconds_at):
    lines = [json.dumps({"step": s, "seconds": t}) for s, t in seconds_at.items()]
    (run_dir / "log.jsonl").write_text("\n".join(lines) + "\n")


def test_a_trained_run_is_read_back(digits_run):
    record = read_config(digits_run)
    assert record["provenance"]["command"] == "test" and record["resumes"] == []
    assert read_info(digits_run).num_components == 3
    log = read_log(digits_run)
    assert [r["step"] for r in log] == [2, 4, 6] and "alpha" in log[-1]
    assert has_checkpoint(digits_run) and checkpoint_step(digits_run) == 6
    assert training_seconds(digits_run) == pytest.approx(log[-1]["seconds"])


def test_training_seconds_adds_up_the_sessions_of_a_resumed_run(tmp_path):
    assert read_log(tmp_path) is None and training_seconds(tmp_path) is None
    (tmp_path / "config.json").write_text(json.dumps({"resumes": [{"step": 4}, {"step": 8}]}))
    # sessions (0, 4], (4, 8], (8, 10]: each logs the seconds since it started
    _write_log(tmp_path, {2: 1.0, 4: 2.0, 6: 3.0, 8: 4.5, 10: 0.5})
    assert training_seconds(tmp_path) == pytest.approx(2.0 + 4.5 + 0.5)


def test_training_seconds_skips_blank_lines_and_counts_an_empty_log_as_zero(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"resumes": []}))
    (tmp_path / "log.jsonl").write_text("")
    assert read_log(tmp_path) == [] and training_seconds(tmp_path) == 0.0
    (tmp_path / "log.jsonl").write_text('{"step": 2, "seconds": 1.5}\n\n')
    assert training_seconds(tmp_path) == 1.5


def test_a_missing_or_damaged_config_is_a_clear_error(tmp_path):
    with pytest.raises(CacheError, match="not an MMGAN run directory"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CacheError, match="damaged"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(CacheError, match="damaged"):
        read_info(tmp_path)


def test_discard_unstarted_leaves_a_checkpointed_run_alone(tmp_path, digits_run):
    (tmp_path / "config.json").write_text("{}")
    _write_log(tmp_path, {2: 9.0})
    assert not has_checkpoint(tmp_path)
    discard_unstarted(tmp_path)
    assert not any(tmp_path.iterdir())
    discard_unstarted(tmp_path)  # nothing to remove
    with pytest.raises(InputError, match="holds a checkpoint"):
        discard_unstarted(digits_run)
    assert (digits_run / "config.json").is_file()
