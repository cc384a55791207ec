#!/usr/bin/python3
"""Builds the GENERALISATION validation set (issue 13): simulated multi-coil and single-coil
files on the geometry real scanners give (fastMRI's 640×368 knee grid with 2× readout
oversampling, brains that do not fill the FOV), several coil counts and noise levels, from
sources the priors did not train on, held out per SOURCE rather than per subject.

    /usr/bin/python3 scripts/make_generalisation_set.py --out out/generalisation [--data ../shared/data]
        [--only NAME ...] [--seed 0] [--preview montage.png]

| file | source (role) | slices | k-space → recon | coils | SNR |
|---|---|---:|---|---:|---:|
| knee19-c15-snr40 | mridata axial knee19 (held-out subject of the knee prior's source) | 1 | 640×368 → 320×320 | 15 | 40 |
| knee20-c4-snr100 | mridata knee20 (same) | 1 | 640×368 → 320×320 | 4 | 100 |
| knee21-sc-snr40 | mridata knee21 (same), single-coil (`reconstruction_esc`) | 1 | 640×368 → 320×320 | 1 | 40 |
| cubequant-c15-snr40 | pyKNEEr CubeQuant T1ρ, sagittal, GE 3T (a SOURCE no shipped prior saw) | 2 | 640×368 → 320×320 | 15 | 40 |
| dess1-c8-snr15 | pyKNEEr DESS echo 1 (same source) | 2 | 640×368 → 320×320 | 8 | 15 |
| dess1-sc-snr40 | pyKNEEr DESS echo 1, single-coil | 1 | 640×368 → 320×320 | 1 | 40 |
| mprage-c16-snr40 | MPRAGE Trio, axial reslices (held out of the joint prior's training) | 2 | 640×320 → 320×320 | 16 | 40 |
| mprage-c8-snr15 | MPRAGE Trio, other axial reslices | 2 | 640×320 → 320×320 | 8 | 15 |

Geometry (what a fastMRI user's files look like): the image lives on the full oversampled grid
(k-space H × W, H = 2 × the recon height: 2× readout oversampling, the phase-encode width W
≥ the recon width); the object sits inside the central recon region (knees: resampled to
0.4375 mm, fastMRI's 140 mm / 320, with a smoothing of σ = 0.4/f pixels before a zoom by
f < 1, and kept whole: the sagittal knees reach into the readout oversampling and fill the
phase-encode FOV; brains: 1 mm pixels in a 320 mm FOV, so the head leaves a margin). The target is the
centre 320×320 of the RSS (multi-coil) or of |image| (single-coil `reconstruction_esc`), as
fastMRI's. Coils: N birdcage-like elements on an ellipse 15 % outside the object's bounding
box, |S_c| = 1/(1 + d²/r²) with r = 0.6 × the larger half-axis, a linear phase each, max RSS 1
(single-coil: S = 1). Phase, noise and scaling as scripts/make_validation_set.py (smooth
random phase of the training phase model; complex Gaussian noise of σ = mean in-object |x| /
SNR per k-space sample; ×1e-4). Attributes: as make_validation_set.py, plus `set` =
"generalisation", `source_held_out` (which prior has never seen the source), `coils`.

Seeded and deterministic. Nothing written is committed (the sources are non-commercial).
"""
import argparse
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "Training"))
import make_validation_set as mvs  # noqa: E402  (same folder: simulation helpers)

KNEE_PIXEL_MM = 140.0 / 320
KNEE_GRID = (640, 368)
BRAIN_GRID = (640, 320)
RECON = (320, 320)

PYKNEER_LICENCE = ("pyKNEEr demo data (Bonaretti et al., sbonaretti/pyKNEEr @ 994cdcd), GPL-3.0 repository with a "
                   "CC BY-NC-SA 4.0 badge: non-commercial, share-alike")

# name, loader key, slices, coils, SNR, anatomy, held-out note
FILES = [
    ("knee19-c15-snr40", "knee19", None, 15, 40, "knee", "subject held out of the knee prior (source seen)"),
    ("knee20-c4-snr100", "knee20", None, 4, 100, "knee", "subject held out of the knee prior (source seen)"),
    ("knee21-sc-snr40", "knee21", None, 1, 40, "knee", "subject held out of the knee prior (source seen)"),
    ("cubequant-c15-snr40", "cubequant_t1rho_tsl1", (34, 46), 15, 40, "knee", "source seen by no shipped prior"),
    ("dess1-c8-snr15", "dess_echo1", (30, 42), 8, 15, "knee", "source seen by no shipped prior"),
    ("dess1-sc-snr40", "dess_echo1", (38,), 1, 40, "knee", "source seen by no shipped prior"),
    ("mprage-c16-snr40", "mprage", (84, 112), 16, 40, "brain",
     "MPRAGE subject: 2 sagittal slices in the shipped brain prior; held out of the joint prior"),
    ("mprage-c8-snr15", "mprage", (98, 126), 8, 15, "brain",
     "MPRAGE subject: 2 sagittal slices in the shipped brain prior; held out of the joint prior"),
]


