"""Read arrays back from a figure dict: Plotly serialises numpy arrays as base64 typed arrays."""

from __future__ import annotations

import base64

import numpy as np


def values(array) -> np.ndarray:
    """A trace's ``x``/``y``/``z`` as a numpy array, whether a list or ``{"dtype", "bdata", "shape"}``."""
    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        shape = array.get("shape")
        if shape:
            dims = [int(part) for part in str(shape).replace("(", "").replace(")", "").split(",") if part.strip()]
            data = data.reshape(dims)
        return data
    return np.asarray(array, dtype=object)
