#!/usr/bin/python3
"""Reference column sets for the deterministic fastMRI masks.

Reimplements `EquiSpacedMaskFunc` and `EquispacedMaskFractionFunc` from fastMRI
`fastmri/data/subsample.py` (facebookresearch/fastMRI) in plain NumPy, for explicit offsets,
and writes Tests/Fixtures/masks/deterministic_masks.json. Also records Python's
round(W * cf) (half to even) for widths where the product lands on .5.

Run: /usr/bin/python3 Tests/Fixtures/make_mask_fixtures.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "masks")


def center_mask(num_cols, num_low):
    # MaskFunc.calculate_center_mask
    mask = np.zeros(num_cols, dtype=np.float32)
    pad = (num_cols - num_low + 1) // 2
    mask[pad:pad + num_low] = 1
    return mask


def equispaced(num_cols, acceleration, center_fraction, offset):
    # MaskFunc.sample_mask + EquiSpacedMaskFunc.calculate_acceleration_mask
    num_low = round(num_cols * center_fraction)
    accel = np.zeros(num_cols, dtype=np.float32)
    accel[offset::acceleration] = 1
    return num_low, np.maximum(center_mask(num_cols, num_low), accel)


def equispaced_fraction(num_cols, acceleration, center_fraction, offset):
    # MaskFunc.sample_mask + EquispacedMaskFractionFunc.calculate_acceleration_mask
    num_low = round(num_cols * center_fraction)
    adjusted_accel = (acceleration * (num_low - num_cols)) / (num_low * acceleration - num_cols)
    accel = np.zeros(num_cols)
    accel_samples = np.arange(offset, num_cols - 1, adjusted_accel)
    accel_samples = np.around(accel_samples).astype(np.uint)
    accel[accel_samples] = 1.0
    return num_low, adjusted_accel, np.maximum(center_mask(num_cols, num_low), accel)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    # (W, acceleration, center fraction): standard knee/brain pairs, odd widths, small widths.
    configs = [
        (368, 4, 0.08), (368, 8, 0.04), (320, 4, 0.08), (320, 8, 0.04),
        (369, 4, 0.08), (371, 6, 0.06), (217, 3, 0.1), (37, 3, 0.1), (15, 2, 0.2), (640, 8, 0.04),
    ]
    for (w, acc, cf) in configs:
        for offset in range(acc):
            num_low, m = equispaced(w, acc, cf, offset)
            cases.append(dict(kind="equispaced", width=w, acceleration=float(acc), centerFraction=cf,
                              offset=offset, numLow=int(num_low), columns=[int(i) for i in np.flatnonzero(m)]))
    fraction_configs = configs + [(368, 2.5, 0.1), (333, 5, 0.05)]
    for (w, acc, cf) in fraction_configs:
        num_low = round(w * cf)
        adjusted = (acc * (num_low - w)) / (num_low * acc - w)
        for offset in range(round(adjusted)):
            num_low, adj, m = equispaced_fraction(w, acc, cf, offset)
            cases.append(dict(kind="equispaced-fraction", width=w, acceleration=float(acc), centerFraction=cf,
                              offset=offset, numLow=int(num_low), adjustedSpacing=adj,
                              columns=[int(i) for i in np.flatnonzero(m)]))
    rounding = []
    for (w, cf) in [(10, 0.25), (14, 0.25), (26, 0.25), (30, 0.25), (25, 0.1), (15, 0.1), (35, 0.1),
                    (50, 0.05), (368, 0.08), (368, 0.04), (320, 0.08), (320, 0.04), (372, 0.125), (396, 0.125)]:
        rounding.append(dict(width=w, centerFraction=cf, numLow=round(w * cf),
                             centerStart=(w - round(w * cf) + 1) // 2))
    with open(os.path.join(OUT, "deterministic_masks.json"), "w") as f:
        json.dump(dict(generator="make_mask_fixtures.py", numpy=np.__version__, cases=cases, rounding=rounding),
                  f, separators=(",", ":"))
    # Headline counts quoted in REFERENCE.md §3 (W = 368, 4x / 0.08).
    print("equispaced offsets 0..3:", [len(c["columns"]) for c in cases
                                       if c["kind"] == "equispaced" and c["width"] == 368 and c["acceleration"] == 4])
    print("equispaced-fraction offsets:", [len(c["columns"]) for c in cases
                                           if c["kind"] == "equispaced-fraction" and c["width"] == 368
                                           and c["acceleration"] == 4])
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
