#!/usr/bin/env python3
"""How high could the regional Spearman of a DAPS run be? (issue 13's goal: ≥ 0.6)

    /usr/bin/python3 scripts/spearman_ceiling.py RECON.h5,TARGET.h5 [...] [--repeats 3] [--seed 0] [--json OUT]

For each slice of each reconstruction (`reconstruction`, `posterior_std`; the target's
`reconstruction_rss`, for single-coil files `reconstruction_esc`, and its simulated k-space
noise `noise_std` per slice) this prints, over the in-object pixels O exactly as
`mri-daps eval` scores (centre crop to W_t × W_t, O = target > 0.1 × the slice's target maximum;
both maps smoothed with a Gaussian of 2 pixels, `mode="nearest"`, `truncate=3`):

- **actual**: the regional Spearman of std and |x̂ − target| (what `eval` reports);
- **std alone**: the Spearman the same std map would reach if the error were exactly what it
  says, e = std · ξ with ξ white N(0, 1) (mean over `--repeats` draws of ξ): the ceiling of a
  perfectly calibrated std whose errors are spatially white;
- **std + target noise**: the same with the target's own noise added, e = a · std · ξ₁ + σ_t · ξ₂,
  σ_t = noise_std / √2 (the noise of the fully sampled RSS or magnitude target along the signal,
  unitary FFT), a fitted so that the mean e² over O equals the actual error's;
- **noise share**: σ_t² over the actual mean squared error over O.

The gap between "std + target noise" and "actual" is error the std does not see: structure the
draws agree on but the prior gets wrong (bias), or errors correlated over more than the smoothing.
Nothing here changes a reconstruction; it reads the files `scripts/evaluate.py` wrote.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibrate_uncertainty import OBJECT_THRESHOLD, centre_crop  # noqa: E402  (same folder, same crop and cut)

SMOOTHING = 2.0


def smooth(a):
    return gaussian_filter(np.asarray(a, dtype=np.float64), SMOOTHING, mode="nearest", truncate=3)


def regional_spearman(std, err, obj):
    return float(spearmanr(smooth(std)[obj], smooth(np.abs(err))[obj]).correlation)


def slice_figures(rec, std, target, noise_std, rng, repeats):
    """The four figures of one slice (see the module docstring)."""
    obj = target > OBJECT_THRESHOLD * target.max()
    err = rec - target
    actual = regional_spearman(std, err, obj)
    alone = np.mean([regional_spearman(std, std * rng.standard_normal(std.shape), obj) for _ in range(repeats)])
    sigma_t = noise_std / np.sqrt(2)
    e2 = float(np.mean(err[obj] ** 2))
    s2 = float(np.mean(std[obj] ** 2))
    a = np.sqrt(max(0.0, (e2 - sigma_t ** 2) / s2)) if s2 > 0 else 0.0
    with_noise = np.mean([regional_spearman(std, a * std * rng.standard_normal(std.shape)
                                            + sigma_t * rng.standard_normal(std.shape), obj)
                          for _ in range(repeats)])
    return {"actual": actual, "stdAlone": float(alone), "stdWithTargetNoise": float(with_noise),
            "noiseShare": min(1.0, sigma_t ** 2 / e2) if e2 > 0 else 0.0, "objectPixels": int(obj.sum())}


def analyse(rec_path, target_path, rng, repeats):
    with h5py.File(target_path, "r") as f:
        name = "reconstruction_esc" if "reconstruction_esc" in f else "reconstruction_rss"
        if name not in f or "noise_std" not in f.attrs:
            sys.exit(f"spearman_ceiling: {target_path}: needs a reconstruction_rss or reconstruction_esc target and "
                     "the noise_std attribute of a simulated file")
        target = f[name][()]
        noise = np.atleast_1d(f.attrs["noise_std"]).astype(np.float64)
    with h5py.File(rec_path, "r") as f:
        if "reconstruction" not in f or "posterior_std" not in f:
            sys.exit(f"spearman_ceiling: {rec_path}: no reconstruction and posterior_std (not a DAPS reconstruction)")
        rec = f["reconstruction"][()]
        std = f["posterior_std"][()]
    side, w = min(target.shape[-2:]), target.shape[-1]
    target, rec, std = (centre_crop(x, side, w) for x in (target, rec, std))
    if rec.shape != target.shape:
        sys.exit(f"spearman_ceiling: {rec_path}: shape {rec.shape} does not match {target_path}'s {target.shape}")
    rows = []
    for i in range(target.shape[0]):
        row = slice_figures(rec[i], std[i], target[i], noise[min(i, len(noise) - 1)], rng, repeats)
        rows.append(dict(row, reconstruction=rec_path, target=target_path, slice=i))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="+", metavar="RECON.h5,TARGET.h5")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write every row here")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    rows = []
    for pair in a.pairs:
        rec, sep, tgt = pair.partition(",")
        if not sep:
            sys.exit(f"spearman_ceiling: {pair}: expected RECON.h5,TARGET.h5")
        for p in (rec, tgt):
            if not os.path.isfile(p):
                sys.exit(f"spearman_ceiling: {p}: no such file")
        rows += analyse(rec, tgt, rng, a.repeats)
    print("| reconstruction | slice | actual | ceiling: std alone | ceiling: std + target noise | noise share |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        label = os.path.join(*r["reconstruction"].split(os.sep)[-3:])
        print(f"| {label} | {r['slice']} | {r['actual']:.2f} | {r['stdAlone']:.2f} | "
              f"{r['stdWithTargetNoise']:.2f} | {r['noiseShare']:.2f} |")
    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rows, f, indent=1)
        os.replace(tmp, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
