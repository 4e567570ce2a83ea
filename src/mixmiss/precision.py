"""Numeric precision of training: the ``auto | fp32 | bf16`` setting and its one policy.

Every trainer and bench takes a ``precision`` setting (:data:`PRECISIONS`):

- ``"fp32"``: everything in the parameters' own dtype (float32), as before the setting existed.
- ``"bf16"``: the matrix products in bfloat16, wherever the run happens to be.
  Parameters, optimiser states and updates stay float32 (what runs in bf16 is
  each trainer's decision, documented beside it: :mod:`mixmiss.rbm.products`
  for the RBMs, :class:`mixmiss.misgan.training.MisGANTrainer` and
  :meth:`mixmiss.mmgan.model.MixedMembershipGAN.train_step` for the GANs).
- ``"auto"`` (the default): bf16 where the hardware multiplies bf16 natively,
  fp32 elsewhere (and for parameters kept in float64: their own precision).
  On CPU that is a processor reporting ``avx512_bf16`` or ``amx_bf16`` in
  ``/proc/cpuinfo`` (an AMD EPYC with AVX512_BF16 did a 128 x 784 x 4096 GEMM
  at 180 GFLOP/s in bf16 against 86 in fp32 on one thread); without them torch
  emulates bf16 and a GEMM runs tens of times *slower* than fp32 (0.46
  against 32 GFLOP/s measured on an AVX2-only EPYC).
  On CUDA it is a device for which ``torch.cuda.is_bf16_supported`` holds
  natively (Ampere and later).

bfloat16 keeps float32's exponent range, so no loss scaling is needed; it
keeps 8 significant bits, so sums over many terms (losses, norms, parameter
updates) are accumulated in float32. Metrics and FID features are always
computed in float32.

A run stores the *setting* in its config (``"auto"`` resumes as ``"auto"``);
:func:`resolve_precision` turns it into ``"fp32"`` or ``"bf16"`` for the
device it runs on, once per run. Configs written before the setting existed
lack the key and are read as ``"auto"`` (what those runs did: float32 on
CPUs without bf16); :func:`stored_config` leaves the default out of what a
run writes, so their checkpoints, run records and cached study cells still
compare equal to a new run's with the default, while ``"fp32"`` or
``"bf16"`` asked for explicitly is recorded and checked on resume.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import torch

from .errors import InputError

PRECISIONS = ("auto", "fp32", "bf16")

#: What a run resolves to (``"auto"`` never survives :func:`resolve_precision`).
RESOLVED = ("fp32", "bf16")

#: ``/proc/cpuinfo`` flags of CPUs with native bfloat16 dot products.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")

CPUINFO = Path("/proc/cpuinfo")

#: The default setting, also what a config written before the setting existed holds.
DEFAULT = "auto"


def check_precision(value: str) -> str:
    """Return ``value`` if it is one of :data:`PRECISIONS`, else raise :class:`InputError`."""
    if value not in PRECISIONS:
        raise InputError(f"unknown precision {value!r}; choose one of {', '.join(PRECISIONS)}.")
    return value


def stored_config(config: dict, key: str = "precision") -> dict:
    """``config`` as a run writes it: without ``key`` when that holds :data:`DEFAULT`
    (see the module docstring)."""
    if config.get(key) == DEFAULT:
        config = {k: v for k, v in config.items() if k != key}
    return config


def read_cpuinfo() -> str:
    """The text of ``/proc/cpuinfo`` ("" where there is none, e.g. macOS)."""
    try:
        return CPUINFO.read_text()
    except OSError:
        return ""


def cpu_flags() -> frozenset[str]:
    """The feature flags the CPU reports (``flags`` lines of ``/proc/cpuinfo``)."""
    flags: set[str] = set()
    for line in read_cpuinfo().splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "flags":
            flags.update(value.split())
    return frozenset(flags)


def cpu_has_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 natively (:data:`BF16_CPU_FLAGS`)."""
    return not cpu_flags().isdisjoint(BF16_CPU_FLAGS)


def cuda_has_bf16(device: torch.device) -> bool:
    """Whether the CUDA ``device`` multiplies bfloat16 natively."""
    if not torch.cuda.is_available():
        return False
    with torch.cuda.device(device):
        return torch.cuda.is_bf16_supported(including_emulation=False)


def native_bf16(device: str | torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 natively (see the module docstring)."""
    device = torch.device(device)
    if device.type == "cpu":
        return cpu_has_bf16()
    if device.type == "cuda":
        return cuda_has_bf16(device)
    return False


def resolve_precision(
    value: str, device: str | torch.device, master: torch.dtype = torch.float32
) -> str:
    """``"fp32"`` or ``"bf16"``: the setting ``value`` on ``device`` (``auto`` decided here).

    ``master`` is the parameters' dtype: ``auto`` picks bf16 only for float32
    parameters, so a model kept in float64 on purpose (e.g. to check an update
    exactly) is never rounded to bfloat16 unless ``"bf16"`` is asked for.
    """
    if check_precision(value) != "auto":
        return value
    return "bf16" if master == torch.float32 and native_bf16(device) else "fp32"


def compute_dtype(precision: str, master: torch.dtype = torch.float32) -> torch.dtype:
    """The dtype the products run in: bfloat16 for ``"bf16"``, else ``master``."""
    if precision not in RESOLVED:
        raise InputError(
            f"precision {precision!r} is not resolved; pass it through resolve_precision first."
        )
    return torch.bfloat16 if precision == "bf16" else master


def autocast(device: str | torch.device, precision: str) -> contextlib.AbstractContextManager:
    """``torch.autocast`` to bfloat16 for a resolved ``"bf16"``; a no-op for ``"fp32"``."""
    if compute_dtype(precision) != torch.bfloat16:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def describe(device: str | torch.device) -> dict:
    """What the precision policy saw on ``device``: for reports and benches."""
    device = torch.device(device)
    report = {"device": str(device), "native_bf16": native_bf16(device)}
    report["auto"] = resolve_precision("auto", device)
    if device.type == "cpu":
        found = sorted(cpu_flags().intersection(BF16_CPU_FLAGS))
        report["cpu_bf16_flags"] = found
    return report
