#!/usr/bin/python3
"""Builds SampleData/brain_colin27_8coil.h5, a small fastMRI-layout multi-coil brain file.

Source image: the Colin27 "ch2" T1 template from Debian's `mricron-data` package
(/usr/share/mricron/templates/ch2.nii.gz, BSD-3-clause, Chris Rorden / MRIcron).
Everything else is SIMULATED: 8 birdcage-like coil sensitivities, a smooth object phase and
complex Gaussian k-space noise. Run: /usr/bin/python3 SampleData/make_sample.py
Needs: python3-numpy, python3-h5py, python3-nibabel, mricron-data (Debian).
"""
import os
import sys

import h5py
import nibabel as nib
import numpy as np

SRC = "/usr/share/mricron/templates/ch2.nii.gz"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "brain_colin27_8coil.h5")
H, W, COILS = 224, 192, 8
SLICES = (70, 85, 100)  # axial (superior) indices in the 1 mm template
NOISE = 0.004  # k-space noise std relative to the image maximum (orthonormal FFT)


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def ifft2c(x):
    return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def coil_maps(h, w, n):
    y, x = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    maps = []
    for c in range(n):
        a = 2 * np.pi * c / n
        cx, cy = 1.4 * np.cos(a), 1.4 * np.sin(a)
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        mag = 1.0 / (1.0 + d2 / 1.2)
        phase = a + 1.0 * (x * np.sin(a) - y * np.cos(a))  # smooth linear phase, different per coil
        maps.append(mag * np.exp(1j * phase))
    maps = np.array(maps)
    return maps / np.sqrt((np.abs(maps) ** 2).sum(0)).max()


def header_xml(h, w):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD">
  <measurementInformation><patientPosition>HFS</patientPosition><protocolName>AXT1 SIMULATED (Colin27)</protocolName></measurementInformation>
  <acquisitionSystemInformation><systemVendor>SIMULATED</systemVendor><systemModel>mri-daps make_sample.py</systemModel><systemFieldStrength_T>3.0</systemFieldStrength_T><receiverChannels>{COILS}</receiverChannels><institutionName>none</institutionName></acquisitionSystemInformation>
  <encoding>
    <encodedSpace><matrixSize><x>{h}</x><y>{w}</y><z>1</z></matrixSize><fieldOfView_mm><x>{h}.0</x><y>{w}.0</y><z>5.0</z></fieldOfView_mm></encodedSpace>
    <reconSpace><matrixSize><x>{h}</x><y>{w}</y><z>1</z></matrixSize><fieldOfView_mm><x>{h}.0</x><y>{w}.0</y><z>5.0</z></fieldOfView_mm></reconSpace>
    <encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>{w - 1}</maximum><center>{w // 2}</center></kspace_encoding_step_1></encodingLimits>
  </encoding>
  <sequenceParameters><TR>1900.0</TR><TE>2.5</TE><TI>900.0</TI><flipAngle_deg>9.0</flipAngle_deg></sequenceParameters>
</ismrmrdHeader>
"""


def main():
    rng = np.random.default_rng(0)
    vol = nib.as_closest_canonical(nib.load(SRC)).get_fdata(dtype=np.float32)  # RAS, 181x217x181
    maps = coil_maps(H, W, COILS)
    yy, xx = np.meshgrid(np.linspace(-1, 1, H), np.linspace(-1, 1, W), indexing="ij")
    kspace, rss = [], []
    for z in SLICES:
        img = np.flipud(vol[:, :, z].T)  # rows anterior→posterior (readout), columns right→left
        img = img / vol.max()
        pad = np.zeros((H, W), np.float32)
        r0, c0 = (H - img.shape[0]) // 2, (W - img.shape[1]) // 2
        pad[r0:r0 + img.shape[0], c0:c0 + img.shape[1]] = img
        phase = 0.8 * np.pi * (0.3 * xx - 0.2 * yy + 0.25 * xx * yy + 0.15 * yy ** 2) + 0.1 * z
        obj = pad * np.exp(1j * phase)
        k = fft2c(maps * obj[None])
        k += NOISE * (rng.standard_normal(k.shape) + 1j * rng.standard_normal(k.shape)) / np.sqrt(2)
        k *= 1e-4  # fastMRI-like tiny intensities
        kspace.append(k.astype(np.complex64))
        rss.append(np.sqrt((np.abs(ifft2c(k)) ** 2).sum(0)).astype(np.float32))
    kspace, rss = np.stack(kspace), np.stack(rss)
    tmp = OUT + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.create_dataset("kspace", data=kspace)
        f.create_dataset("reconstruction_rss", data=rss)
        f.create_dataset("ismrmrd_header", data=header_xml(H, W).encode())
        f.attrs["acquisition"] = "AXT1"
        f.attrs["max"] = float(rss.max())
        f.attrs["norm"] = float(np.linalg.norm(rss))
        f.attrs["patient_id"] = "colin27-simulated"
        f.attrs["simulated"] = "8 simulated birdcage coils, smooth phase, noise; source Colin27 ch2 (mricron-data, BSD-3)"
    os.replace(tmp, OUT)
    print(f"wrote {OUT}: kspace {kspace.shape} {kspace.dtype}, {os.path.getsize(OUT) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
