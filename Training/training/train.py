"""Train an EDM prior (issue 4).

    cd Training
    /usr/bin/python3 -m training.train --data ../../shared/data/knee/mridata-axial --anatomy knee \
        --config configs/knee.json --out runs/knee --val-files knee19 knee20 knee21

Loss (EDM, docs/DAPS.md): ln σ ~ N(−1.2, 1.2²), n ~ N(0, I),
λ(σ) = (σ² + σd²)/(σ·σd)², L = mean_batch λ·mean_pixels ‖D(x + σn, σ) − x‖².
Adam (learning rate: linear warm-up over ``warmup`` steps, constant ``lr``, then — when
``decay_steps`` > 0 — a cosine decay to 0 over the last ``decay_steps`` of ``steps``;
``learning_rate``), EMA of the weights (decay min(ema, (1+s)/(10+s))), checkpoint ``OUT/checkpoint.pt`` every
``checkpoint_every`` steps and at the end (atomic: temp file + rename), ``--resume``
continues from it exactly (batch i of step s depends only on (seed, s), and the optimiser,
EMA and RNG states are restored). Log: ``OUT/log.jsonl`` (train and validation records).
"""

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch

from . import data as data_mod
from .model import EDMUNet, validate_config
from .validate import denoising_psnr

P_MEAN, P_STD = -1.2, 1.2
VAL_SIGMAS = (0.05, 0.1, 0.2, 0.5)

DEFAULT_TRAINING = {"steps": 1000, "batch": 8, "patch": 64, "lr": 2e-4, "ema": 0.999,
                    "checkpoint_every": 500, "val_every": 500, "log_every": 50,
                    "axis": "axial", "val_max_slices": 16, "warmup": 200, "decay_steps": 0,
                    "balance_sources": False, "gamma": None, "scale": None}


def learning_rate(step, tr):
    """Learning rate of (0-based) ``step``: linear warm-up over ``warmup`` steps, then ``lr``;
    with ``decay_steps`` > 0 the last ``decay_steps`` steps of ``steps`` follow a cosine from
    ``lr`` down to 0 (so a finished constant-rate run resumed with a larger ``steps`` and
    ``decay_steps`` = the added steps anneals from where it stopped)."""
    lr = tr["lr"] * min(1.0, (step + 1) / max(1, tr["warmup"]))
    decay = int(tr["decay_steps"])
    start = tr["steps"] - decay
    if decay > 0 and step >= start:
        lr *= 0.5 * (1.0 + math.cos(math.pi * (step - start) / decay))
    return lr

# Known public datasets: (key found in a folder or file name, dataset named on the card, licence).
DATASETS = [
    ("mridata", "mridata.org PD-weighted 3D FSE knee, Stanford 3T, axial slices (via LarsonLab/dnlinv)",
                "mridata.org knee data (Stanford), CC BY-NC 4.0: NON-COMMERCIAL research use only; "
                "attribute mridata.org / Stanford. Weights trained on it inherit this restriction."),
    ("ixi", "IXI T1-weighted brain, Hammersmith 3T, 2 mm (brain-development.org; via CBICA/CCL_NMF_Prediction)",
            "IXI dataset (brain-development.org), CC BY-SA 3.0"),
    ("mprage", "MPRAGE T1 brain, Siemens Trio 3T, 1 mm sagittal DICOM (Chris Rorden's dcm2nii sample data)",
               "Chris Rorden dcm2nii sample data (MPRAGE, Siemens Trio), openly published "
               "(via MIT-licensed CBICA/NiChart_Project)"),
    ("mricron", "Colin27 ch2 T1 template (Debian mricron-data)", "Colin27 ch2 template (mricron-data), BSD-3"),
    ("pykneer", "pyKNEEr demo knee, GE 3T sagittal 3-D DESS and CubeQuant (sbonaretti/pyKNEEr @ 994cdcd)",
                "pyKNEEr demo data (Bonaretti et al.), GPL-3.0 repository with a CC BY-NC-SA 4.0 badge: "
                "treat as NON-COMMERCIAL, SHARE-ALIKE; credit the authors"),
]


