"""The precision policy: auto from /proc/cpuinfo or the GPU, validation, autocast, stored configs."""

from __future__ import annotations

import pytest
import torch

from mixmiss import precision
from mixmiss.errors import InputError
from mixmiss.precision import (
    PRECISIONS,
    autocast,
    check_precision,
    compute_dtype,
    cpu_flags,
    resolve_precision,
    stored_config,
)

# An excerpt of /proc/cpuinfo: two processors, flags split over the usual fields.
CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme avx2 avx512f {extra}
bugs\t\t: sysret_ss_attrs

processor\t: 1
flags\t\t: fpu vme avx2 avx512f {extra}
"""


def fake_cpuinfo(monkeypatch, extra: str = "") -> None:
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: CPUINFO.format(extra=extra))


@pytest.mark.parametrize("flag", ["avx512_bf16", "amx_bf16"])
def test_auto_is_bf16_on_a_cpu_reporting_a_bf16_flag(monkeypatch, flag):
    fake_cpuinfo(monkeypatch, f"avx512_vnni {flag}")
    assert flag in cpu_flags()
    assert resolve_precision("auto", "cpu") == "bf16"
    assert precision.describe("cpu")["cpu_bf16_flags"] == [flag]


def test_auto_keeps_float64_parameters_in_their_own_precision(monkeypatch):
    fake_cpuinfo(monkeypatch, "avx512_bf16")
    assert resolve_precision("auto", "cpu", torch.float64) == "fp32"
    assert resolve_precision("bf16", "cpu", torch.float64) == "bf16"  # asked for: obeyed


def test_auto_is_fp32_on_a_cpu_without_them(monkeypatch):
    fake_cpuinfo(monkeypatch, "avx512_vnni")
    assert resolve_precision("auto", "cpu") == "fp32"
    # only the flags lines count
    text = CPUINFO.format(extra="") + "bugs\t\t: amx_bf16\nmodel name\t: avx512_bf16\n"
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: text)
    assert resolve_precision("auto", "cpu") == "fp32"
    assert precision.describe("cpu") == {
        "native_bf16": False,
        "auto": "fp32",
        "cpu_bf16_flags": [],
        "device": "cpu",
    }


def test_auto_is_fp32_where_there_is_no_cpuinfo(monkeypatch, tmp_path):
    monkeypatch.setattr(precision, "CPUINFO", tmp_path / "absent")
    assert precision.read_cpuinfo() == ""
    assert resolve_precision("auto", "cpu") == "fp32"


def test_the_real_cpuinfo_is_read():
    has = precision.cpu_has_bf16()
    assert resolve_precision("auto", "cpu") == ("bf16" if has else "fp32")


def test_explicit_settings_are_kept_whatever_the_hardware(monkeypatch):
    fake_cpuinfo(monkeypatch)
    assert resolve_precision("bf16", "cpu") == "bf16"
    fake_cpuinfo(monkeypatch, "amx_bf16")
    assert resolve_precision("fp32", "cpu") == "fp32"


def test_auto_on_cuda_asks_torch_for_native_bf16(monkeypatch):
    monkeypatch.setattr(precision, "cuda_has_bf16", lambda device: True)
    assert resolve_precision("auto", "cuda") == "bf16"
    monkeypatch.setattr(precision, "cuda_has_bf16", lambda device: False)
    assert resolve_precision("auto", "cuda") == "fp32"
    assert resolve_precision("auto", "meta") == "fp32"  # no other device type is trusted


def test_unknown_precisions_are_one_line_errors():
    assert check_precision("bf16") == "bf16"
    with pytest.raises(
        InputError, match=r"unknown precision 'fp16'; choose one of auto, fp32, bf16\.$"
    ):
        check_precision("fp16")
    with pytest.raises(InputError, match="not resolved"):
        compute_dtype("auto")
    assert PRECISIONS == ("auto", "fp32", "bf16")


def test_compute_dtype_and_autocast():
    assert compute_dtype("bf16") == torch.bfloat16
    assert compute_dtype("fp32") == torch.float32
    assert compute_dtype("fp32", torch.float64) == torch.float64  # the parameters' own dtype
    a, b = torch.rand(3, 4), torch.rand(4, 2)
    with autocast("cpu", "bf16"):
        assert (a @ b).dtype == torch.bfloat16
    with autocast("cpu", "fp32"):
        assert (a @ b).dtype == torch.float32


def test_stored_config_leaves_only_the_default_out():
    assert stored_config({"a": 1, "precision": "auto"}) == {"a": 1}
    assert stored_config({"a": 1, "precision": "bf16"}) == {"a": 1, "precision": "bf16"}
    assert stored_config({"a": 1}) == {"a": 1}
