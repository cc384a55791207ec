"""Generate the tiny development prior used by the DAPS pipeline tests.

Usage (from the repository root):

    /usr/bin/python3 Tests/Fixtures/make_pipeline_fixtures.py [--out Tests/Fixtures/pipeline] [--seed 0]

Writes ``tiny_prior_fp16.safetensors``: an EDMUNet (Training/training/model.py) with a tiny
configuration (base 8 channels, multipliers [1, 2], one block per level, no attention,
4 groups, 16 embedding channels; H and W must be even) and PyTorch's default random
initialisation under ``torch.manual_seed(seed)``, exported in F16 with the contract
metadata (docs/weight-format.md) and a model card naming it a plumbing fixture. The weights
are random: the prior is not meant to denoise well, only to exercise the recon pipeline
(loading, batching, shapes, seeds, attributes) quickly.
"""

import argparse
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Training"))

from training.export import export_model, load_prior  # noqa: E402
from training.model import EDMUNet, make_config  # noqa: E402

TINY = {
    "base_channels": 8,
    "channel_multipliers": [1, 2],
    "blocks_per_level": 1,
    "attention": False,
    "attention_heads": 1,
    "groups": 4,
    "embedding_channels": 16,
}

CARD = {
    "name": "tiny-dev",
    "anatomy": "knee",
    "data": "none: random weights (pipeline plumbing fixture, not a trained prior)",
    "licence": "CC0-1.0",
    "training_steps": 0,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "pipeline"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    config = make_config(**TINY)
    model = EDMUNet(config)
    path = os.path.join(args.out, "tiny_prior_fp16.safetensors")
    export_model(model, config, CARD, path, fp16=True)
    load_prior(path)  # strict round trip
    print(f"wrote {path} ({os.path.getsize(path)} bytes, "
          f"{sum(p.numel() for p in model.parameters())} parameters)")


if __name__ == "__main__":
    main()
