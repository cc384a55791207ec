#!/usr/bin/python3
"""Writes the tiny fastMRI-layout HDF5, ISMRMRD XML and BART .cfl fixtures for MRIIOTests.

Run with Debian's interpreter (numpy + h5py from python3-numpy / python3-h5py):
    /usr/bin/python3 Tests/Fixtures/make_io_fixtures.py
Outputs go to Tests/Fixtures/io/. Values follow closed formulas so the Swift tests check them
exactly:
    kspace[s, c, h, w] = complex(v, -0.5 * v - 0.25),  v = s*10000 + c*1000 + h*10 + w
    single-coil kspace[s, h, w] = same formula with c = 0
    target[s, h, w]    = s*100 + h*8 + w + 0.5      (reconstruction_rss, 8x8)
    target_esc          = 2 * target
    cfl (BART dims 4,3,1,2): element (x, y, 0, c) = complex(x + 10*y + 100*c, -(x + 10*y + 100*c))
"""
import os

import h5py
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:schemaLocation="http://www.ismrm.org/ISMRMRD ismrmrd.xsd">
  <studyInformation>
    <studyTime>10:15:00</studyTime>
  </studyInformation>
  <measurementInformation>
    <measurementID>45167_17425454_17425459_1234</measurementID>
    <patientPosition>FFS</patientPosition>
    <protocolName>COR PD FBK</protocolName>
    <frameOfReferenceUID>1.3.12.2.1107.5.2.19.45167.1.20180101000000000.0.0.0</frameOfReferenceUID>
  </measurementInformation>
  <acquisitionSystemInformation>
    <systemVendor>SIEMENS</systemVendor>
    <systemModel>Skyra</systemModel>
    <systemFieldStrength_T>2.89362</systemFieldStrength_T>
    <relativeReceiverNoiseBandwidth>0.793</relativeReceiverNoiseBandwidth>
    <receiverChannels>15</receiverChannels>
    <coilLabel>
      <coilNumber>24</coilNumber>
      <coilName>Knee_8:1:KA</coilName>
    </coilLabel>
    <institutionName>NYU &amp; Partners</institutionName>
  </acquisitionSystemInformation>
  <experimentalConditions>
    <H1resonanceFrequency_Hz>123250465</H1resonanceFrequency_Hz>
  </experimentalConditions>
  <encoding>
    <encodedSpace>
      <matrixSize>
        <x>12</x>
        <y>10</y>
        <z>1</z>
      </matrixSize>
      <fieldOfView_mm>
        <x>280</x>
        <y>140.5</y>
        <z>4.5</z>
      </fieldOfView_mm>
    </encodedSpace>
    <reconSpace>
      <matrixSize>
        <x>8</x>
        <y>8</y>
        <z>1</z>
      </matrixSize>
      <fieldOfView_mm>
        <x>140</x>
        <y>140</y>
        <z>3</z>
      </fieldOfView_mm>
    </reconSpace>
    <encodingLimits>
      <kspace_encoding_step_1>
        <minimum>0</minimum>
        <maximum>7</maximum>
        <center>4</center>
      </kspace_encoding_step_1>
      <kspace_encoding_step_2>
        <minimum>0</minimum>
        <maximum>0</maximum>
        <center>0</center>
      </kspace_encoding_step_2>
      <slice>
        <minimum>0</minimum>
        <maximum>1</maximum>
        <center>0</center>
      </slice>
    </encodingLimits>
    <trajectory>cartesian</trajectory>
    <parallelImaging>
      <accelerationFactor>
        <kspace_encoding_step_1>1</kspace_encoding_step_1>
        <kspace_encoding_step_2>1</kspace_encoding_step_2>
      </accelerationFactor>
    </parallelImaging>
  </encoding>
  <sequenceParameters>
    <TR>2750</TR>
    <TE>27</TE>
    <TI>100</TI>
    <flipAngle_deg>160</flipAngle_deg>
    <sequence_type>TurboSpinEcho</sequence_type>
    <echo_spacing>13.5</echo_spacing>
  </sequenceParameters>
  <userParameters>
    <userParameterLong>
      <name>EchoTrainLength</name>
      <value>4</value>
    </userParameterLong>
  </userParameters>
</ismrmrdHeader>
"""

# Only the encoding (fields elsewhere absent): everything else must read back as nil.
HEADER_SPARSE = """<?xml version="1.0"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD">
  <encoding>
    <encodedSpace><matrixSize><x>640</x><y>368</y><z>1</z></matrixSize></encodedSpace>
    <encodingLimits>
      <kspace_encoding_step_1><minimum>0</minimum><maximum>365</maximum><center>183</center></kspace_encoding_step_1>
    </encodingLimits>
    <trajectory>cartesian</trajectory>
  </encoding>