def datasets_for(paths):
    """[(dataset name, licence)] for the known datasets under ``paths`` (their own names, their two
    parent folders' or the names of files and folders up to two levels below); unknown data is
    named by its folder."""
    found = []
    for p in paths:
        names = os.path.normpath(p).split(os.sep)[-3:]  # the file or folder and two parents
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                if root[len(p):].count(os.sep) >= 2:
                    dirs[:] = []
                names.extend(dirs + files)
        low = " ".join(names).lower()
        hit = [(name, lic) for key, name, lic in DATASETS if key in low]
        found.extend(hit or [(os.path.basename(os.path.normpath(p)), "user data, see its own licence")])
    return list(dict.fromkeys(found))


def licence_for(paths):
    return "; ".join(dict.fromkeys(lic for _, lic in datasets_for(paths)))


def edm_loss(model, x, generator, sigma_data, device=None):
    """EDM loss for a clean batch x [B, 2, P, P] (see module docstring). The noise is drawn on the
    CPU from ``generator`` (the same draws on any device), then moved with x to ``device``."""
    b = x.shape[0]
    sigma = torch.exp(P_MEAN + P_STD * torch.randn(b, generator=generator))
    n = torch.randn(x.shape, generator=generator)
    if device is not None:
        x, sigma, n = x.to(device, non_blocking=True), sigma.to(device), n.to(device, non_blocking=True)
    weight = (sigma ** 2 + sigma_data ** 2) / (sigma * sigma_data) ** 2
    d = model(x + sigma[:, None, None, None] * n, sigma)
    per = ((d - x) ** 2).mean(dim=(1, 2, 3))
    return (weight * per).mean()


class StepBatches(torch.utils.data.Dataset):
    """Batch s of the run (``dataset.batch(s·B, B)``) as item s, so that DataLoader workers can make
    batches ahead of the training loop and every batch is still a function of its step alone."""

    def __init__(self, dataset, batch, first, last):
        self.dataset, self.batch_size, self.first, self.last = dataset, batch, first, last

    def __len__(self):
        return max(0, self.last - self.first)

    def __getitem__(self, i):
        step = self.first + i
        return self.dataset.batch(step * self.batch_size, self.batch_size)


def pick_device(name):
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda: no CUDA device")
    return torch.device(name)


def atomic_save(obj, path):
    tmp = f"{path}.tmp.{os.getpid()}"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_config(path):
    with open(path) as f:
        cfg = json.load(f)
    model_cfg = validate_config(cfg["model"])
    training = dict(DEFAULT_TRAINING)
    unknown = set(cfg.get("training", {})) - set(DEFAULT_TRAINING)
    if unknown:
        raise ValueError(f"{path}: unknown training key(s) {sorted(unknown)}")
    training.update(cfg.get("training", {}))
    return model_cfg, training


def init_weights(model, ema, path, model_cfg):
    """Load ``path`` (prior .safetensors or training checkpoint) into ``model`` and ``ema``."""
    if path.endswith(".safetensors"):
        from .export import load_prior
        prior, cfg, _ = load_prior(path)
        state = prior.state_dict()
    else:
        ck = torch.load(path, map_location="cpu", weights_only=False)
        cfg, state = ck["config"], ck.get("ema") or ck["model"]
    if validate_config(cfg) != model_cfg:
        raise ValueError(f"--init: {path} has another model config")
    model.load_state_dict(state)
    ema.load_state_dict(state)


