"""Export an EDMUNet (or a training checkpoint) to the prior weight format.

Format: docs/weight-format.md (safetensors, ``__metadata__`` = format, format_version,
config, card as JSON strings; exactly the contract's tensor names and shapes).

CLI::

    python3 -m training.export --checkpoint CKPT --out PATH [--fp16] [--card CARD.json]

A checkpoint is a ``torch.save`` dict with ``config`` (contract config dict) and the
weights under ``ema`` (preferred), ``model`` or ``state_dict``; optional ``card``
(dict) and ``step`` (int, used as ``training_steps`` when the card lacks it).
"""

import argparse
import json
import sys

import torch

from . import safetensors_io
from .model import FORMAT_NAME, FORMAT_VERSION, EDMUNet, expected_state_dict_shapes, validate_config

REQUIRED_CARD_KEYS = ("name", "anatomy", "data", "licence", "training_steps")


class ExportError(ValueError):
    """Invalid model/config/card/checkpoint for export, or an invalid prior file."""


def _check_state_dict(state, config, source):
    expected = expected_state_dict_shapes(config)
    names = set(state)
    missing = sorted(set(expected) - names)
    extra = sorted(names - set(expected))
    if missing or extra:
        raise ExportError(f"{source}: tensor names differ from the contract "
                          f"(missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                          f"unexpected {extra[:5]}{'...' if len(extra) > 5 else ''})")
    for name, shape in expected.items():
        if list(state[name].shape) != shape:
            raise ExportError(f"{source}: tensor '{name}' has shape {list(state[name].shape)}, expected {shape}")


def _check_card(card):
    if not isinstance(card, dict):
        raise ExportError("card: must be a dict")
    missing = [k for k in REQUIRED_CARD_KEYS if k not in card]
    if missing:
        raise ExportError(f"card: missing key(s) {missing}")


def metadata_for(config, card):
    """The ``__metadata__`` dict (all values JSON strings) for ``config`` and ``card``."""
    config = validate_config(config)
    _check_card(card)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "config": json.dumps(config, sort_keys=True),
        "card": json.dumps(card, sort_keys=True),
    }


def export_state_dict(state, config, card, path, fp16=False):
    """Write a contract state dict to ``path`` (fp32, or fp16 when ``fp16``)."""
    config = validate_config(config)
    _check_state_dict(state, config, "export")
    metadata = metadata_for(config, card)
    ordered = {name: state[name] for name in expected_state_dict_shapes(config)}
    safetensors_io.save(path, ordered, metadata, "F16" if fp16 else "F32")


def export_model(model, config, card, path, fp16=False):
    """Write ``model`` (an :class:`EDMUNet`) with ``config`` and ``card`` to ``path``."""
    config = validate_config(config)
    if getattr(model, "config", None) is not None and validate_config(model.config) != config:
        raise ExportError("export: config differs from the model's own config")
    export_state_dict(model.state_dict(), config, card, path, fp16)


def load_prior(path):
    """Strictly load a prior file; return (EDMUNet in float32, config, card)."""
    tensors, metadata = safetensors_io.load(path)
    if metadata.get("format") != FORMAT_NAME:
        raise ExportError(f"{path}: __metadata__.format is {metadata.get('format')!r}, expected {FORMAT_NAME!r}")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ExportError(f"{path}: unsupported format_version {metadata.get('format_version')!r}")
    try:
        config = json.loads(metadata["config"])
        card = json.loads(metadata["card"])
    except (KeyError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: __metadata__ config/card missing or not JSON ({exc})") from None
    config = validate_config(config)
    _check_card(card)
    _check_state_dict(tensors, config, str(path))
    model = EDMUNet(config)
    model.load_state_dict(tensors, strict=True)
    return model, config, card


def load_checkpoint(path):
    """Return (state_dict, config, card-or-None, step-or-None) from a training checkpoint."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(ckpt, dict) or "config" not in ckpt:
        raise ExportError(f"{path}: checkpoint must be a dict with a 'config' entry")
    for key in ("ema", "model", "state_dict"):
        if key in ckpt:
            state = ckpt[key]
            break
    else:
        raise ExportError(f"{path}: checkpoint has no 'ema', 'model' or 'state_dict' entry")
    if hasattr(state, "state_dict"):
        state = state.state_dict()
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    return state, validate_config(ckpt["config"]), ckpt.get("card"), ckpt.get("step")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export an EDMUNet checkpoint to the mri-daps prior format")
    parser.add_argument("--checkpoint", required=True, help="torch.save dict with config and ema/model/state_dict")
    parser.add_argument("--out", required=True, help="output .safetensors path")
    parser.add_argument("--fp16", action="store_true", help="store tensors as F16 (default F32)")
    parser.add_argument("--card", help="JSON file with the model card (overrides the checkpoint's card)")
    args = parser.parse_args(argv)

    state, config, card, step = load_checkpoint(args.checkpoint)
    if args.card:
        with open(args.card) as f:
            card = json.load(f)
    if card is None:
        raise ExportError("export: no model card (give --card or store 'card' in the checkpoint)")
    card = dict(card)
    if "training_steps" not in card and step is not None:
        card["training_steps"] = int(step)
    export_state_dict(state, config, card, args.out, args.fp16)
    print(json.dumps({"out": args.out, "dtype": "F16" if args.fp16 else "F32",
                      "tensors": len(state), "parameters": int(sum(v.numel() for v in state.values()))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
