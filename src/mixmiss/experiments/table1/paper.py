"""The LM-RBM paper's Table 1, transcribed (``../shared/reference/paper-tables.md``).

Values are kept as printed (strings), so that their precision is known: the
paper prints each mean "to at most the first significant digit of standard
error", so one unit of the last printed digit is an upper bound of its
standard error, which :func:`paper_value` returns beside the value.
"""

from __future__ import annotations

#: The paper's names of the missingness mechanisms.
MECHANISM_NAMES = {"im": "I.M.", "so": "S.O.", "pm": "P.M."}
#: Our method names in the paper's column order (Mean, Inpaint, GAN, RBM, LM).
PAPER_METHODS = ("mean", "inpaint", "misgan", "rbm", "lm-rbm")
#: The paper's column heading of each method.
PAPER_NAMES = {"mean": "Mean", "inpaint": "Inpaint", "misgan": "GAN", "rbm": "RBM", "lm-rbm": "LM"}
#: The methods' names in figures and prose (the paper's text names them so).
DISPLAY_NAMES = {"mean": "Mean", "inpaint": "Inpaint", "misgan": "MisGAN", "rbm": "RBM [5]",
                 "lm-rbm": "LM-RBM"}  # fmt: skip

# mechanism, rate: RMSE x5, FID x5, accuracy (%) x5, hidden-layer accuracy (%) RBM, LM
_ROWS = """
im 0.3 | 0.257 0.126 0.128 0.124 0.121 | 25 3.4 0.2 0.6 0.5 | 90.5 91.9 92.2 92.8 92.8 | 97.4 97.7
im 0.6 | 0.257 0.155 0.167 0.156 0.152 | 72 22 0.8 5.8 5.3 | 87.4 89.7 89.5 90.4 90.8 | 94.5 95.1
im 0.9 | 0.257 0.224 0.326 0.228 0.222 | 115 87 11 53 46 | 71.5 74.2 35 57.8 60.0 | 70.7 71.8
so 0.3 | 0.058 0.067 0.044 0.042 0.036 | 0.1 0.1 0.0 0.0 0.0 | 92.0 92.0 92.5 92.2 92.3 | 98.4 98.4
so 0.6 | 0.169 0.175 0.159 0.179 0.156 | 6.3 6.4 1 4.3 2.9 | 88.3 88.3 89.7 88.8 89.3 | 96.4 96.4
so 0.9 | 0.247 0.277 0.322 0.287 0.271 | 69 64 4 54 47 | 47 49.9 34.8 41.4 42.5 | 54.2 53.6
pm 0.3 | 0.262 0.200 0.196 0.217 0.183 | 18 8.8 0.7 4.2 2.8 | 85.4 87.9 89.1 87.3 89.3 | 93.0 95.0
pm 0.6 | 0.264 0.227 0.247 0.249 0.219 | 58 39 2.9 24 18 | 74.6 79.3 74.6 76.2 78.7 | 80.7 85.4
pm 0.9 | 0.262 0.277 0.369 0.282 0.267 | 111 100 16 87 63 | 44.2 48.0 18.4 30.8 33.4 | 39.9 46.2
"""


def _parse() -> dict[tuple[str, float], dict[str, dict[str, str]]]:
    table = {}
    for line in _ROWS.strip().splitlines():
        key, rmse, fid, accuracy, hidden = (part.split() for part in line.split("|"))
        table[(key[0], float(key[1]))] = {
            "rmse": dict(zip(PAPER_METHODS, rmse, strict=True)),
            "fid": dict(zip(PAPER_METHODS, fid, strict=True)),
            "accuracy": dict(zip(PAPER_METHODS, accuracy, strict=True)),
            "accuracy_hidden": dict(zip(("rbm", "lm-rbm"), hidden, strict=True)),
        }
    return table


#: (mechanism, rate) -> metric -> method -> the printed value.
PAPER_TABLE1 = _parse()


def paper_value(
    mechanism: str, rate: float, metric: str, method: str
) -> tuple[float, float] | None:
    """The paper's value and one unit of its last printed digit, or None where it printed none.

    Accuracies are in percent, as printed.
    """
    printed = PAPER_TABLE1.get((mechanism, round(rate, 4)), {}).get(metric, {}).get(method)
    if printed is None:
        return None
    decimals = len(printed.partition(".")[2])
    return float(printed), 10.0**-decimals
