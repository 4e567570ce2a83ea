"""The perception-distortion plane of a Table 1 cell: each method's curve, the boundary
between them, and whether two methods' curves cross.

The LM-RBM paper draws its methods as points in the plane of RMSE (distortion)
against FID (perception) and calls the lower-left boundary of what they reach
"the limit of achievable performance". Here each stochastic method is a
*curve* through its read-outs (:data:`~mixmiss.impute.Imputer.READOUTS`: the
RBMs from sampled h and v through the average of k reconstructions to mean-field
h; MisGAN through the average of k imputations), a deterministic method a point,
and the empirical boundary is the lower-left envelope (Pareto front) of every
point of the cell.

Two curves *cross* when a segment of one intersects a segment of the other, with
FID on a log scale as the figure draws it (:func:`curves_cross`). When they do
not, one may *dominate* the other (every point of the other is matched or beaten
on both axes by one of its points), or they form a trade-off (each wins on one
axis). These are read off the stored cells; nothing is computed anew.
"""

from __future__ import annotations

import math

from ...registry import imputer_class
from ..formatting import markdown_table
from .paper import DISPLAY_NAMES, MECHANISM_NAMES

#: The method pairs whose curves the report compares: the paper's two ends.
COMPARED_PAIRS = (("rbm", "misgan"), ("lm-rbm", "misgan"))

Point = tuple[float, float, str]  # (RMSE, FID, read-out name; "" for a single read-out)


def method_curve(row: dict, method: str, fid_name: str) -> list[Point]:
    """A method's (RMSE, FID, read-out) points in one cell, perception end first: each of
    its read-outs (:data:`~mixmiss.impute.Imputer.READOUTS`) the cell scored; one point for
    a method with a single read-out (or when only our FID is drawn)."""
    cls = imputer_class(method)
    names = list(cls.READOUTS) if fid_name == "fid_lenet" else []
    points = []
    for name in names or [None]:
        key = "" if name in (None, cls.DEFAULT_READOUT) else f"_{name}"
        rmse, fid = row.get(f"rmse{key}", math.nan), row.get(f"{fid_name}{key}", math.nan)
        if not (math.isnan(rmse) or math.isnan(fid)):
            points.append((rmse, fid, name or ""))
    return points


def pareto_front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The lower-left envelope: the points no other point beats on both RMSE and FID,
    by increasing RMSE (hence decreasing FID)."""
    front: list[tuple[float, float]] = []
    for rmse, fid in sorted(points):
        if not front or fid < front[-1][1]:
            front.append((rmse, fid))
    return front


def cell_curves(rows: list[dict], mechanism: str, rate: float, methods, fid_name: str):
    """``{method: its curve}`` in one cell, for the methods with a finished row there."""
    by_method = {r["method"]: r for r in rows if (r["mechanism"], r["rate"]) == (mechanism, rate)}
    curves = {m: method_curve(by_method[m], m, fid_name) for m in methods if m in by_method}
    return {m: c for m, c in curves.items() if c}


def labelled_front(curves: dict[str, list[Point]]) -> list[tuple[float, float, str, str]]:
    """The cell's boundary, distortion end first: ``(RMSE, FID, method, read-out)``."""
    owner = {(p[0], p[1]): (m, p[2]) for m, curve in curves.items() for p in curve}
    front = pareto_front(list(owner))
    return [(rmse, fid, *owner[(rmse, fid)]) for rmse, fid in front]


def _dominated(point, by) -> bool:
    """Whether ``point`` is matched or beaten on both axes by one of ``by``, strictly on one."""
    return any(q[0] <= point[0] and q[1] <= point[1] and q[:2] != point[:2] for q in by)


def _segments(curve: list[Point]):
    plane = [(p[0], math.log10(p[1])) for p in curve]
    return list(zip(plane, plane[1:], strict=False))


