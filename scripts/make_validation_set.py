#!/usr/bin/python3
"""Builds the DAPS validation set (issue 5): simulated multi-coil fastMRI-layout files from the
HELD-OUT subjects of ../shared/data only (the subjects the priors were not trained on).

    /usr/bin/python3 scripts/make_validation_set.py --out out/validation [--data ../shared/data]
        [--only knee19 ...] [--snr 40] [--seed 0]

One file per subject / series (fully sampled, fastMRI "train" layout):

| file                      | source (held out)                                  | slices | matrix  | coils | acquisition |
|---------------------------|----------------------------------------------------|--------|---------|-------|-------------|
| knee19/20/21.h5           | knee/mridata-axial/kneeNN.cfl (320×256 magnitude)   | 1      | 320×256 | 15    | CORPD_FBK   |
| IXI051.h5                 | brain/ixi-t1-2mm/IXI051-HH-1328-T1_ds.nii.gz, axial | 4      | 128×128 | 8     | AXT1        |
| mprage120-129.h5          | brain/mprage-trio-dicom, sorted slices 120,123,126,129 (sagittal) | 4 | 256×256 | 8 | SAGT1_MPRAGE |

Slicing follows Training/training/data.py so "held out" means the same images: NIfTI volumes
are reoriented to RAS+ and cut axially, each slice shown as np.flipud(s.T) (rows = y,
anterior at top; columns = x); the DICOM series is sorted along the slice normal and indexed
from 0 (training holds out `mprage-trio-dicom:120-129`). IXI axial slices 50, 62, 74, 86 of
120 (4 evenly spaced through the brain, skull base to vertex excluded).

What is SIMULATED (everything except the magnitude image):
- the image is scaled to max 1 per volume and zero-padded (centred) to the matrix above
  (multiples of 8 on both axes, as the UNet prior needs);
- a smooth random phase per slice, φ = c + Σ_{1≤i+j≤2} a_ij u^i v^j, a_ij ~ N(0, 0.5²),
  c ~ U[-π, π) (the phase model the priors were trained with);
- birdcage-like coil sensitivities (SampleData/make_sample.py): coil c sits at angle
  2πc/N on a circle of radius 1.4 (normalised coordinates), |S_c| = 1/(1 + d²/1.2), a smooth
  linear phase per coil; the maps are scaled so max_pixel √Σ_c|S_c|² = 1;
- k-space = fft2c(S_c · x) (centred orthonormal FFT) plus complex Gaussian noise of standard
  deviation σ per sample (E|n|² = σ²), σ = mean in-object |x| / SNR, "in-object" = |x| > 10 %
  of the slice max; default SNR 40. Because the FFT is orthonormal, σ is also the per-coil
  image-domain noise;
- everything is multiplied by 1e-4 (fastMRI-like tiny intensities).

`reconstruction_rss` = RSS over coils of ifft2c(kspace) (fastMRI's target: the noisy fully
sampled image). The ISMRMRD header carries encoded = recon matrix (no readout
oversampling) and a nominal FOV from the source voxel size. Attributes: `acquisition`,
`anatomy` (knee | brain), `max`, `norm`, `patient_id`, `snr`, `seed`, `simulated` (what is
simulated, the source and its licence), `source_slices`.

Seeded and deterministic: the same command writes the same arrays. Nothing written here is
committed (out/ is gitignored; the knee data are CC BY-NC 4.0).
"""
import argparse
import hashlib
import os
import sys

import h5py
import numpy as np

KNEE = ("knee19", "knee20", "knee21")
IXI = "IXI051-HH-1328-T1_ds.nii.gz"
IXI_SLICES = (50, 62, 74, 86)
MPRAGE_SLICES = (120, 123, 126, 129)
PHASE_STD = 0.5

LICENCE = {
    "knee": "mridata.org (Stanford) PD 3D FSE knee, via LarsonLab/dnlinv; believed CC BY-NC 4.0 "
            "(non-commercial research use, attribute mridata.org / Stanford)",
    "ixi": "IXI dataset (Hammersmith 3T T1, 2 mm), CC BY-SA 3.0, brain-development.org; "
           "via CBICA/CCL_NMF_Prediction (MIT)",
    "mprage": "Siemens Trio 3T MPRAGE sample DICOM published by Chris Rorden (dcm2nii sample data), "
              "via CBICA/NiChart_Project test data (MIT)",
}


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def ifft2c(x):
    return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


# ------------------------------------------------------------------ sources

