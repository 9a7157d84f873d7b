#!/usr/bin/env python3
"""Reads safetensors files with the reference library and prints what it sees, as JSON.

Used by CheckpointTests to check that files written by ablate open in Python:

    read_checkpoint.py FILE...
        prints [{"path", "keys", "metadata", "tensors": [{"name", "dtype", "shape", "sum", "bits"}]}]
        for each FILE, in order. "keys" and "metadata" come from safe_open (the metadata is null when
        the file has none); "tensors" from safetensors.numpy.load_file, sorted by name. "bits" are
        the float32 values as unsigned 32-bit patterns (row-major), to compare bit for bit; "sum" is
        their float64 sum, null when it is not finite.

    read_checkpoint.py --write-reference FILE
        writes a file with safetensors.numpy.save_file (see reference_tensors below), so that the
        test can check that ablate reads what the reference library writes.
"""
import json
import math
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def reference_tensors():
    return {
        "alpha": np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5),
        "beta.bias": np.array(-1.5, dtype=np.float32),
        "gamma": np.zeros((0, 3), dtype=np.float32),
        "delta.weight": np.array([[[1e-3, -2e30, 3.25, 0.0]]], dtype=np.float32),
    }


REFERENCE_METADATA = {"format": "reference", "text": "caf\u00e9 \"quoted\"\nsecond line"}


def finite_or_none(x):
    return x if math.isfinite(x) else None


def describe(path):
    with safe_open(path, framework="numpy") as f:
        keys = list(f.keys())
        metadata = f.metadata()
    tensors = load_file(path)
    return {
        "path": path,
        "keys": keys,
        "metadata": metadata,
        "tensors": [
            {
                "name": name,
                "dtype": str(array.dtype),
                "shape": list(array.shape),
                "sum": finite_or_none(float(array.astype(np.float64).sum())),
                "bits": [int(b) for b in np.ascontiguousarray(array).reshape(-1).view(np.uint32)],
            }
            for name, array in sorted(tensors.items())
        ],
    }


def main(argv):
    if len(argv) == 3 and argv[1] == "--write-reference":
        save_file(reference_tensors(), argv[2], metadata=REFERENCE_METADATA)
        return 0
    if len(argv) < 2 or argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    json.dump([describe(path) for path in argv[1:]], sys.stdout, allow_nan=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
