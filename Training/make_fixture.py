"""Generate the prior parity fixture (docs/weight-format.md, "Parity fixture").

Usage (from the repository root):

    /usr/bin/python3 Training/make_fixture.py --out Tests/Fixtures/prior \
        [--config JSON] [--seed S] [--height H --width W]

Writes into --out:
- ``tiny_unet.safetensors``       random-weight EDMUNet, F32, full contract metadata
- ``tiny_unet_fp16.safetensors``  the same weights stored as F16
- ``tiny_unet_io.safetensors``    F32 tensors
    x [3, 2, H, W], sigma [3] (0.01, 1.3, 100), expected [3, 2, H, W] = D(x, σ),
    expected_fp16 [3, 2, H, W] = D with the F16-rounded weights,
    x1 [1, 2, H, W], sigma1 [1] (0.05), expected1 [1, 2, H, W].
  Defaults H = 12, W = 8 (non-square; keeps the committed fixture under 200 KB).
  D is evaluated in float64 (model.double()) from the exact stored F32 values of the
  weights, x and sigma, then rounded to F32.

Deterministic for a given seed (NumPy PCG64 generator; no torch RNG involved).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from training import safetensors_io  # noqa: E402
from training.export import export_model, load_prior  # noqa: E402
from training.model import EDMUNet, expected_state_dict_shapes, make_config  # noqa: E402

#: Default tiny architecture of the parity fixture (remaining keys: contract defaults).
TINY_CONFIG = {
    "base_channels": 8,
    "channel_multipliers": [1, 2],
    "blocks_per_level": 1,
    "attention": True,
    "attention_heads": 2,
    "groups": 4,
    "embedding_channels": 16,  # ≠ base_channels so that B/E mix-ups fail; 32 would push the fixture past 200 KB
}

SIGMAS = [0.01, 1.3, 100.0]
SIGMA1 = 0.05


def random_state(config, rng):
    """Non-trivial random weights: conv/linear weights N(0, 1)/√fan_in, biases 0.2·N(0, 1),
    GroupNorm weights 1 + 0.2·N(0, 1), GroupNorm biases 0.2·N(0, 1); all rounded to F32."""
    state = {}
    for name, shape in expected_state_dict_shapes(config).items():
        kind = name.rsplit(".", 1)[1]
        module = name.rsplit(".", 2)[-2]
        is_norm = module.startswith("norm")
        if kind == "weight" and not is_norm:
            fan_in = int(np.prod(shape[1:]))
            value = rng.standard_normal(shape) / np.sqrt(fan_in)
        elif kind == "weight":
            value = 1.0 + 0.2 * rng.standard_normal(shape)
        else:
            value = 0.2 * rng.standard_normal(shape)
        state[name] = torch.from_numpy(value.astype(np.float32))
    return state


def denoise64(model, x, sigma):
    """D(x, σ) in float64 from F32 inputs; returned as a float64 tensor."""
    m = model.double()
    with torch.no_grad():
        return m(x.double(), sigma.double())


def build(config_overrides, seed, height, width):
    config = make_config(**{**TINY_CONFIG, **config_overrides})
    rng = np.random.default_rng(seed)
    model = EDMUNet(config)
    model.load_state_dict(random_state(config, rng), strict=True)

    x = torch.from_numpy(np.stack([
        (0.5 * rng.standard_normal((2, height, width)) + s * rng.standard_normal((2, height, width)))
        for s in SIGMAS]).astype(np.float32))
    sigma = torch.tensor(SIGMAS, dtype=torch.float32)
    x1 = torch.from_numpy((0.5 * rng.standard_normal((1, 2, height, width))
                           + SIGMA1 * rng.standard_normal((1, 2, height, width))).astype(np.float32))
    sigma1 = torch.tensor([SIGMA1], dtype=torch.float32)
    return config, model, x, sigma, x1, sigma1


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate the EDMUNet parity fixture")
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", default="{}", help="JSON object overriding the tiny default config")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--height", type=int, default=12)
    parser.add_argument("--width", type=int, default=8)
    args = parser.parse_args(argv)

    config, model, x, sigma, x1, sigma1 = build(json.loads(args.config), args.seed, args.height, args.width)
    os.makedirs(args.out, exist_ok=True)
    card = {"name": "tiny-random-parity-fixture", "anatomy": "none",
            "data": f"random weights, Training/make_fixture.py seed {args.seed}",
            "licence": "CC0-1.0", "training_steps": 0}
    path32 = os.path.join(args.out, "tiny_unet.safetensors")
    path16 = os.path.join(args.out, "tiny_unet_fp16.safetensors")
    export_model(model, config, card, path32, fp16=False)
    export_model(model, config, card, path16, fp16=True)

    # Reference outputs from what the files actually hold (F32 exactly, F16 widened).
    model32, _, _ = load_prior(path32)
    model16, _, _ = load_prior(path16)
    io = {
        "x": x, "sigma": sigma,
        "expected": denoise64(model32, x, sigma),
        "expected_fp16": denoise64(model16, x, sigma),
        "x1": x1, "sigma1": sigma1,
        "expected1": denoise64(model32, x1, sigma1),
    }
    meta = {"seed": str(args.seed), "generator": "Training/make_fixture.py",
            "note": "expected = D(x, sigma) in float64 from the stored F32 values, rounded to F32"}
    safetensors_io.save(os.path.join(args.out, "tiny_unet_io.safetensors"), io, meta, "F32")

    summary = {name: {"shape": list(t.shape), "absmax": float(t.abs().max())} for name, t in io.items()}
    summary["sigma_values"] = [float(s) for s in sigma] + [float(s) for s in sigma1]
    summary["max|expected-expected_fp16|"] = float((io["expected"] - io["expected_fp16"]).abs().max())
    summary["files_bytes"] = {f: os.path.getsize(os.path.join(args.out, f)) for f in sorted(os.listdir(args.out))}
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
