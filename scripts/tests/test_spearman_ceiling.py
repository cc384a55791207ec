"""Checks of scripts/spearman_ceiling.py on synthetic files whose error law is known
(run: /usr/bin/python3 -m pytest -q scripts/tests; no data or binary needed)."""
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import spearman_ceiling as sc  # noqa: E402


def write(root, rng, error, noise_std=0.0, size=96):
    """A target filling the matrix, a std map with regional structure, and a reconstruction
    target + error(std) (one slice); returns the RECON,TARGET argument."""
    y, x = np.mgrid[0:size, 0:size] / size
    target = (1 + 0.5 * np.sin(6 * x) * np.cos(4 * y))[None].astype(np.float32)
    std = (0.02 + 0.05 * np.exp(-((x - 0.3) ** 2 + (y - 0.6) ** 2) / 0.02)
           + 0.03 * np.exp(-((x - 0.7) ** 2 + (y - 0.3) ** 2) / 0.05))[None].astype(np.float32)
    rec = target + error(std, rng).astype(np.float32)
    t, r = os.path.join(root, "target.h5"), os.path.join(root, "recon.h5")
    with h5py.File(t, "w") as f:
        f["reconstruction_rss"] = target
        f.attrs["noise_std"] = np.array([noise_std])
    with h5py.File(r, "w") as f:
        f["reconstruction"] = rec
        f["posterior_std"] = std
    return f"{r},{t}"


def run(tmp_path, pair):
    out = tmp_path / "rows.json"
    assert sc.main([pair, "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 1
    return rows[0]


def test_errors_drawn_from_the_std_reach_the_ceiling(tmp_path):
    """e = std·ξ: the actual Spearman is itself a draw of the 'std alone' ceiling, so the two
    agree closely, and with regional structure in the std both are high."""
    row = run(tmp_path, write(str(tmp_path), np.random.default_rng(1), lambda s, rng: s * rng.standard_normal(s.shape)))
    assert row["stdAlone"] > 0.8, row
    assert abs(row["actual"] - row["stdAlone"]) < 0.05, row
    assert row["noiseShare"] == 0.0


def test_errors_the_std_does_not_see_fall_below_it(tmp_path):
    """e independent of the std (a smooth bias elsewhere): actual near 0, the ceiling unchanged."""
    def bias(s, rng):
        y, x = np.mgrid[0:s.shape[1], 0:s.shape[2]] / s.shape[1]
        return (0.1 * np.exp(-((x - 0.8) ** 2 + (y - 0.8) ** 2) / 0.01))[None] * rng.choice([-1, 1], s.shape)
    row = run(tmp_path, write(str(tmp_path), np.random.default_rng(2), bias))
    assert row["stdAlone"] > 0.8, row
    assert row["actual"] < 0.3, row


def test_target_noise_lowers_the_noisy_ceiling_and_is_counted(tmp_path):
    """e = std·ξ₁ + σ_t·ξ₂ with σ_t = noise_std/√2 ≈ the mean std: the noise share is ≈ half
    the error energy, and the ceiling with the noise is below the one without."""
    sigma_t = 0.04
    row = run(tmp_path, write(str(tmp_path), np.random.default_rng(3),
                              lambda s, rng: s * rng.standard_normal(s.shape) + sigma_t * rng.standard_normal(s.shape),
                              noise_std=sigma_t * np.sqrt(2)))
    assert 0.3 < row["noiseShare"] < 0.7, row
    assert row["stdWithTargetNoise"] < row["stdAlone"] - 0.05, row
    assert abs(row["actual"] - row["stdWithTargetNoise"]) < 0.1, row
