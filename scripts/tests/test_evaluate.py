"""Checks of scripts/evaluate.py (run: /usr/bin/python3 -m pytest -q scripts/tests).

The end-to-end check needs ../shared/data and a built mri-daps (.build/debug or .build/release);
it runs only the zero-filled method on one slice, plus a variant that must fail without
stopping the run. The .cfl check needs bart.
"""
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import evaluate as ev  # noqa: E402
import make_validation_set as mvs  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")


@pytest.mark.skipif(shutil.which("bart") is None, reason="bart is not installed")
def test_cfl_layout_matches_bart(tmp_path):
    """The (H, W, 1, coils) .cfl written for bart pics is what bart reads: bart's centred
    unitary inverse FFT of it equals NumPy's ifft2c per coil."""
    rng = np.random.default_rng(0)
    k = (rng.standard_normal((3, 10, 6)) + 1j * rng.standard_normal((3, 10, 6))).astype(np.complex64)
    ev.write_cfl(str(tmp_path / "ksp"), np.transpose(k, (1, 2, 0))[:, :, None, :])
    subprocess.run(["bart", "fft", "-u", "-i", "3", "ksp", "img"], cwd=tmp_path, check=True, capture_output=True)
    img = ev.read_cfl(str(tmp_path / "img")).reshape(10, 6, 3, order="F")
    ref = mvs.ifft2c(k.astype(np.complex128))
    assert np.max(np.abs(np.transpose(img, (2, 0, 1)) - ref)) < 1e-5 * np.abs(ref).max()


@pytest.mark.skipif(not os.path.isdir(DATA), reason="../shared/data is absent")
def test_end_to_end_zero_filled_and_failing_variant(tmp_path):
    binary = ev.default_binary()
    if not os.path.exists(binary):
        pytest.skip("mri-daps is not built")
    val = tmp_path / "val"
    mvs.main(["--out", str(val), "--data", DATA, "--only", "IXI051"])
    out = tmp_path / "ev"
    rc = ev.main([str(val), "--out", str(out), "--accels", "4", "--max-slices", "1", "--methods", "zero-filled",
                  "--no-bart", "--daps", "broken:--method no-such-method --protocol {anatomy}-{accel}x"])
    assert rc == 0, "a failing variant must not fail the run"
    res = json.load(open(out / "results.json"))
    runs = {r["method"]: r for r in res["runs"]}
    assert runs["broken"]["status"] == "failed" and "no-such-method" in runs["broken"]["error"]
    zf = runs["zero-filled"]
    assert zf["status"] == "ok" and zf["slices"] == 1 and zf["coverage"] is None
    # Recompute PSNR of the written reconstruction against the target (fastMRI: data range = target max).
    with h5py.File(zf["reconstruction"], "r") as r, h5py.File(val / "IXI051.h5", "r") as t:
        rec, gt = r["reconstruction"][()], t["reconstruction_rss"][:1]
    psnr = 10 * np.log10(gt.max() ** 2 / np.mean((rec.astype(np.float64) - gt) ** 2))
    assert abs(psnr - zf["psnr"]) < 1e-3
    mask = res["masks"][0]
    assert mask["mask"] == "equispaced" and mask["numLowFrequencies"] == 10  # round(128 · 0.08)
    md = open(out / "results.md").read()
    assert "### brain, 4×" in md and "| zero-filled (RSS) |" in md and "| broken | failed |" in md


def test_best_lambda_and_margins():
    """best_of picks the λ with the highest volume PSNR per family; margins compare a variant
    with it volume by volume and slice by slice."""
    base = {"file": "a.h5", "anatomy": "knee", "accel": 4.0, "slices": 2, "status": "ok", "ssim": 0.8}
    l1 = [dict(base, method="l1-wavelet@0.001", psnr=30.0, slicePSNR=[29.0, 31.0]),
          dict(base, method="l1-wavelet@0.01", psnr=31.0, slicePSNR=[32.0, 30.0]),
          dict(base, method="l1-wavelet@0.1", status="failed")]
    tv = [dict(base, method="bart-tv@0.003", psnr=29.0, slicePSNR=[29.0, 29.0])]
    best = ev.best_of(l1 + tv, ["l1-best", "tv-best"])
    assert [b["method"] for b in best] == ["l1-best", "tv-best"]
    assert best[0]["chosenLambda"] == 0.01 and best[0]["psnr"] == 31.0 and best[1]["chosenLambda"] == 0.003
    daps = dict(base, method="daps", psnr=31.6, ssim=0.85, slicePSNR=[32.1, 31.1])
    rows = ev.margins(l1 + tv + best + [daps], ["daps"], ["l1-best", "tv-best"])
    m = {r["versus"]: r for r in rows}
    assert abs(m["l1-best"]["dPSNR"] - 0.6) < 1e-12 and abs(m["l1-best"]["dSSIM"] - 0.05) < 1e-12
    assert abs(m["l1-best"]["worstSliceDPSNR"] - 0.1) < 1e-12  # slice by slice: +0.1, +1.1
    assert abs(m["tv-best"]["worstSliceDPSNR"] - 2.1) < 1e-12
    assert "| knee | 4× | daps | l1-best | 1 | +0.60 |" in ev.margin_markdown(rows)


@pytest.mark.skipif(not os.path.isdir(DATA), reason="../shared/data is absent")
def test_reuse_takes_scored_records(tmp_path):
    binary = ev.default_binary()
    if not os.path.exists(binary):
        pytest.skip("mri-daps is not built")
    val = tmp_path / "val"
    mvs.main(["--out", str(val), "--data", DATA, "--only", "IXI051"])
    first = tmp_path / "a"
    assert ev.main([str(val), "--out", str(first), "--accels", "4", "--max-slices", "1", "--methods", "zero-filled",
                    "--no-bart"]) == 0
    old = json.load(open(first / "results.json"))["runs"][0]
    second = tmp_path / "b"
    assert ev.main([str(val), "--out", str(second), "--accels", "4", "--max-slices", "1", "--methods", "zero-filled",
                    "--no-bart", "--reuse", str(first / "results.json")]) == 0
    new = json.load(open(second / "results.json"))["runs"][0]
    assert new["reusedFrom"] == str(first / "results.json") and new["psnr"] == old["psnr"]
    assert not (second / "recon").exists()  # nothing was reconstructed again