def _orientation(a, b, c) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _intersect(s, t) -> bool:
    """Whether the closed segments ``s`` and ``t`` share a point (collinear overlaps too)."""
    (p1, p2), (q1, q2) = s, t
    d1, d2 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    d3, d4 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    if d1 * d2 < 0 and d3 * d4 < 0:  # each straddles the other's line
        return True

    def on(a, b, c):  # c collinear with a-b and inside its bounding box
        return (
            _orientation(a, b, c) == 0
            and min(a[0], b[0]) <= c[0] <= max(a[0], b[0])
            and (min(a[1], b[1]) <= c[1] <= max(a[1], b[1]))
        )

    return on(q1, q2, p1) or on(q1, q2, p2) or on(p1, p2, q1) or on(p1, p2, q2)


def curves_cross(a: list[Point], b: list[Point]) -> bool:
    """Whether the curves (polylines in RMSE x log10 FID) of two methods intersect."""
    return any(_intersect(s, t) for s in _segments(a) for t in _segments(b))


def relation(a: list[Point], b: list[Point]) -> str:
    """How curve ``a`` stands to curve ``b``: ``"cross"``, ``"a dominates"``,
    ``"b dominates"`` or ``"trade-off"`` (neither crosses nor dominates)."""
    if curves_cross(a, b):
        return "cross"
    if all(_dominated(p, a) for p in b):
        return "a dominates"
    if all(_dominated(p, b) for p in a):
        return "b dominates"
    return "trade-off"


def _front_text(front) -> str:
    """``LM-RBM (mean_field ... sampled_h_k4), Inpaint``: the boundary's methods in order,
    each with the read-outs it contributes."""
    groups: list[tuple[str, list[str]]] = []
    for _, _, method, readout in front:
        if groups and groups[-1][0] == method:
            groups[-1][1].append(readout)
        else:
            groups.append((method, [readout]))
    parts = []
    for method, readouts in groups:
        named = [r for r in readouts if r]
        span = "" if not named else named[0] if len(named) == 1 else f"{named[0]} … {named[-1]}"
        parts.append(f"{DISPLAY_NAMES.get(method, method)}" + (f" ({span})" if span else ""))
    return ", ".join(parts)


def _relation_text(first: str, second: str, verdict: str) -> str:
    names = {"a dominates": f"{DISPLAY_NAMES[first]} dominates",
             "b dominates": f"{DISPLAY_NAMES[second]} dominates"}  # fmt: skip
    return names.get(verdict, verdict)


def boundary_rows(preset, rows: list[dict], fid_name: str) -> list[dict]:
    """Per finished cell: its labelled boundary and the relation of each compared pair."""
    out = []
    for mechanism in preset.mechanisms:
        for rate in preset.rates:
            curves = cell_curves(rows, mechanism, rate, preset.methods, fid_name)
            if not curves:
                continue
            pairs = {
                (a, b): relation(curves[a], curves[b]) if a in curves and b in curves else None
                for a, b in COMPARED_PAIRS
            }
            out.append({"mechanism": mechanism, "rate": rate, "front": labelled_front(curves),
                        "pairs": pairs})  # fmt: skip
    return out


def boundary_markdown(preset, rows: list[dict], fid_name: str) -> str:
    """The boundary section of ``table1.md``: per cell, which methods (and read-outs) make
    the boundary from the distortion end to the perception end, and whether the RBMs'
    curves cross MisGAN's."""
    header = ["mech", "rate", "boundary, distortion end → perception end"]
    header += [f"{DISPLAY_NAMES[a]} vs {DISPLAY_NAMES[b]}" for a, b in COMPARED_PAIRS]
    body = []
    for cell in boundary_rows(preset, rows, fid_name):
        verdicts = [
            "n/a" if v is None else _relation_text(a, b, v) for (a, b), v in cell["pairs"].items()
        ]
        body.append([MECHANISM_NAMES[cell["mechanism"]], f"{cell['rate']:g}",
                     _front_text(cell["front"]), *verdicts])  # fmt: skip
    return markdown_table(header, body) if body else "No finished cell.\n"
