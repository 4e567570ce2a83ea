"""The one shape of presets: every method and study names its settings for three budgets.

- ``smoke``: seconds; tiny models, for the tests.
- ``quick``: minutes on a 2-core CPU; the strongest result we could reach there.
- ``paper``: the paper's settings.

A study may add ``standard`` between quick and paper (:data:`OPTIONAL_PRESET_NAMES`):
what one workstation runs in a night, with its measured cost documented
where it is defined (Table 1's, #17).

A :class:`Presets` holds, for each name, the keyword settings of one
method's or study's settings class (an imputer's ``__init__``, a config
dataclass); ``paper`` is usually empty because the defaults are the paper's.
The CLI's ``--preset`` choices are :data:`PRESET_NAMES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import InputError

PRESET_NAMES = ("smoke", "quick", "paper")
#: Presets that only some methods or studies define.
OPTIONAL_PRESET_NAMES = ("standard",)


@dataclass(frozen=True)
class Presets(Mapping[str, Mapping[str, Any]]):
    """Keyword settings of one method or study, by preset name (see the module docstring).

    ``presets[name]`` is a read-only mapping; an unknown name (or ``standard``
    where it is not defined) is an :class:`~mixmiss.errors.InputError` that lists
    the choices.
    """

    owner: str
    smoke: Mapping[str, Any] = field(default_factory=dict)
    quick: Mapping[str, Any] = field(default_factory=dict)
    paper: Mapping[str, Any] = field(default_factory=dict)
    standard: Mapping[str, Any] | None = None

    def __post_init__(self):
        for name in self.names:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def names(self) -> tuple[str, ...]:
        """The presets defined: the three of every owner, then the optional ones it has."""
        optional = tuple(n for n in OPTIONAL_PRESET_NAMES if getattr(self, n) is not None)
        return PRESET_NAMES + optional

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        if name not in self.names:
            raise InputError(
                f"unknown preset {name!r} for {self.owner}; choose one of {', '.join(self.names)}."
            )
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def settings(self, name: str, **overrides: Any) -> dict[str, Any]:
        """The preset's settings with ``overrides`` on top (None values are ignored)."""
        return {**self[name], **{k: v for k, v in overrides.items() if v is not None}}
