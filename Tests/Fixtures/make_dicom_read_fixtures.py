#!/usr/bin/env python3
"""Makes Tests/Fixtures/dicom/MR_small_jpeg_baseline.dcm: a monochrome JPEG baseline (process 1,
1.2.840.10008.1.2.4.50) object, which neither Debian's pydicom test files nor pydicom-data have
(theirs are colour). Source: pydicom's MR_small.dcm (MIT), rescaled to 8 bits unsigned
(round(255 * (v - min) / (max - min))), written Explicit VR Little Endian by pydicom and
compressed by DCMTK's `dcmcjpeg +eb` (lossy, quality 90 default). Run with /usr/bin/python3.
The test compares DCMTK's decoding (via mri-daps) with pydicom's (GDCM or Pillow).
"""
import os
import subprocess
import tempfile

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dicom")
ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
v = ds.pixel_array.astype(np.float64)
u8 = np.round(255 * (v - v.min()) / (v.max() - v.min())).astype(np.uint8)
ds.BitsAllocated = ds.BitsStored = 8
ds.HighBit = 7
ds.PixelRepresentation = 0
for k in ("SmallestImagePixelValue", "LargestImagePixelValue", "WindowCenter", "WindowWidth"):
    if k in ds:
        del ds[k]
ds.PixelData = u8.tobytes()
ds["PixelData"].VR = "OB"
ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.is_little_endian, ds.is_implicit_VR = True, False
with tempfile.TemporaryDirectory() as t:
    raw = os.path.join(t, "raw.dcm")
    ds.save_as(raw, write_like_original=False)
    subprocess.run(["dcmcjpeg", "+eb", raw, os.path.join(here, "MR_small_jpeg_baseline.dcm")], check=True)
print("wrote", os.path.join(here, "MR_small_jpeg_baseline.dcm"))