# ------------------------------------------------------------------ sources

def zoom_to(img, factor):
    """Resample by ``factor`` (< 1: smoothed first, σ = 0.4/factor pixels, against aliasing)."""
    from scipy import ndimage
    if factor < 1:
        img = ndimage.gaussian_filter(img, 0.4 / factor)
    return ndimage.zoom(img, factor, order=1)


def load(data, key, slices):
    """→ (magnitude slices in display orientation, pixel size mm, source indices, licence)."""
    from training import data as tdata
    if key.startswith("knee"):
        images, _ = mvs.knee_volume(data, key)
        return images, 0.5, [0], mvs.LICENCE["knee"]
    if key == "mprage":
        raw, _ = tdata.dicom_series(os.path.join(data, "brain", "mprage-trio-dicom"))
        vol = np.stack(raw).astype(np.float64)  # [sagittal (L–R), rows (S→I), columns (A–P)]
        return [vol[:, r, :].T for r in slices], 1.0, list(slices), mvs.LICENCE["mprage"]
    raw, spacing = tdata.dicom_series(os.path.join(data, "knee-extra", "pykneer-demo", key))
    return [np.asarray(raw[k], np.float64) for k in slices], spacing[1], list(slices), PYKNEER_LICENCE


def place(img, pixel_mm, anatomy):
    """The image on its k-space grid (H, W), centred: knees resampled to 0.4375 mm and kept whole
    (they reach into the readout oversampling and fill the phase-encode FOV, as fastMRI knees
    do), brains as they are (the head leaves a margin)."""
    h, w = KNEE_GRID if anatomy == "knee" else BRAIN_GRID
    if anatomy == "knee" and pixel_mm < KNEE_PIXEL_MM * 0.9:
        img = zoom_to(img, pixel_mm / KNEE_PIXEL_MM)
    return mvs.pad_to(np.clip(img, 0, None), h, w)


def coil_maps(obj, n):
    """Elements on an ellipse 15 % outside the object's bounding box (see the module doc)."""
    h, w = obj.shape
    if n == 1:
        return np.ones((1, h, w), np.complex128)
    rows, cols = np.nonzero(obj > 0.05 * obj.max())
    cy, cx = (rows.min() + rows.max()) / 2, (cols.min() + cols.max()) / 2
    ay, ax = 1.15 * (rows.max() - rows.min()) / 2 + 1, 1.15 * (cols.max() - cols.min()) / 2 + 1
    r = 0.6 * max(ay, ax)
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    maps = []
    for c in range(n):
        a = 2 * np.pi * c / n
        py, px = cy + ay * np.sin(a), cx + ax * np.cos(a)
        mag = 1.0 / (1.0 + ((yy - py) ** 2 + (xx - px) ** 2) / r ** 2)
        u, v = (xx - cx) / w, (yy - cy) / h
        maps.append(mag * np.exp(1j * (a + 2 * (u * np.sin(a) - v * np.cos(a)))))
    maps = np.array(maps)
    return maps / np.sqrt((np.abs(maps) ** 2).sum(0)).max()


def simulate(images, coils, snr, seed):
    """Placed magnitude images (S, H, W) → (k-space, target (S, 320, 320), noise σ per slice)."""
    vmax = max(float(im.max()) for im in images)
    rng = np.random.default_rng(seed)
    maps = coil_maps(np.max(images, axis=0), coils)
    h, w = images[0].shape
    r0, c0 = (h - RECON[0]) // 2, (w - RECON[1]) // 2
    ks, targets, sigmas = [], [], []
    for im in images:
        mag = im / vmax
        x = mag * np.exp(1j * mvs.smooth_phase(h, w, rng))
        obj = mag > 0.1 * mag.max()
        sigma = float(mag[obj].mean()) / snr
        k = mvs.fft2c(maps * x[None])
        k = k + sigma * (rng.standard_normal(k.shape) + 1j * rng.standard_normal(k.shape)) / np.sqrt(2)
        k = (k * 1e-4).astype(np.complex64)
        full = np.sqrt((np.abs(mvs.ifft2c(k.astype(np.complex128))) ** 2).sum(0))
        targets.append(full[r0:r0 + RECON[0], c0:c0 + RECON[1]].astype(np.float32))
        ks.append(k[0] if coils == 1 else k)
        sigmas.append(sigma * 1e-4)
    return np.stack(ks), np.stack(targets), sigmas


