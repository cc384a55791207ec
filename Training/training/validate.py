"""Denoising PSNR of a prior on held-out slices (issue 4's validation figure).

For each held-out slice x (normalised, seeded smooth phase for magnitude-only sources,
zero-padded to a multiple of 2^(levels−1)) and each σ: y = x + σ·n with n ~ N(0, I) on the
real and the imaginary channel (seeded), x̂ = D(y, σ), and
PSNR = 10·log10(max|x|² / mean|x̂ − x|²) (complex magnitudes); the figure is the mean over
slices. The noisy input's PSNR is reported too. BM3D (PyPI ``bm3d``) is used on the real and
imaginary parts separately (with the known σ) when importable; it is not packaged for Debian,
so ``scripts/setup-training-venv.sh`` installs it from PyPI into ``Training/.venv`` (run this
command with ``Training/.venv/bin/python``); without it the BM3D column is null.

CLI::

    .venv/bin/python -m training.validate --prior PRIOR.safetensors --data DIR --val-files knee19 knee20 knee21
"""

import argparse
import json
import math
import sys

import numpy as np
import torch

from . import data as data_mod

SIGMAS = (0.02, 0.05, 0.1, 0.2, 0.5)


def _psnr(estimate, clean):
    err = ((estimate - clean) ** 2).sum(dim=1).mean().item()
    peak = (clean ** 2).sum(dim=1).max().item()
    return 10.0 * math.log10(peak / max(err, 1e-20))


def _bm3d_module():
    try:
        import bm3d  # noqa: F401
        return bm3d
    except ImportError:
        return None


@torch.no_grad()
def denoising_psnr(model, images, sigmas=SIGMAS, seed=0, with_bm3d=False):
    """{'prior': {σ: PSNR}, 'noisy': {σ: PSNR}, 'bm3d': {σ: PSNR} | None} averaged over ``images``."""
    model.eval()
    bm3d = _bm3d_module() if with_bm3d else None
    out = {"prior": {}, "noisy": {}, "bm3d": {} if bm3d is not None else None}
    for si, sigma in enumerate(sigmas):
        gen = torch.Generator().manual_seed(seed * 1000 + si)
        p, q, b = [], [], []
        for x in images:
            y = x + sigma * torch.randn(x.shape, generator=gen)
            d = model(y, torch.full((x.shape[0],), float(sigma)))
            p.append(_psnr(d, x))
            q.append(_psnr(y, x))
            if bm3d is not None:
                yn = y[0].numpy().astype(np.float64)
                den = np.stack([bm3d.bm3d(yn[c], sigma) for c in range(2)])
                b.append(_psnr(torch.from_numpy(den).float()[None], x))
        key = f"{sigma:g}"
        out["prior"][key] = float(np.mean(p))
        out["noisy"][key] = float(np.mean(q))
        if bm3d is not None:
            out["bm3d"][key] = float(np.mean(b))
    return out


def main(argv=None):
    from .export import load_prior
    parser = argparse.ArgumentParser(description="Denoising PSNR of a prior on held-out slices")
    parser.add_argument("--prior", required=True, help="prior .safetensors file")
    parser.add_argument("--data", action="append", required=True, help="data folder or file (repeatable)")
    parser.add_argument("--val-files", nargs="+", required=True,
                        help="validation sources: name prefixes, or NAME:a-b for slices a..b")
    parser.add_argument("--axis", default="axial", choices=sorted(data_mod.AXES))
    parser.add_argument("--sigmas", type=float, nargs="+", default=list(SIGMAS))
    parser.add_argument("--max-slices", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-bm3d", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, config, card = load_prior(args.prior)
    _, val, summary = data_mod.split_sources(args.data, args.val_files, args.axis)
    if not val:
        raise data_mod.DataError("validate: no validation slices matched --val-files")
    images = data_mod.validation_tensors(val, 2 ** (len(config["channel_multipliers"]) - 1),
                                         max_slices=args.max_slices)
    res = denoising_psnr(model, images, args.sigmas, args.seed, with_bm3d=not args.no_bm3d)
    res["slices"] = len(images)
    res["sources"] = summary["val"]
    if res["bm3d"] is None:
        res["bm3d_note"] = "bm3d not importable: run scripts/setup-training-venv.sh and use Training/.venv/bin/python"
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