def _fmt_time(s):
    s = int(max(s, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train an EDM UNet prior")
    parser.add_argument("--data", action="append", required=True, help="data folder or file (repeatable)")
    parser.add_argument("--anatomy", required=True, help="knee | brain | any label for the card")
    parser.add_argument("--config", required=True, help="JSON with 'model' (contract config) and 'training'")
    parser.add_argument("--out", required=True, help="run folder (checkpoint.pt, log.jsonl)")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--patch", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--ema", type=float)
    parser.add_argument("--checkpoint-every", type=int)
    parser.add_argument("--val-every", type=int)
    parser.add_argument("--log-every", type=int)
    parser.add_argument("--warmup", type=int, help="linear learning-rate warm-up steps")
    parser.add_argument("--decay-steps", type=int, help="cosine learning-rate decay to 0 over the last N steps")
    parser.add_argument("--axis", choices=sorted(data_mod.AXES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-files", nargs="*", default=[],
                        help="held-out sources: name prefixes (knee19, IXI051) or NAME:a-b slice ranges")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", help="model card name (default mri-daps-<anatomy>)")
    parser.add_argument("--licence", help="override the licence text of the card")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    parser.add_argument("--init", help="start (model and EMA) from these weights: a prior .safetensors "
                                       "or a checkpoint.pt of the same model config (a fresh optimiser)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"],
                        help="where the network trains (auto: cuda when there is one); batches and noise are "
                             "drawn on the CPU either way")
    parser.add_argument("--workers", type=int, default=0,
                        help="DataLoader processes making batches ahead of the loop (0: in the loop); the batches "
                             "are the same")
    parser.add_argument("--max-minutes", type=float,
                        help="stop after this much training wall time, with a checkpoint (--resume continues)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    model_cfg, tr = load_config(args.config)
    for key in ("steps", "batch", "patch", "lr", "ema", "checkpoint_every", "val_every", "log_every", "axis",
                "warmup", "decay_steps"):
        if getattr(args, key) is not None:
            tr[key] = getattr(args, key)
    factor = 2 ** (len(model_cfg["channel_multipliers"]) - 1)
    if not 0 <= tr["decay_steps"] <= tr["steps"]:
        raise ValueError(f"decay_steps {tr['decay_steps']} must be in [0, steps = {tr['steps']}]")
    if tr["patch"] % factor:
        raise ValueError(f"--patch {tr['patch']} must be divisible by {factor}")
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    log_path = os.path.join(args.out, "log.jsonl")

    train_items, val_items, summary = data_mod.split_sources(args.data, args.val_files, tr["axis"])
    if not train_items:
        raise data_mod.DataError("train: no training slices")
    dataset = data_mod.SliceDataset(train_items, tr["patch"], seed=args.seed, length=1 << 62,
                                    balance=tr["balance_sources"], gamma=tr["gamma"], scale=tr["scale"])
    val_images = data_mod.validation_tensors(val_items, factor, max_slices=tr["val_max_slices"]) if val_items else []

    device = pick_device(args.device)
    torch.manual_seed(args.seed)
    model = EDMUNet(model_cfg)
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    model.to(device)
    ema.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=tr["lr"])
    step, wall, validation = 0, 0.0, None
    if args.init and not args.resume:
        init_weights(model, ema, args.init, model_cfg)
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise FileNotFoundError(f"--resume: {ckpt_path} does not exist")
        ck = torch.load(ckpt_path, map_location=device, weights_only=False)
        if validate_config(ck["config"]) != model_cfg:
            raise ValueError(f"--resume: {ckpt_path} has another model config")
        model.load_state_dict(ck["model"])
        ema.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["optimizer"])
        step, wall, validation = ck["step"], ck["wall_time_s"], ck.get("validation")
        torch.set_rng_state(ck["rng"]["torch"].cpu())
        np.random.set_state(ck["rng"]["numpy"])

    sources = [os.path.normpath(d) for d in args.data]  # as given (no machine-specific absolute paths)
    card_base = {
        "name": args.name or f"mri-daps-{args.anatomy}",
        "anatomy": args.anatomy,
        "data": [name for name, _ in datasets_for(sources)],
        "licence": args.licence or licence_for(sources),
        "subjects": {"train": sorted(summary["train"]), "val": sorted(summary["val"])},
        "slices": {"train": len(train_items), "val": len(val_items)},
        "normalisation": "slice / quantile_0.99(|x|); slices with mean|x| <= 5% of the volume's max kept out",
        "phase_model": "magnitude-only: phi = c + quadratic poly in [-1,1]^2, coeffs N(0,0.5^2), c ~ U[-pi,pi)",
        "training": {k: tr[k] for k in ("batch", "patch", "lr", "ema", "decay_steps", "axis", "balance_sources",
                                         "gamma", "scale")}
                    | {"seed": args.seed, "loss": "EDM", "init": os.path.basename(args.init) if args.init else None},
    }

    def card():
        return dict(card_base, training_steps=int(step), wall_time_s=round(wall, 1),
                    validation=validation)

    def cpu_state(module):
        return {k: v.detach().cpu() for k, v in module.state_dict().items()}

    def save():
        atomic_save({"config": model_cfg, "training": tr, "model": cpu_state(model),
                     "ema": cpu_state(ema), "optimizer": opt.state_dict(), "step": step,
                     "wall_time_s": wall, "validation": validation, "card": card(),
                     "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state()}},
                    ckpt_path)

    def log(record):
        with open(log_path, "a") as f:
            f.write(json.dumps(record) + "\n")

    def run_validation():
        nonlocal validation
        if not val_images:
            return
        res = denoising_psnr(ema if device.type == "cpu" else copy.deepcopy(ema).cpu(), val_images, VAL_SIGMAS, seed=0)
        validation = {"sigmas": list(VAL_SIGMAS), "psnr_db": res["prior"], "noisy_psnr_db": res["noisy"],
                      "slices": len(val_images), "step": int(step), "model": "ema"}
        log({"step": step, "val_psnr": res["prior"], "val_noisy_psnr": res["noisy"]})

    sd = model_cfg["sigma_data"]
    total = tr["steps"]
    start_step = step
    if step == 0:
        log({"event": "start", "train_slices": len(train_items), "val_slices": len(val_items),
             "config": model_cfg, "training": tr})
        run_validation()
    t0 = time.time()
    t_last = t0
    losses = []
    model.train()
    batches = None
    if args.workers > 0:
        loader = torch.utils.data.DataLoader(StepBatches(dataset, tr["batch"], step, total), batch_size=None,
                                             num_workers=args.workers, prefetch_factor=4,
                                             pin_memory=device.type == "cuda", persistent_workers=False)
        batches = iter(loader)
    deadline = None if args.max_minutes is None else time.time() + 60 * args.max_minutes
    while step < total:
        if deadline is not None and time.time() >= deadline:
            break
        gen = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        x = next(batches) if batches is not None else dataset.batch(step * tr["batch"], tr["batch"])
        lr = learning_rate(step, tr)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = edm_loss(model, x, gen, sd, device)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            decay = min(tr["ema"], (1 + step) / (10 + step))  # EMA warm-up
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
        step += 1
        lv = loss.item()
        if not math.isfinite(lv):
            raise FloatingPointError(f"step {step}: loss is {lv}")
        losses.append(lv)
        now = time.time()
        wall += now - t_last
        t_last = now
        rate = (step - start_step) / max(now - t0, 1e-9)
        if step % tr["log_every"] == 0 or step == total:
            log({"step": step, "loss": float(np.mean(losses)), "lr": lr, "steps_per_s": rate,
                 "wall_time_s": wall})
            losses = []
        if not args.quiet:
            sys.stderr.write(f"\rstep {step}/{total}  loss {lv:.4f}  {rate:.2f} steps/s  "
                             f"elapsed {_fmt_time(wall)}  ETA {_fmt_time((total - step) / max(rate, 1e-9))}   ")
            sys.stderr.flush()
        if step % tr["val_every"] == 0 or step == total:
            run_validation()
            model.train()
        if step % tr["checkpoint_every"] == 0 or step == total:
            save()
    if not args.quiet:
        sys.stderr.write("\n")
    if step == start_step or step % tr["checkpoint_every"] != 0:
        save()  # nothing run, or stopped by --max-minutes between checkpoints
    print(json.dumps({"checkpoint": ckpt_path, "step": step, "wall_time_s": round(wall, 1),
                      "validation": validation}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
