#!/usr/bin/python3
"""Writes a fastMRI knee-like multi-coil file (640×368 k-space, 2× readout oversampling,
reconSpace 320×320, 15 coils) from a real knee image of ../shared/data/knee/mridata-axial
(BART .cfl, 320×256 magnitude; mridata.org, CC BY-NC 4.0 — non-commercial research use).
Coils, phase and noise are SIMULATED. Used to check the oversampled fastMRI geometry path and
to time `mri-daps recon` at fastMRI knee size. Nothing it writes is committed.

usage: /usr/bin/python3 scripts/make_knee_like.py KNEE.cfl OUT.h5 [--coils 15] [--slices 2]
"""
import argparse
import os

import h5py
import numpy as np


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def ifft2c(x):
    return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def read_cfl(path):
    base = path[:-4] if path.endswith(".cfl") else path
    with open(base + ".hdr") as f:
        f.readline()
        dims = [int(d) for d in f.readline().split()]
    data = np.fromfile(base + ".cfl", dtype=np.complex64)
    return data.reshape([d for d in dims if d > 0][:2], order="F")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cfl")
    ap.add_argument("out")
    ap.add_argument("--coils", type=int, default=15)
    ap.add_argument("--slices", type=int, default=2)
    a = ap.parse_args()
    img = np.abs(read_cfl(a.cfl)).astype(np.float32)  # 320 x 256
    img /= img.max()
    H, W, RH, RW = 640, 368, 320, 320
    obj = np.zeros((H, W), np.complex64)
    r0, c0 = (H - img.shape[0]) // 2, (W - img.shape[1]) // 2
    obj[r0:r0 + img.shape[0], c0:c0 + img.shape[1]] = img
    yy, xx = np.meshgrid(np.linspace(-1, 1, H), np.linspace(-1, 1, W), indexing="ij")
    obj = obj * np.exp(1j * (0.5 * xx - 0.3 * yy))
    maps = []
    for c in range(a.coils):
        ang = 2 * np.pi * c / a.coils
        cx, cy = 0.8 * np.cos(ang), 0.5 * np.sin(ang)  # coils around the knee (half the readout FOV)
        mag = 1 / (1 + ((xx - cx) ** 2 + ((yy - cy) * 2) ** 2) / 0.6)
        maps.append(mag * np.exp(1j * (ang + xx * np.sin(ang) - yy * np.cos(ang))))
    maps = np.array(maps)
    maps /= np.sqrt((np.abs(maps) ** 2).sum(0)).max()
    rng = np.random.default_rng(1)
    ks, rss = [], []
    for s in range(a.slices):
        k = fft2c(maps * (obj * (1 + 0.05 * s))[None])
        k += 0.002 * (rng.standard_normal(k.shape) + 1j * rng.standard_normal(k.shape)) / np.sqrt(2)
        k = (k * 1e-4).astype(np.complex64)
        ks.append(k)
        im = np.sqrt((np.abs(ifft2c(k)) ** 2).sum(0))
        rss.append(im[(H - RH) // 2:(H + RH) // 2, (W - RW) // 2:(W + RW) // 2].astype(np.float32))
    hdr = f"""<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD"><encoding>
<encodedSpace><matrixSize><x>{H}</x><y>{W}</y><z>1</z></matrixSize><fieldOfView_mm><x>280.0</x><y>161.0</y><z>4.5</z></fieldOfView_mm></encodedSpace>
<reconSpace><matrixSize><x>{RH}</x><y>{RW}</y><z>1</z></matrixSize><fieldOfView_mm><x>140.0</x><y>140.0</y><z>3.0</z></fieldOfView_mm></reconSpace>
<encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>{W - 1}</maximum><center>{W // 2}</center></kspace_encoding_step_1></encodingLimits>
</encoding></ismrmrdHeader>"""
    tmp = a.out + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.create_dataset("kspace", data=np.stack(ks))
        f.create_dataset("reconstruction_rss", data=np.stack(rss))
        f.create_dataset("ismrmrd_header", data=hdr.encode())
        f.attrs["acquisition"] = "CORPD_FBK"
        f.attrs["max"] = float(np.stack(rss).max())
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
