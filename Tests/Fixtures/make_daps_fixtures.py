#!/usr/bin/env python3
"""Exact first and second moments for the DAPS Gaussian-posterior tests (Tests/DAPSTests).

Run: /usr/bin/python3 Tests/Fixtures/make_daps_fixtures.py   (writes Tests/Fixtures/daps/*.f32)

Setting (mirrored exactly by Tests/DAPSTests/TestModels.swift): a 12x10 complex image, prior
x ~ N(mu, diag v) per real coordinate (mu, v non-constant), likelihood exp(-||Ax - y||^2/(2 tau^2)),
tau = 0.1, A = single-coil masked centred FFT, or a 4-coil SENSE-like model; y is a fixed,
deterministic pattern (no RNG, so Swift and NumPy see bit-for-bit the same inputs up to float32).

For a Gaussian prior and linear A every DAPS step is affine-Gaussian in the state (the Tweedie
denoiser is affine, the conditional step is an affine map plus independent noise), so the
distribution of the DAPS output is Gaussian and its mean and covariance can be propagated exactly
(complex covariance E[(x-m)(x-m)^H]; all noises are circular with equal real/imag variance, so
the per-component variance is diag/2). Two things are written per configuration:
  exact posterior:  mean P^-1 (A^H y/tau^2 + mu/v), component variance diag(P^-1),
                    P = A^H A/tau^2 + diag(1/v)
  exact DAPS law:   mean and component variance of the DAPS output for that configuration
File layout (float32, little endian), n = 120: [post mean re (n), post mean im (n), post var (n),
daps mean re (n), daps mean im (n), daps var (n)].
The difference between the two is DAPS's approximation bias; the Swift test compares its
empirical draws with both (see docs/daps.md).
"""
import os
import numpy as np

H, W, TAU = 12, 10, 0.1
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "daps")

# name: (operator, sigma_max, sigma_min, N_A, N_ODE, conditional)
CONFIGS = {
    "cg_single": ("single", 10.0, 0.01, 100, 1, ("cg",)),
    "cg_multi": ("multi", 10.0, 0.01, 100, 1, ("cg",)),
    "langevin_single": ("single", 10.0, 0.05, 40, 2, ("langevin", 20, 2e-3, 0.5)),
    "langevin_multi": ("multi", 10.0, 0.05, 40, 2, ("langevin", 20, 2e-3, 0.5)),
}
SINGLE_COLUMNS = [1, 0, 1, 0, 1, 1, 1, 0, 0, 1]
MULTI_COLUMNS = [0, 1, 0, 0, 1, 1, 0, 0, 1, 0]


def poly7(smax, smin, count):
    if count == 1:
        return [smax]
    a, b = smax ** (1 / 7), smin ** (1 / 7)
    return [(a + (i / (count - 1)) * (b - a)) ** 7 if i < count - 1 else smin for i in range(count)]


def centred_dft(n):
    eye = np.eye(n)
    return np.fft.fftshift(np.fft.fft(np.fft.ifftshift(eye, axes=0), axis=0, norm="ortho"), axes=0)


F = np.kron(centred_dft(H), centred_dft(W))  # row-major vec(x) -> vec(fft2c(x))


def prior():
    i, j = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    y, x = i / (H - 1), j / (W - 1)
    mag = 0.4 + 0.6 * np.exp(-((x - 0.5) ** 2 + (y - 0.45) ** 2) * 6)
    ph = 0.8 * x - 0.5 * y
    mu = (mag * np.exp(1j * ph)).ravel()
    v = (0.05 + 0.45 * (0.5 + 0.5 * np.sin(3 * x + 2 * y))).ravel()
    return mu.astype(np.complex64).astype(complex), v.astype(np.float32).astype(float)


def column_mask(cols):
    return np.diag(np.kron(np.ones(H), np.array(cols, float)))


def single():
    return column_mask(SINGLE_COLUMNS) @ F


def multi(coils=4):
    i, j = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    maps = np.zeros((coils, H, W), complex)
    for c in range(coils):
        ang = 2 * np.pi * c / coils
        cy, cx = H / 2 * (1 + 0.9 * np.sin(ang)), W / 2 * (1 + 0.9 * np.cos(ang))
        mag = np.exp(-((i - cy) ** 2 + (j - cx) ** 2) / (H * W) * 2)
        maps[c] = mag * np.exp(1j * (0.3 * c + 0.15 * (i - j)))
    maps = maps.astype(np.complex64).astype(complex)
    maps /= np.sqrt((abs(maps) ** 2).sum(0))
    m = column_mask(MULTI_COLUMNS)
    return np.vstack([m @ F @ np.diag(maps[c].ravel()) for c in range(coils)])