def header_xml(h, w, pixel_mm, coils, protocol):
    ex, ey = h * pixel_mm / 2, w * pixel_mm  # 2× readout oversampling: encoded FOV twice the recon's
    rx, ry = RECON[0] * pixel_mm, RECON[1] * pixel_mm
    return f"""<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD">
  <measurementInformation><patientPosition>HFS</patientPosition><protocolName>{protocol}</protocolName></measurementInformation>
  <acquisitionSystemInformation><systemVendor>SIMULATED</systemVendor><systemModel>mri-daps make_generalisation_set.py</systemModel><systemFieldStrength_T>3.0</systemFieldStrength_T><receiverChannels>{coils}</receiverChannels></acquisitionSystemInformation>
  <encoding>
    <encodedSpace><matrixSize><x>{h}</x><y>{w}</y><z>1</z></matrixSize><fieldOfView_mm><x>{2 * ex:.1f}</x><y>{ey:.1f}</y><z>3.0</z></fieldOfView_mm></encodedSpace>
    <reconSpace><matrixSize><x>{RECON[0]}</x><y>{RECON[1]}</y><z>1</z></matrixSize><fieldOfView_mm><x>{rx:.1f}</x><y>{ry:.1f}</y><z>3.0</z></fieldOfView_mm></reconSpace>
    <encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>{w - 1}</maximum><center>{w // 2}</center></kspace_encoding_step_1></encodingLimits>
  </encoding>
</ismrmrdHeader>
"""


def montage(rows, path):
    """One PNG: every target slice side by side (each scaled to its own max), for a look."""
    from PIL import Image
    tiles = [np.clip(t / max(t.max(), 1e-12) * 255, 0, 255).astype(np.uint8) for _, targets in rows for t in targets]
    Image.fromarray(np.concatenate(tiles, axis=1)).save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output folder (e.g. out/generalisation; never commit)")
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"),
                    help="the shared data folder (default ../shared/data beside the repository)")
    ap.add_argument("--only", nargs="*", default=None, help="output names to build (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--preview", help="also write a PNG montage of the targets here")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.data):
        sys.exit(f"make_generalisation_set: --data {a.data}: no such folder")
    unknown = set(a.only or []) - {f[0] for f in FILES}
    if unknown:
        sys.exit(f"make_generalisation_set: --only {sorted(unknown)}: no such output (choose from {[f[0] for f in FILES]})")
    os.makedirs(a.out, exist_ok=True)
    written, shown = [], []
    for name, key, slices, coils, snr, anatomy, held in FILES:
        if a.only and name not in a.only:
            continue
        images, pixel, indices, licence = load(a.data, key, slices)
        placed = np.stack([place(im, pixel, anatomy) for im in images])
        pixel_out = KNEE_PIXEL_MM if anatomy == "knee" and pixel < KNEE_PIXEL_MM * 0.9 else pixel
        kspace, target, sigmas = simulate(placed, coils, snr, mvs.subject_seed(a.seed, name))
        acq = "CORPD_FBK" if anatomy == "knee" else "AXT1"
        note = (f"SIMULATED {'single-coil' if coils == 1 else f'{coils}-coil'} k-space on a fastMRI-like grid "
                f"{kspace.shape[-2]}×{kspace.shape[-1]} (2× readout oversampling), smooth random phase, complex "
                f"Gaussian noise at SNR {snr:g}, from real magnitude images; source {key} ({licence})")
        attrs = {"acquisition": acq, "anatomy": anatomy, "max": float(target.max()),
                 "norm": float(np.linalg.norm(target)), "patient_id": f"{name}-simulated", "snr": float(snr),
                 "seed": int(a.seed), "noise_std": np.array(sigmas, np.float64), "coils": int(coils),
                 "source_slices": np.array(indices, np.int64), "simulated": note, "set": "generalisation",
                 "source_held_out": held}
        path = os.path.join(a.out, name + ".h5")
        mvs.write(path, kspace, target, header_xml(kspace.shape[-2], kspace.shape[-1], pixel_out, coils,
                                                    f"{acq} SIMULATED ({name})"), attrs,
                  target="reconstruction_esc" if coils == 1 else "reconstruction_rss")
        written.append(path)
        shown.append((name, target))
        print(f"wrote {path}: kspace {kspace.shape}, target {target.shape}, {acq}, source slices {indices}, "
              f"SNR {snr:g}, {os.path.getsize(path) / 1e6:.1f} MB")
    if a.preview and shown:
        montage(shown, a.preview)
        print(f"wrote {a.preview}")
    return written


if __name__ == "__main__":
    main()
