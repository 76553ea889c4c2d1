"""What a machine API key may write for: its own turbines, smart meters and carbon assets.

A key with an empty scope is a fleet key (a gateway posting for everything), which is also what
every key created before scopes existed is. A key with any scope may write only for what it
lists: a key scoped to a meter may not post turbine metrics at all. Reads are not scoped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TURBINE, METER, ASSET = "turbine", "meter", "asset"
KINDS = (TURBINE, METER, ASSET)


@dataclass(frozen=True)
class KeyScope:
    turbines: frozenset[int] = frozenset()
    meters: frozenset[str] = frozenset()
    assets: frozenset[str] = frozenset()

    @property
    def is_fleet(self) -> bool:
        """True for an unscoped key, which may write for every turbine, meter and asset."""
        return not (self.turbines or self.meters or self.assets)

    def allows_turbine(self, turbine_number: int) -> bool:
        return self.is_fleet or turbine_number in self.turbines

    def allows_meter(self, meter_id: str) -> bool:
        return self.is_fleet or meter_id in self.meters

    def allows_asset(self, asset_id: str) -> bool:
        return self.is_fleet or asset_id in self.assets

    def rows(self) -> list[tuple[str, str]]:
        """(kind, ref) pairs as stored, in a stable order."""
        return ([(TURBINE, str(n)) for n in sorted(self.turbines)] + [(METER, m) for m in sorted(self.meters)]
                + [(ASSET, a) for a in sorted(self.assets)])

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> KeyScope:
        refs: dict[str, set[str]] = {kind: set() for kind in KINDS}
        for kind, ref in rows:
            refs[kind].add(ref)
        return cls(frozenset(int(n) for n in refs[TURBINE]), frozenset(refs[METER]), frozenset(refs[ASSET]))

    def describe(self) -> str:
        """``fleet (unscoped: may write for everything)`` or e.g. ``turbine 3, 4; meter smart-meter-17``."""
        if self.is_fleet:
            return "fleet (unscoped: may write for everything)"
        parts = []
        for kind, refs in ((TURBINE, sorted(self.turbines)), (METER, sorted(self.meters)),
                           (ASSET, sorted(self.assets))):
            if refs:
                parts.append(f"{kind} {', '.join(map(str, refs))}")
        return "; ".join(parts)


FLEET = KeyScope()


def _turbine_number(item: object) -> int | None:
    """The item's turbine number when it is one (the ingest check decides what else is wrong with it)."""
    if not isinstance(item, Mapping):
        return None
    number = item.get("turbine_number")
    if isinstance(number, bool):
        return None
    if isinstance(number, int):
        return number
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return None


def first_turbine_outside(scope: KeyScope, items: Sequence[object]) -> tuple[int, int] | None:
    """(index, turbine number) of the first metric for a turbine the key may not write for, or None."""
    if scope.is_fleet:
        return None
    for index, item in enumerate(items):
        number = _turbine_number(item)
        if number is not None and not scope.allows_turbine(number):
            return index, number
    return None
