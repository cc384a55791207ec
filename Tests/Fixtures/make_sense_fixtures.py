#!/usr/bin/python3
"""Generates the fixtures in Tests/Fixtures/sense/ (run with /usr/bin/python3 from the repo root
or from Tests/Fixtures; needs numpy and the `bart` executable, Debian bart 0.8.00).

- wavelet_input_24x40.f32      complex64 image [24, 40] (row-major, interleaved re/im, float32 LE)
- wavelet_coeffs_24x40_L2.f32  its 2-level periodic Daubechies-2 DWT (Mallat layout), computed
                               with explicit orthogonal analysis matrices (independent of the Swift code)
- phantom_ksp.{hdr,cfl}        `bart phantom -k -s 4 -x 48`: 4-coil Shepp-Logan k-space, BART dims (48, 48, 1, 4)
- phantom_sens.{hdr,cfl}       `bart ecalib -m1 -r 20` of it (ESPIRiT reference maps)
- phantom_sens_r12.{hdr,cfl}   `bart ecalib -m1 -r 12` (few calibration lines)
"""
import os
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sense")
os.makedirs(OUT, exist_ok=True)


def dau2():
    s3 = np.sqrt(3.0)
    return np.array([1 + s3, 3 + s3, 3 - s3, 1 - s3]) / (4 * np.sqrt(2.0))


def analysis_matrix(n, h):
    """n×n periodic analysis matrix: rows 0..n/2-1 low-pass, n/2.. high-pass."""
    L = len(h)
    g = np.array([(-1) ** m * h[L - 1 - m] for m in range(L)])
    A = np.zeros((n, n))
    for k in range(n // 2):
        for m in range(L):
            A[k, (2 * k + m) % n] += h[m]
            A[n // 2 + k, (2 * k + m) % n] += g[m]
    assert np.allclose(A @ A.T, np.eye(n))
    return A


def dwt2(x, levels):
    c = x.astype(np.complex128).copy()
    h, w = c.shape
    for _ in range(levels):
        Ar, Ac = analysis_matrix(w, dau2()), analysis_matrix(h, dau2())
        block = c[:h, :w]
        block = block @ Ar.T  # rows
        block = Ac @ block  # columns
        c[:h, :w] = block
        h //= 2
        w //= 2
    return c


def write_c64(path, a):
    np.ascontiguousarray(a.astype(np.complex64)).tofile(path)


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((24, 40)) + 1j * rng.standard_normal((24, 40))
    write_c64(os.path.join(OUT, "wavelet_input_24x40.f32"), x)
    write_c64(os.path.join(OUT, "wavelet_coeffs_24x40_L2.f32"), dwt2(x, 2))

    def bart(*args):
        subprocess.run(["bart", *args], check=True, cwd=OUT)

    bart("phantom", "-k", "-s", "4", "-x", "48", "phantom_ksp")
    bart("ecalib", "-m1", "-r", "20", "phantom_ksp", "phantom_sens")
    bart("ecalib", "-m1", "-r", "12", "phantom_ksp", "phantom_sens_r12")
    for f in os.listdir(OUT):
        if f.endswith(".hdr"):  # drop BART's command-history lines (paths differ per machine)
            p = os.path.join(OUT, f)
            lines = open(p).read().split("\n")
            open(p, "w").write("\n".join(lines[:2]) + "\n")


if __name__ == "__main__":
    main()