</ismrmrdHeader>
"""


def kspace_values(slices, coils, h, w):
    s, c, y, x = np.meshgrid(np.arange(slices), np.arange(coils), np.arange(h), np.arange(w), indexing="ij")
    v = (s * 10000 + c * 1000 + y * 10 + x).astype(np.float64)
    return (v + 1j * (-0.5 * v - 0.25)).astype(np.complex64)


def target_values(slices, h, w):
    s, y, x = np.meshgrid(np.arange(slices), np.arange(h), np.arange(w), indexing="ij")
    return (s * 100 + y * 8 + x + 0.5).astype(np.float32)


def path(name):
    return os.path.join(HERE, name)


def main():
    os.makedirs(HERE, exist_ok=True)
    with open(path("ismrmrd_header.xml"), "w") as f:
        f.write(HEADER)
    with open(path("ismrmrd_header_sparse.xml"), "w") as f:
        f.write(HEADER_SPARSE)

    # Multi-coil train layout: 2 slices, 3 coils, 12 x 10.
    k = kspace_values(2, 3, 12, 10)
    t = target_values(2, 8, 8)
    with h5py.File(path("multicoil_train.h5"), "w") as f:
        f.create_dataset("kspace", data=k)
        f.create_dataset("reconstruction_rss", data=t)
        f.create_dataset("ismrmrd_header", data=np.bytes_(HEADER.encode()))
        f.attrs["acquisition"] = "CORPD_FBK"
        f.attrs["max"] = np.float64(t.max())
        f.attrs["norm"] = np.float64(np.linalg.norm(t))
        f.attrs["patient_id"] = "a1b2c3d4e5"
        f.attrs["custom_int"] = np.int64(7)
        f.attrs["custom_str"] = "hello"

    # Single-coil train layout: kspace (slices, H, W), both targets.
    ks = kspace_values(2, 1, 12, 10)[:, 0]
    with h5py.File(path("singlecoil_train.h5"), "w") as f:
        f.create_dataset("kspace", data=ks)
        f.create_dataset("reconstruction_esc", data=2 * t)
        f.create_dataset("reconstruction_rss", data=t)
        f.create_dataset("ismrmrd_header", data=np.bytes_(HEADER.encode()))
        f.attrs["acquisition"] = "CORPDFS_FBK"
        f.attrs["max"] = np.float64(2 * t.max())

    # Test layout: masked kspace, bool mask, acceleration / num_low_frequency.
    mask = np.zeros(10, dtype=bool)
    mask[[0, 4, 5, 8]] = True
    kt = kspace_values(1, 3, 12, 10) * mask[None, None, None, :]
    with h5py.File(path("multicoil_test.h5"), "w") as f:
        f.create_dataset("kspace", data=kt.astype(np.complex64))
        f.create_dataset("mask", data=mask)
        f.create_dataset("ismrmrd_header", data=np.bytes_(HEADER.encode()))
        f.attrs["acceleration"] = 4
        f.attrs["num_low_frequency"] = 2
        f.attrs["acquisition"] = "CORPD_FBK"

    # Mask stored as uint8 and float32 (other writers do this); tiny complex128 kspace.
    small_mask = np.array([1, 0, 1, 1, 0, 1], dtype=np.uint8)
    for name, m in [("mask_uint8.h5", small_mask), ("mask_float32.h5", small_mask.astype(np.float32))]:
        with h5py.File(path(name), "w") as f:
            f.create_dataset("kspace", data=kspace_values(1, 1, 4, 6))
            f.create_dataset("mask", data=m)
    with h5py.File(path("complex128.h5"), "w") as f:
        f.create_dataset("kspace", data=kspace_values(1, 2, 4, 6).astype(np.complex128))

    # Bad files.
    with open(path("not_hdf5.h5"), "w") as f:
        f.write("this is a text file, not HDF5\n")
    with h5py.File(path("no_kspace.h5"), "w") as f:
        f.create_dataset("image", data=np.zeros((2, 4, 4), np.float32))
    with h5py.File(path("wrong_rank.h5"), "w") as f:
        f.create_dataset("kspace", data=kspace_values(1, 1, 4, 6)[0, 0])
    with h5py.File(path("real_kspace.h5"), "w") as f:
        f.create_dataset("kspace", data=np.zeros((1, 2, 4, 6), np.float32))
    with h5py.File(path("mask_wrong_length.h5"), "w") as f:
        f.create_dataset("kspace", data=kspace_values(1, 3, 12, 10))
        f.create_dataset("mask", data=np.ones(7, dtype=bool))
    with h5py.File(path("zero_coils.h5"), "w") as f:
        f.create_dataset("kspace", data=np.zeros((1, 0, 4, 6), np.complex64))
    knan = kspace_values(2, 2, 4, 6)
    knan[1, 1, 2, 3] = np.nan + 0j
    with h5py.File(path("nan_kspace.h5"), "w") as f:
        f.create_dataset("kspace", data=knan)
    with h5py.File(path("bad_header.h5"), "w") as f:
        f.create_dataset("kspace", data=kspace_values(1, 1, 4, 6))
        f.create_dataset("ismrmrd_header", data=np.bytes_(b"<ismrmrdHeader><encoding>"))

    # BART .cfl/.hdr with dims (4, 3, 1, 2): column-major, dim 0 fastest.
    x, y, c = np.meshgrid(np.arange(4), np.arange(3), np.arange(2), indexing="ij")
    v = (x + 10 * y + 100 * c).astype(np.float32)
    arr = (v - 1j * v).astype(np.complex64).reshape(4, 3, 1, 2)
    arr.ravel(order="F").astype("<c8").tofile(path("formula.cfl"))
    with open(path("formula.hdr"), "w") as f:
        f.write("# Dimensions\n4 3 1 2 1 1 1 1 1 1 1 1 1 1 1 1 \n")
    # Malformed header, truncated data.
    arr.ravel(order="F").astype("<c8").tofile(path("bad_header.cfl"))
    with open(path("bad_header.hdr"), "w") as f:
        f.write("# Dims\n4 3 x 2\n")
    arr.ravel(order="F").astype("<c8")[:-1].tofile(path("truncated.cfl"))
    with open(path("truncated.hdr"), "w") as f:
        f.write("# Dimensions\n4 3 1 2 1 1 1 1 1 1 1 1 1 1 1 1 \n")
    arr.ravel(order="F").astype("<c8").tofile(path("no_header.cfl"))


if __name__ == "__main__":
    main()