def measurements(a, mu, v):
    """Deterministic stand-in for A x_true + tau*noise (mirrored in Swift)."""
    j = np.arange(len(mu))
    truth = mu + np.sqrt(v) * (np.cos(1.3 * j + 0.2) + 1j * np.sin(0.7 * j + 1.1))
    k = np.arange(a.shape[0])
    return a @ truth + TAU * (np.cos(2.1 * k + 0.5) + 1j * np.sin(3.7 * k))


def exact_posterior(a, mu, v, y):
    p = a.conj().T @ a / TAU**2 + np.diag(1 / v)
    c = np.linalg.inv(p)
    return c @ (a.conj().T @ y / TAU**2 + mu / v), np.real(np.diag(c))


def daps_moments(a, mu, v, y, smax, smin, n_a, n_ode, cond):
    n = len(mu)
    eye = np.eye(n)
    aha, ahy = a.conj().T @ a, a.conj().T @ y
    grid = poly7(smax, smin, n_a) + [0.0]
    m, s = np.zeros(n, complex), 2 * smax**2 * eye
    for i in range(n_a):
        sig = grid[i]
        ode = poly7(sig, min(0.01, sig), n_ode) + [0.0]
        for k in range(n_ode):  # Euler step x <- x + c (D(x) - x), D affine
            dg = v / (v + ode[k] ** 2)
            c = 1.0 if ode[k + 1] == 0 else 1 - ode[k + 1] / ode[k]
            b = (1 - c) * eye + c * np.diag(dg)
            m, s = b @ m + c * (1 - dg) * mu, b @ s @ b.conj().T
        if cond[0] == "cg":  # exact conditional: mean P^-1(xhat/s^2 + A^H y/t^2), cov P^-1
            pinv = np.linalg.inv(eye / sig**2 + aha / TAU**2)
            m = pinv @ (m / sig**2 + ahy / TAU**2)
            s = pinv @ s @ pinv.conj().T / sig**4 + 2 * pinv
        else:  # ULA from z = xhat: z <- G z + K xhat + eta A^H y/t^2 + sqrt(2 eta) eps
            _, steps, lr, ratio = cond
            eta = lr * (1 + (i / n_a) * (ratio - 1))
            g = eye - eta * (aha / TAU**2 + eye / sig**2)
            kk = eta / sig**2
            mz, sz, szx = m.copy(), s.copy(), s.copy()
            for _ in range(steps):
                mz = g @ mz + kk * m + eta * ahy / TAU**2
                sz = g @ sz @ g.conj().T + kk * (g @ szx + szx.conj().T @ g.conj().T) + kk * kk * s + 4 * eta * eye
                szx = g @ szx + kk * s
            m, s = mz, sz
        s = s + 2 * grid[i + 1] ** 2 * eye
    return m, np.real(np.diag(s)) / 2


def main():
    os.makedirs(OUT, exist_ok=True)
    mu, v = prior()
    ops = {"single": single(), "multi": multi()}
    for name, (op, smax, smin, n_a, n_ode, cond) in CONFIGS.items():
        a = ops[op]
        y = measurements(a, mu, v)
        pm, pv = exact_posterior(a, mu, v, y)
        dm, dv = daps_moments(a, mu, v, y, smax, smin, n_a, n_ode, cond)
        z = np.concatenate([(dm - pm).real, (dm - pm).imag]) / np.sqrt(np.concatenate([pv, pv]))
        r = dv / pv
        print(f"{name}: DAPS bias: mean rms {np.sqrt((z**2).mean()):.4f} sd (max {abs(z).max():.3f}); "
              f"variance ratio mean {r.mean():.4f} (min {r.min():.3f}, max {r.max():.3f})", flush=True)
        np.concatenate([pm.real, pm.imag, pv, dm.real, dm.imag, dv]).astype("<f4").tofile(
            os.path.join(OUT, f"{name}.f32"))


if __name__ == "__main__":
    main()
