"""Checks of scripts/calibrate_uncertainty.py on synthetic files with a known error/std law
(run: /usr/bin/python3 -m pytest -q scripts/tests; no data or binary needed)."""
import json
import os
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import calibrate_uncertainty as cu  # noqa: E402


def write_pair(root, name, rng, ratio_scale, k_used, protocol="knee-4x", crop_pad=8):
    """Target (1 slice, H × W) and a reconstruction whose in-object |error| / raw std is
    |N(0, ratio_scale²)|; the reconstruction is wider than the target's W and is cropped."""
    h, w = 32, 24
    target = np.zeros((1, h, w), np.float32)
    target[0, 4:28, 4:20] = 1.0                         # the object; background 0 (left out)
    raw_std = rng.uniform(0.01, 0.05, (1, h, w + crop_pad)).astype(np.float32)
    rec = np.zeros((1, h, w + crop_pad), np.float32)
    inner = rec[:, :, crop_pad // 2: crop_pad // 2 + w]
    err = rng.standard_normal((1, h, w)).astype(np.float32) * ratio_scale * raw_std[:, :, crop_pad // 2: crop_pad // 2 + w]
    inner[...] = target + err
    os.makedirs(os.path.join(root, "validation"), exist_ok=True)
    d = os.path.join(root, "eval", "recon", "4x", "daps-fast")
    os.makedirs(d, exist_ok=True)
    with h5py.File(os.path.join(root, "validation", name), "w") as f:
        f["reconstruction_rss"] = target
    with h5py.File(os.path.join(d, name), "w") as f:
        f["reconstruction"] = rec
        f["posterior_std"] = raw_std * k_used
        f.attrs["protocol"] = protocol
        f.attrs["uncertainty_scale"] = k_used


def test_fit_recovers_the_scale_and_undoes_the_recorded_factor(tmp_path):
    """|error| = 2.5·std·|N(0,1)|: the 0.95 quantile of |error|/std is 2.5·1.96, so k = 2.5 —
    whatever factor the run had already applied (recorded in uncertainty_scale) — and the
    leave-one-file-out coverage is ≈ 0.95 for every file."""
    rng = np.random.default_rng(0)
    for i, k_used in enumerate([1.0, 3.0, 0.5]):
        write_pair(str(tmp_path), f"f{i}.h5", rng, 2.5, k_used)
    out = tmp_path / "cal.json"
    protocols = tmp_path / "protocols"
    protocols.mkdir()
    (protocols / "knee-4x.json").write_text(json.dumps({"name": "knee-4x", "notes": "kept"}))
    rc = cu.main([str(tmp_path / "eval"), "--validation", str(tmp_path / "validation"), "--json", str(out),
                  "--write-protocols", str(protocols)])
    assert rc == 0
    rows = json.loads(out.read_text())["protocols"]
    assert len(rows) == 1 and rows[0]["protocol"] == "knee-4x" and rows[0]["files"] == 3
    # 3 × 384 object pixels: the 0.95 quantile of |N(0,1)| (1.96) is estimated to ≈ ±4 %.
    assert abs(rows[0]["k"] - 2.5) < 0.15, rows[0]
    assert abs(rows[0]["coverage_in_sample"] - 0.95) < 0.002
    assert rows[0]["coverage_raw"] < 0.6                 # P(|N| ≤ 1.96/2.5) ≈ 0.57
    for held in rows[0]["leave_one_file_out"]:
        assert 0.9 < held["coverage"] < 0.99, held
    written = json.loads((protocols / "knee-4x.json").read_text())
    assert written["uncertainty_scale"] == round(rows[0]["k"], 2) and written["notes"] == "kept"


def test_coverage_counts_the_interval_edges():
    r = np.array([0.5, 1.0, 1.96, 2.0, 5.0])
    assert cu.coverage(r, 1.0) == 0.6
    assert cu.fit(np.linspace(0, 1.96 * 3, 10001), 0.95) == pytest.approx(3 * 0.95, rel=1e-3)



def test_two_evaluations_pool_per_protocol(tmp_path):
    """Two evaluation folders, each with its own validation folder: the files of both count for
    the protocol's k (here 2 + 2 files, ratio scale 2.5), and a missing pairing is refused."""
    rng = np.random.default_rng(1)
    for i in range(2):
        write_pair(str(tmp_path / "a"), f"a{i}.h5", rng, 2.5, 1.0)
        write_pair(str(tmp_path / "b"), f"b{i}.h5", rng, 2.5, 2.0)
    out = tmp_path / "cal.json"
    rc = cu.main([str(tmp_path / "a" / "eval"), str(tmp_path / "b" / "eval"), "--validation",
                  str(tmp_path / "a" / "validation"), str(tmp_path / "b" / "validation"), "--json", str(out)])
    assert rc == 0
    rows = json.loads(out.read_text())["protocols"]
    assert rows[0]["files"] == 4 and abs(rows[0]["k"] - 2.5) < 0.15, rows[0]
    assert {h["file"] for h in rows[0]["leave_one_file_out"]} == {"a0.h5", "a1.h5", "b0.h5", "b1.h5"}
    with pytest.raises(SystemExit, match="one --validation folder per evaluation"):
        cu.main([str(tmp_path / "a" / "eval"), str(tmp_path / "b" / "eval"), "--validation", str(tmp_path / "a" / "validation")])
