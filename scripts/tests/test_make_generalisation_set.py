"""Checks of scripts/make_generalisation_set.py (run: /usr/bin/python3 -m pytest -q scripts/tests)."""
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import make_generalisation_set as mgs  # noqa: E402
import make_validation_set as mvs  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")


def test_coil_maps_surround_the_object():
    obj = np.zeros((64, 48))
    obj[20:44, 14:34] = 1
    maps = mgs.coil_maps(obj, 8)
    rss = np.sqrt((np.abs(maps) ** 2).sum(0))
    assert maps.shape == (8, 64, 48) and abs(rss.max() - 1) < 1e-12
    # each element is strongest outside the object, on its own side
    peaks = [np.unravel_index(np.argmax(np.abs(m)), m.shape) for m in maps]
    assert len(set(peaks)) == 8
    assert mgs.coil_maps(obj, 1).shape == (1, 64, 48) and np.all(mgs.coil_maps(obj, 1) == 1)


@pytest.mark.skipif(not os.path.isdir(DATA), reason="../shared/data is absent")
def test_fastmri_geometry_single_and_multi_coil(tmp_path):
    mgs.main(["--out", str(tmp_path), "--data", DATA, "--only", "knee21-sc-snr40", "dess1-c8-snr15"])
    with h5py.File(tmp_path / "knee21-sc-snr40.h5", "r") as f:
        k, esc = f["kspace"][()], f["reconstruction_esc"][()]
        assert k.shape == (1, 640, 368) and esc.shape == (1, 320, 320) and "reconstruction_rss" not in f
        img = np.abs(mvs.ifft2c(k[0].astype(np.complex128)))[160:480, 24:344]
        np.testing.assert_allclose(esc[0], img, rtol=1e-4, atol=1e-6 * img.max())
        assert f.attrs["coils"] == 1 and f.attrs["set"] == "generalisation"
        hdr = ET.fromstring(f["ismrmrd_header"][()].decode())
        ns = {"m": "http://www.ismrm.org/ISMRMRD"}
        assert hdr.find("m:encoding/m:encodedSpace/m:matrixSize/m:x", ns).text == "640"
        assert hdr.find("m:encoding/m:reconSpace/m:matrixSize/m:y", ns).text == "320"
    with h5py.File(tmp_path / "dess1-c8-snr15.h5", "r") as f:
        k, rss = f["kspace"][()], f["reconstruction_rss"][()]
        assert k.shape == (2, 8, 640, 368) and rss.shape == (2, 320, 320)
        # the knee reaches into the readout oversampling: signal outside the central 320 rows
        img = np.sqrt((np.abs(mvs.ifft2c(k[0].astype(np.complex128))) ** 2).sum(0))
        assert img[100:160].mean() > 0.1 * img[160:480].mean()
        # SNR 15: the noise σ recorded is 1/15 of the mean in-object magnitude (×1e-4 scaling)
        assert f.attrs["snr"] == 15 and f.attrs["noise_std"].shape == (2,)