def read_cfl(base):
    with open(base + ".hdr") as f:
        lines = [ln.strip() for ln in f]
    dims = [int(v) for v in lines[lines.index("# Dimensions") + 1].split()]
    data = np.fromfile(base + ".cfl", dtype="<c8")
    return data.reshape(dims, order="F").reshape(dims[0], dims[1], order="F")


def knee_volume(data, name):
    img = np.abs(read_cfl(os.path.join(data, "knee", "mridata-axial", name))).astype(np.float64)
    return [img], [0]


def ixi_volume(data):
    import nibabel as nib
    vol = nib.as_closest_canonical(nib.load(os.path.join(data, "brain", "ixi-t1-2mm", IXI)))
    arr = np.asarray(vol.dataobj, dtype=np.float64)
    return [np.flipud(arr[:, :, z].T) for z in IXI_SLICES], list(IXI_SLICES)


def mprage_volume(data):
    import pydicom
    folder = os.path.join(data, "brain", "mprage-trio-dicom")
    items = []
    for f in sorted(os.listdir(folder)):
        if not f.lower().endswith(".dcm"):
            continue
        ds = pydicom.dcmread(os.path.join(folder, f))
        img = ds.pixel_array.astype(np.float64) * float(getattr(ds, "RescaleSlope", 1.0)) \
            + float(getattr(ds, "RescaleIntercept", 0.0))
        ori = np.array(ds.ImageOrientationPatient, float)
        key = float(np.dot(np.cross(ori[:3], ori[3:]), np.array(ds.ImagePositionPatient, float)))
        items.append((key, img))
    items.sort(key=lambda t: t[0])
    return [items[i][1] for i in MPRAGE_SLICES], list(MPRAGE_SLICES)


# ------------------------------------------------------------------ simulation

def pad_to(img, h, w):
    """Centred zero-pad (or crop) to h×w."""
    out = np.zeros((h, w), img.dtype)
    sh, sw = min(h, img.shape[0]), min(w, img.shape[1])
    r0, c0 = (img.shape[0] - sh) // 2, (img.shape[1] - sw) // 2
    o0, p0 = (h - sh) // 2, (w - sw) // 2
    out[o0:o0 + sh, p0:p0 + sw] = img[r0:r0 + sh, c0:c0 + sw]
    return out


def coil_maps(h, w, n):
    """Birdcage-like maps (SampleData/make_sample.py), max RSS 1."""
    y, x = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    maps = []
    for c in range(n):
        a = 2 * np.pi * c / n
        cx, cy = 1.4 * np.cos(a), 1.4 * np.sin(a)
        mag = 1.0 / (1.0 + ((x - cx) ** 2 + (y - cy) ** 2) / 1.2)
        maps.append(mag * np.exp(1j * (a + x * np.sin(a) - y * np.cos(a))))
    maps = np.array(maps)
    return maps / np.sqrt((np.abs(maps) ** 2).sum(0)).max()


def smooth_phase(h, w, rng):
    v = np.linspace(-1.0, 1.0, h)[:, None]
    u = np.linspace(-1.0, 1.0, w)[None, :]
    a = rng.normal(0.0, PHASE_STD, size=5)
    c = rng.uniform(-np.pi, np.pi)
    return c + a[0] * u + a[1] * v + a[2] * u * u + a[3] * u * v + a[4] * v * v


def header_xml(h, w, voxel_mm, thickness_mm, coils, protocol):
    fx, fy = h * voxel_mm, w * voxel_mm
    return f"""<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD">
  <measurementInformation><patientPosition>HFS</patientPosition><protocolName>{protocol}</protocolName></measurementInformation>
  <acquisitionSystemInformation><systemVendor>SIMULATED</systemVendor><systemModel>mri-daps make_validation_set.py</systemModel><systemFieldStrength_T>3.0</systemFieldStrength_T><receiverChannels>{coils}</receiverChannels></acquisitionSystemInformation>
  <encoding>
    <encodedSpace><matrixSize><x>{h}</x><y>{w}</y><z>1</z></matrixSize><fieldOfView_mm><x>{fx:.1f}</x><y>{fy:.1f}</y><z>{thickness_mm:.1f}</z></fieldOfView_mm></encodedSpace>
    <reconSpace><matrixSize><x>{h}</x><y>{w}</y><z>1</z></matrixSize><fieldOfView_mm><x>{fx:.1f}</x><y>{fy:.1f}</y><z>{thickness_mm:.1f}</z></fieldOfView_mm></reconSpace>
    <encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>{w - 1}</maximum><center>{w // 2}</center></kspace_encoding_step_1></encodingLimits>
  </encoding>
</ismrmrdHeader>
"""


