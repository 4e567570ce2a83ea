"""Where data and caches live, which device, whether to show progress: one small object.

Every experiment (the LM-RBM protocol, the Table 1 and Table 2 cells, the
demo) needs the same four settings; they travel together as a
:class:`Context` instead of four arguments threaded through each function.
It is frozen and holds only strings and flags, so it pickles into worker
processes. The library's building blocks (``load_dataset``,
``get_evaluator``, the trainers) keep their explicit keyword arguments.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Context:
    """The settings every experiment threads through.

    Attributes
    ----------
    data_dir : str or None
        Dataset directory (None: ``$MIXMISS_DATA_DIR``, else the default; :mod:`mixmiss.paths`).
    cache_dir : str or None
        Cache of evaluators and FID statistics (None: ``$MIXMISS_CACHE_DIR``, else the default).
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    progress : bool
        Show progress bars.
    """

    data_dir: str | None = None
    cache_dir: str | None = None
    device: str = "auto"
    progress: bool = True

    def __post_init__(self):
        if not isinstance(self.device, str) or not re.fullmatch(
            r"auto|cpu|cuda(:\d+)?", self.device
        ):
            raise InputError(f"unknown device {self.device!r}; choose auto, cpu, cuda or cuda:N.")
        for name in ("data_dir", "cache_dir"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, os.fspath(value))


#: The defaults: environment-chosen directories, ``device="auto"``, progress bars on.
DEFAULT_CONTEXT = Context()
