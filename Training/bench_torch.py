"""Time EDMUNet D(x, σ) on the CPU at [B, 2, H, W] for B = 1 and 4.

Usage (from Training/ or the repository root):

    /usr/bin/python3 Training/bench_torch.py (--prior FILE.safetensors | --config JSON)
        [--threads N] [--size 320] [--warmup 2] [--repeats 5]

Prints JSON {"ms_batch1", "ms_batch4", "threads", "torch", "config", "parameters", ...}
with the median wall time of one forward pass (torch.no_grad(), float32), plus the
minimum ("min_ms_batchB") and the median process CPU time over all threads
("cpu_ms_batchB"), which are less sensitive to other load on a shared machine.
Weights are random unless --prior is given (speed does not depend on the values).
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from training import safetensors_io  # noqa: E402
from training.model import EDMUNet, make_config, validate_config  # noqa: E402


def time_forward(model, batch, size, warmup, repeats, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, model.config["in_channels"], size, size, generator=g)
    sigma = torch.full((batch,), 1.0)
    times, cpu = [], []
    with torch.no_grad():
        for _ in range(warmup):
            model(x, sigma)
        for _ in range(repeats):
            c0 = time.process_time()
            t0 = time.perf_counter()
            model(x, sigma)
            times.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.process_time() - c0) * 1000.0)
    return statistics.median(times), times, statistics.median(cpu)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark EDMUNet forward passes on the CPU")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--prior", help="safetensors prior file (config and weights)")
    src.add_argument("--config", help="JSON object of config overrides (contract keys)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=320)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.repeats < 5:
        parser.error("--repeats must be at least 5")

    torch.set_num_threads(args.threads)
    if args.prior:
        tensors, metadata = safetensors_io.load(args.prior)
        config = validate_config(json.loads(metadata["config"]))
        model = EDMUNet(config)
        model.load_state_dict(tensors, strict=True)
    else:
        config = make_config(**json.loads(args.config))
        model = EDMUNet(config)
    model.eval()

    result = {}
    for batch in (1, 4):
        median, times, cpu = time_forward(model, batch, args.size, args.warmup, args.repeats)
        result[f"ms_batch{batch}"] = round(median, 1)
        result[f"min_ms_batch{batch}"] = round(min(times), 1)
        result[f"cpu_ms_batch{batch}"] = round(cpu, 1)  # process CPU time, all threads (load-robust)
        result[f"all_ms_batch{batch}"] = [round(t, 1) for t in times]
    result.update({
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "size": args.size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "config": config,
    })
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
