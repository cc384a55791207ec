"""Ship a trained prior: fp16 export with a complete model card and its validation table.

    cd Training
    .venv/bin/python -m training.ship --checkpoint runs/knee/checkpoint.pt \
        --data ../../shared/data/knee/mridata-axial --val-files knee19 knee20 knee21 \
        --name knee --out ../Sources/MRIPipeline/Resources/Priors/knee.safetensors

Steps: read the checkpoint (EMA weights, step, wall time, card), export fp16 to a temporary
file, reload it (so the figures are those of the shipped fp16 weights), measure denoising PSNR
on the held-out slices at σ ∈ {0.02, 0.05, 0.1, 0.2, 0.5} next to BM3D on the same noisy
slices (``training.validate``), then write the final file with the card (datasets named, not
paths; licences; subjects and slices; steps; wall time; validation) atomically, plus
``OUT.validation.json`` beside the run's log (``--report``) for docs/priors.md.
"""

import argparse
import json
import os
import sys
import tempfile

import torch

from . import data as data_mod
from .export import ExportError, export_state_dict, load_checkpoint, load_prior
from .train import datasets_for
from .validate import SIGMAS, denoising_psnr


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export a trained prior (fp16) with its card and validation")
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--data", action="append", required=True, help="the training data folder(s)")
    parser.add_argument("--val-files", nargs="+", required=True)
    parser.add_argument("--name", required=True, help="card name, e.g. knee")
    parser.add_argument("--out", required=True, help="output .safetensors")
    parser.add_argument("--report", help="write the validation JSON here (default OUT's run folder)")
    parser.add_argument("--max-slices", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--note", help="a sentence for the card's 'note' (e.g. under which built-in name a joint prior ships)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    state, config, card, step = load_checkpoint(args.checkpoint)
    ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    if card is None:
        raise ExportError(f"{args.checkpoint}: no model card in the checkpoint")
    datasets = datasets_for(args.data)
    card = dict(card)
    card.update(name=args.name, data=[n for n, _ in datasets],
                licence="; ".join(dict.fromkeys(lic for _, lic in datasets)),
                training_steps=int(ckpt.get("step", step or 0)),
                wall_time_s=round(float(ckpt.get("wall_time_s", 0.0)), 1),
                weights="EMA, fp16")
    if args.note:
        card["note"] = args.note

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ship-", suffix=".partial", dir=out_dir)  # never *.safetensors
    os.close(fd)
    try:
        export_state_dict(state, config, card, tmp, fp16=True)
        model, _, _ = load_prior(tmp)
        axis = ckpt.get("training", {}).get("axis", "axial")
        _, val, summary = data_mod.split_sources(args.data, args.val_files, axis)
        if not val:
            raise data_mod.DataError("ship: no validation slices matched --val-files")
        images = data_mod.validation_tensors(val, 2 ** (len(config["channel_multipliers"]) - 1),
                                             max_slices=args.max_slices)
        res = denoising_psnr(model, images, SIGMAS, seed=0, with_bm3d=True)
        if res["bm3d"] is None:
            raise ExportError("ship: bm3d is not importable; run scripts/setup-training-venv.sh and use "
                              "Training/.venv/bin/python")
        card["validation"] = {
            "sigmas": list(SIGMAS), "psnr_db": res["prior"], "bm3d_psnr_db": res["bm3d"],
            "noisy_psnr_db": res["noisy"], "slices": len(images), "subjects": sorted(summary["val"]),
            "rule": "held-out slices, normalised, seeded phase, y = x + sigma*n per channel; "
                    "PSNR = 10 log10(max|x|^2 / mean|xhat - x|^2), mean over slices; "
                    "BM3D (PyPI bm3d 3.0.9) per real/imag channel with the true sigma",
        }
        export_state_dict(state, config, card, tmp, fp16=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    report = args.report or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "validation.json")
    with open(report, "w") as f:
        json.dump(card, f, indent=1)
    rows = ["| σ | noisy | BM3D | prior | prior − BM3D |", "|---|---|---|---|---|"]
    for s in SIGMAS:
        k = f"{s:g}"
        rows.append(f"| {k} | {res['noisy'][k]:.2f} | {res['bm3d'][k]:.2f} | {res['prior'][k]:.2f} | "
                    f"{res['prior'][k] - res['bm3d'][k]:+.2f} |")
    print(f"{args.out}: {os.path.getsize(args.out) / 1e6:.2f} MB, step {card['training_steps']}, "
          f"{len(images)} held-out slices")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