def simulate(images, h, w, coils, snr, seed):
    """images: magnitude slices → (kspace (S, C, h, w) complex64, rss (S, h, w) float32, sigmas)."""
    vmax = max(float(np.max(im)) for im in images)
    maps = coil_maps(h, w, coils)
    rng = np.random.default_rng(seed)
    ks, rss, sigmas = [], [], []
    for im in images:
        mag = pad_to(im / vmax, h, w)
        x = mag * np.exp(1j * smooth_phase(h, w, rng))
        obj = mag > 0.1 * mag.max()
        sigma = float(mag[obj].mean()) / snr
        k = fft2c(maps * x[None])
        k = k + sigma * (rng.standard_normal(k.shape) + 1j * rng.standard_normal(k.shape)) / np.sqrt(2)
        k = (k * 1e-4).astype(np.complex64)
        ks.append(k)
        rss.append(np.sqrt((np.abs(ifft2c(k.astype(np.complex128))) ** 2).sum(0)).astype(np.float32))
        sigmas.append(sigma * 1e-4)
    return np.stack(ks), np.stack(rss), sigmas


def subject_seed(seed, name):
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "little")


def specs(data):
    """(output name, loader, (H, W), coils, acquisition, anatomy, voxel mm, thickness mm, licence key)."""
    out = [(k, lambda k=k: knee_volume(data, k), (320, 256), 15, "CORPD_FBK", "knee", 0.5, 0.6, "knee")
           for k in KNEE]
    out.append(("IXI051", lambda: ixi_volume(data), (128, 128), 8, "AXT1", "brain", 2.0, 2.0, "ixi"))
    out.append(("mprage120-129", lambda: mprage_volume(data), (256, 256), 8, "SAGT1_MPRAGE", "brain", 1.0, 1.0, "mprage"))
    return out


def write(path, kspace, rss, header, attrs, target="reconstruction_rss"):
    """Writes the file atomically (temp file + rename); ``target`` names the reference dataset
    (``reconstruction_esc`` for single-coil files)."""
    tmp = path + ".tmp"
    with h5py.File(tmp, "w", track_order=True) as f:
        f.create_dataset("kspace", data=kspace, track_times=False)
        f.create_dataset(target, data=rss, track_times=False)
        f.create_dataset("ismrmrd_header", data=np.bytes_(header.encode()), track_times=False)
        for k, v in attrs.items():
            f.attrs[k] = v
    os.replace(tmp, path)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output folder (e.g. out/validation; never commit)")
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"),
                    help="the shared data folder (default ../shared/data beside the repository)")
    ap.add_argument("--only", nargs="*", default=None, help="output names to build (default: all)")
    ap.add_argument("--snr", type=float, default=40.0, help="mean in-object magnitude / noise std (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if not os.path.isdir(a.data):
        sys.exit(f"make_validation_set: --data {a.data}: no such folder")
    os.makedirs(a.out, exist_ok=True)
    written = []
    for name, load, (h, w), coils, acq, anatomy, voxel, thick, lic in specs(a.data):
        if a.only and name not in a.only:
            continue
        images, indices = load()
        seed = subject_seed(a.seed, name)
        kspace, rss, sigmas = simulate(images, h, w, coils, a.snr, seed)
        path = os.path.join(a.out, name + ".h5")
        note = (f"SIMULATED multi-coil k-space: {coils} birdcage-like coil maps, smooth random phase, "
                f"complex Gaussian noise at SNR {a.snr:g} (mean in-object magnitude / noise std), "
                f"from real magnitude images; source {name} ({LICENCE[lic]})")
        attrs = {
            "acquisition": acq, "anatomy": anatomy, "max": float(rss.max()), "norm": float(np.linalg.norm(rss)),
            "patient_id": f"{name}-simulated", "snr": float(a.snr), "seed": int(a.seed),
            "noise_std": np.array(sigmas, np.float64), "source_slices": np.array(indices, np.int64),
            "simulated": note,
        }
        write(path, kspace, rss, header_xml(h, w, voxel, thick, coils, f"{acq} SIMULATED ({name})"), attrs)
        written.append(path)
        print(f"wrote {path}: kspace {kspace.shape} complex64, reconstruction_rss {rss.shape}, {acq}, "
              f"source slices {indices}, SNR {a.snr:g}, {os.path.getsize(path) / 1e6:.1f} MB")
    if a.only and not written:
        sys.exit(f"make_validation_set: --only {a.only}: no such output (choose from "
                 f"{[s[0] for s in specs(a.data)]})")
    return written


if __name__ == "__main__":
    main()
