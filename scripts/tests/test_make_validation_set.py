"""Checks of scripts/make_validation_set.py (run: /usr/bin/python3 -m pytest -q scripts/tests).

Needs ../shared/data (skips without it). Builds one subject (IXI051, the smallest) twice.
"""
import os
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import make_validation_set as mvs  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")
pytestmark = pytest.mark.skipif(not os.path.isdir(DATA), reason="../shared/data is absent")


def build(tmp, name="IXI051", seed=0):
    out = os.path.join(tmp, f"s{seed}")
    paths = mvs.main(["--out", out, "--data", DATA, "--only", name, "--seed", str(seed)])
    assert paths == [os.path.join(out, name + ".h5")]
    return paths[0]


def test_deterministic_and_rss_target(tmp_path):
    a = build(str(tmp_path / "a"))
    b = build(str(tmp_path / "b"))
    c = build(str(tmp_path / "c"), seed=1)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb, h5py.File(c, "r") as fc:
        ka, kb, kc = fa["kspace"][()], fb["kspace"][()], fc["kspace"][()]
        assert ka.dtype == np.complex64 and ka.shape == (4, 8, 128, 128)
        assert np.array_equal(ka, kb), "same seed must give identical k-space"
        assert np.array_equal(fa["reconstruction_rss"][()], fb["reconstruction_rss"][()])
        assert not np.allclose(ka, kc), "another seed must change phase and noise"
        # fastMRI target = RSS of the centred orthonormal inverse FFT of the fully sampled k-space.
        rss = np.sqrt((np.abs(mvs.ifft2c(ka.astype(np.complex128))) ** 2).sum(1))
        target = fa["reconstruction_rss"][()]
        assert target.shape == (4, 128, 128)
        assert np.max(np.abs(rss - target)) <= 1e-5 * target.max()
        assert fa.attrs["acquisition"] == "AXT1" and fa.attrs["anatomy"] == "brain"
        assert "SIMULATED" in fa.attrs["simulated"] and "CC BY-SA" in fa.attrs["simulated"]
        assert list(fa.attrs["source_slices"]) == list(mvs.IXI_SLICES)
        hdr = fa["ismrmrd_header"][()].decode()
        assert "<x>128</x><y>128</y>" in hdr
        assert abs(fa.attrs["max"] - target.max()) <= 1e-6 * target.max()


def test_noise_level_matches_snr():
    """On a smooth blob (no energy in the k-space corners) the corner noise std is σ·1e-4 with
    σ = mean in-object |x| / SNR, the documented noise rule."""
    y, x = np.meshgrid(np.linspace(-1, 1, 64), np.linspace(-1, 1, 64), indexing="ij")
    blob = np.exp(-(x ** 2 + y ** 2) / 0.2)
    k, rss, sigmas = mvs.simulate([blob, 2 * blob], 64, 64, 4, snr=20.0, seed=3)
    for s in range(2):
        # the builder scales the volume (not each slice) to max 1
        mag = (blob if s == 0 else 2 * blob) / (2 * blob.max())
        expected = mag[mag > 0.1 * mag.max()].mean() / 20.0 * 1e-4
        assert abs(sigmas[s] - expected) <= 1e-9 * expected
        corner = k[s, :, :12, :12]
        measured = np.sqrt(np.mean(np.abs(corner) ** 2))
        assert abs(measured - expected) <= 0.1 * expected
