#!/usr/bin/python3
"""Reference data for MRICore: centred FFTs, image-quality metrics and the seeded RNG.

FFT: fastMRI fft2c/ifft2c (fastmri/fftc.py) = fftshift(fft(ifftshift(x), norm="ortho")) over
the chosen axes, computed in complex128 from a float32 input given by a closed form that the
Swift test regenerates (`closed_form`). Small sizes are stored in full; for 640x368 and
321x200 only 48 random output positions are stored (rows of h, w, re, im).
Metrics: scikit-image structural_similarity / peak_signal_noise_ratio with fastMRI's
evaluate.py conventions on a random 3-slice 40x36 volume.
RNG: an independent Python SplitMix64 + xoshiro256** implementation.

Files go to Tests/Fixtures/core/ (raw little-endian float32, JSON).
Run: /usr/bin/python3 Tests/Fixtures/make_core_fixtures.py
"""
import json
import os

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "core")


def closed_form(h, w):
    """x[i, j] = cos(0.37 i + 0.011 j^2) + 0.25 ((7i + 13j) mod 11)/11
               + 1j (sin(0.71 j - 0.05 i^2) - 0.125 ((5i + 3j) mod 7)/7), as complex64."""
    i, j = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    re = np.cos(0.37 * i + 0.011 * j * j) + 0.25 * ((7 * ii + 13 * jj) % 11) / 11.0
    im = np.sin(0.71 * j - 0.05 * i * i) - 0.125 * ((5 * ii + 3 * jj) % 7) / 7.0
    return (re.astype(np.float32) + 1j * im.astype(np.float32)).astype(np.complex64)


def fftc(x, axes, inverse=False):
    x = x.astype(np.complex128)
    f = np.fft.ifftn if inverse else np.fft.fftn
    return np.fft.fftshift(f(np.fft.ifftshift(x, axes=axes), axes=axes, norm="ortho"), axes=axes)


TRANSFORMS = {
    "fft2c": ((-2, -1), False), "ifft2c": ((-2, -1), True),
    "fftc_readout": ((-2,), False), "ifftc_readout": ((-2,), True),
    "fftc_phase": ((-1,), False), "ifftc_phase": ((-1,), True),
}


def write_complex(path, z):
    out = np.empty(z.shape + (2,), dtype=np.float32)
    out[..., 0] = z.real
    out[..., 1] = z.imag
    out.astype("<f4").tofile(path)


def fft_fixtures():
    for (h, w) in [(16, 12), (15, 9), (33, 20), (64, 46)]:
        x = closed_form(h, w)
        write_complex(os.path.join(OUT, f"input_{h}x{w}.f32"), x)  # lets the test check the closed form
        for name, (axes, inv) in TRANSFORMS.items():
            write_complex(os.path.join(OUT, f"{name}_{h}x{w}.f32"), fftc(x, axes, inv))
    rng = np.random.default_rng(20240601)
    for (h, w) in [(640, 368), (321, 200)]:
        x = closed_form(h, w)
        for name in ["fft2c", "ifft2c"]:
            axes, inv = TRANSFORMS[name]
            y = fftc(x, axes, inv)
            hs = rng.integers(0, h, 48)
            ws = rng.integers(0, w, 48)
            rows = np.stack([hs, ws, y[hs, ws].real, y[hs, ws].imag], axis=1).astype("<f4")
            rows.tofile(os.path.join(OUT, f"{name}_{h}x{w}_samples.f32"))


def metrics_closed_form(h, w):
    """gt[i, j] = 1e-4 (1 + cos(0.05 i) sin(0.07 j) + 0.3 ((3i + 5j) mod 13)/13),
    pred = gt + 1e-5 cos(0.9 i + 1.3 j + 0.01 i j), both float32."""
    i, j = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    gt = 1e-4 * (1 + np.cos(0.05 * i) * np.sin(0.07 * j) + 0.3 * ((3 * ii + 5 * jj) % 13) / 13.0)
    pred = gt + 1e-5 * np.cos(0.9 * i + 1.3 * j + 0.01 * i * j)
    return gt.astype(np.float32), pred.astype(np.float32)


def metrics_fixtures():
    rng = np.random.default_rng(7)
    s, h, w = 3, 40, 36
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    base = np.exp(-(xx ** 2 + yy ** 2) * 2.0)
    gt = np.stack([base * (1 + 0.3 * k) + 0.2 * rng.random((h, w)) for k in range(s)]).astype(np.float32)
    gt *= 1e-4  # fastMRI-like intensities
    pred = (gt + 1e-5 * rng.standard_normal(gt.shape)).astype(np.float32)
    gt.astype("<f4").tofile(os.path.join(OUT, "metrics_gt_3x40x36.f32"))
    pred.astype("<f4").tofile(os.path.join(OUT, "metrics_pred_3x40x36.f32"))
    g64, p64 = gt.astype(np.float64), pred.astype(np.float64)
    maxval = g64.max()
    # fastMRI evaluate.py: ssim averaged over slices with data_range = volume max.
    ssim = np.mean([structural_similarity(g64[k], p64[k], data_range=maxval) for k in range(s)])
    ssim_f32 = np.mean([structural_similarity(gt[k], pred[k], data_range=gt.max()) for k in range(s)])
    psnr = peak_signal_noise_ratio(g64, p64, data_range=maxval)
    nmse = np.linalg.norm(g64 - p64) ** 2 / np.linalg.norm(g64) ** 2
    ssim_slice1_range = structural_similarity(g64[1], p64[1], data_range=3e-4)
    psnr_range = peak_signal_noise_ratio(g64, p64, data_range=3e-4)
    # A 320x320 pair from a closed form the Swift test regenerates (values only, no arrays stored).
    g320, p320 = metrics_closed_form(320, 320)
    g320, p320 = g320.astype(np.float64), p320.astype(np.float64)
    ssim320 = structural_similarity(g320, p320, data_range=g320.max())
    psnr320 = peak_signal_noise_ratio(g320, p320, data_range=g320.max())
    nmse320 = np.linalg.norm(g320 - p320) ** 2 / np.linalg.norm(g320) ** 2
    with open(os.path.join(OUT, "metrics_values.json"), "w") as f:
        json.dump(dict(ssim=ssim, ssimFloat32=float(ssim_f32), psnr=psnr, nmse=nmse,
                       ssimSlice1Range3e4=ssim_slice1_range, psnrRange3e4=psnr_range,
                       ssim320=ssim320, psnr320=psnr320, nmse320=nmse320,
                       skimage=__import__("skimage").__version__), f, indent=1)


MASK64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


def xoshiro256ss(seed, n):
    state = seed
    s = []
    for _ in range(4):
        state, z = splitmix64(state)
        s.append(z)
    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64)
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def rng_fixtures():
    # Published SplitMix64 check value: first output for seed 0.
    assert splitmix64(0)[1] == 0xE220A8397B1DCDAF
    seeds = [0, 42, 0x8000000000000005]
    with open(os.path.join(OUT, "seeded_rng.json"), "w") as f:
        json.dump(dict(streams=[dict(seed=str(sd), outputs=[str(v) for v in xoshiro256ss(sd, 8)]) for sd in seeds]),
                  f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    fft_fixtures()
    metrics_fixtures()
    rng_fixtures()


if __name__ == "__main__":
    main()
