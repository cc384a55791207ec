"""A 3-D Cartesian ISMRMRD acquisition (one slab, partitions on kspace_encode_step_2) for the
3-D raw-data tests (Tests/EndToEndTests/ISMRMRDConvertTests.swift), built on the record type of
a file from `ismrmrd_generate_cartesian_shepp_logan` (TEMPLATE, 4 coils, 64 readout samples).

    python3 make_ismrmrd_3d.py TEMPLATE.h5 OUT.h5 [--full] [--seed 3]

Object: three ellipsoids on a 64 (readout, 2x oversampled) x 24 (ky) x 20 (kz) grid, four
smooth complex coil sensitivities, k-space = centred orthonormal FFT over (x, y, z). Without
--full only a variable-density random set of (ky, kz) positions with a fully sampled 6 x 6 centre
is acquired. Writes OUT.h5 and OUT.h5.truth.npy, the RSS of the coil images on the recon grid
(x cropped to the central 32): shape (32, 24, 20). Prints JSON: the sampled (ky, kz) positions.
"""
import argparse
import json

import h5py
import numpy as np

NX, RX, NY, NZ, COILS = 64, 32, 24, 20, 4


def volume():
    x, y, z = np.meshgrid(np.linspace(-2, 2, NX), np.linspace(-1, 1, NY), np.linspace(-1, 1, NZ), indexing="ij")
    img = np.zeros((NX, NY, NZ), np.complex128)
    for (cx, cy, cz, ax, ay, az, v) in [(0, 0, 0, .8, .8, .7, 1.0), (.2, .2, .1, .3, .25, .3, .6), (-.3, -.2, -.2, .2, .3, .2, -.4)]:
        img += v * (((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 + ((z - cz) / az) ** 2 <= 1)
    coils = []
    for c in range(COILS):
        a = 2 * np.pi * c / COILS
        coils.append(np.exp(-((x - np.cos(a)) ** 2 + (y - np.sin(a)) ** 2) / 2) * np.exp(1j * (a + 0.3 * z)))
    return img[None] * np.array(coils)


def fftc(a):
    axes = (-3, -2, -1)
    return np.fft.fftshift(np.fft.fftn(np.fft.ifftshift(a, axes=axes), axes=axes, norm="ortho"), axes=axes)


def mask(full, seed):
    if full:
        return np.ones((NY, NZ), bool)
    rng = np.random.default_rng(seed)
    yy, zz = np.meshgrid(np.arange(NY) - NY // 2, np.arange(NZ) - NZ // 2, indexing="ij")
    m = rng.random((NY, NZ)) < 0.9 * np.exp(-(yy ** 2 + zz ** 2) / 60.0)
    m[NY // 2 - 3:NY // 2 + 3, NZ // 2 - 3:NZ // 2 + 3] = True
    return m


def header(xml):
    import re
    xml = re.sub(r"<encodedSpace>.*?</encodedSpace>",
                 "<encodedSpace><matrixSize><x>%d</x><y>%d</y><z>%d</z></matrixSize><fieldOfView_mm><x>256</x>"
                 "<y>192</y><z>160</z></fieldOfView_mm></encodedSpace>" % (NX, NY, NZ), xml, flags=re.S)
    xml = re.sub(r"<reconSpace>.*?</reconSpace>",
                 "<reconSpace><matrixSize><x>%d</x><y>%d</y><z>%d</z></matrixSize><fieldOfView_mm><x>128</x>"
                 "<y>192</y><z>160</z></fieldOfView_mm></reconSpace>" % (RX, NY, NZ), xml, flags=re.S)
    limits = ("<encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>%d</maximum><center>%d</center>"
              "</kspace_encoding_step_1><kspace_encoding_step_2><minimum>0</minimum><maximum>%d</maximum><center>%d"
              "</center></kspace_encoding_step_2></encodingLimits>") % (NY - 1, NY // 2, NZ - 1, NZ // 2)
    return re.sub(r"<encodingLimits>.*?</encodingLimits>", limits, xml, flags=re.S)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("output")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    with h5py.File(args.template, "r") as f:
        template = f["dataset/data"][()]
        stored = f["dataset/xml"]
        shape = stored.shape
        xml = stored[()] if shape == () else stored[0]
        xml = xml.decode() if isinstance(xml, bytes) else xml
    coil_images = volume()
    k = fftc(coil_images)
    m = mask(args.full, args.seed)
    positions = [(y, z) for y in range(NY) for z in range(NZ) if m[y, z]]
    rows = np.zeros(len(positions), template.dtype)
    for i, (y, z) in enumerate(positions):
        rows[i] = template[0]
        head = rows["head"]
        head["flags"][i] = 0
        head["number_of_samples"][i] = NX
        head["center_sample"][i] = NX // 2
        head["active_channels"][i] = COILS
        head["available_channels"][i] = COILS
        head["idx"]["kspace_encode_step_1"][i] = y
        head["idx"]["kspace_encode_step_2"][i] = z
        head["idx"]["slice"][i] = 0
        head["position"][i] = [1.5, -2.0, 3.0]
        head["read_dir"][i] = [0, 0, 1]
        head["phase_dir"][i] = [1, 0, 0]
        head["slice_dir"][i] = [0, 1, 0]
        line = k[:, :, y, z].astype(np.complex64)  # (coils, samples)
        rows["data"][i] = np.stack([line.real, line.imag], -1).reshape(-1).astype(np.float32)
        rows["traj"][i] = np.zeros(0, np.float32)
    with h5py.File(args.output, "w") as g:
        g.create_dataset("dataset/data", data=rows, maxshape=(None,), chunks=True)
        text = header(xml)
        g.create_dataset("dataset/xml", data=text if shape == () else [text], dtype=h5py.string_dtype("ascii"))
    x0 = (NX - RX) // 2
    rss = np.sqrt((np.abs(coil_images) ** 2).sum(0))[x0:x0 + RX]
    np.save(args.output + ".truth.npy", rss.astype(np.float32))
    print(json.dumps({"sampled": [y * NZ + z for (y, z) in positions], "shape": [RX, NY, NZ]}))


if __name__ == "__main__":
    main()
