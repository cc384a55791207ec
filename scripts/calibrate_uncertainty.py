#!/usr/bin/env python3
"""Fit the uncertainty calibration factor k of each DAPS protocol on validation reconstructions.

    /usr/bin/python3 scripts/calibrate_uncertainty.py out/evaluation [--validation out/validation]
    /usr/bin/python3 scripts/calibrate_uncertainty.py EVAL_A EVAL_B --validation VAL_A VAL_B   # pooled over both
        [--method daps-fast] [--target 0.95] [--json out/evaluation/calibration.json]
        [--write-protocols Sources/MRIPipeline/Resources/Protocols]

Input: the output folder of scripts/evaluate.py (recon/<R>x/<method>/<file>.h5 with
`reconstruction`, `posterior_std` and the `protocol` / `uncertainty_scale` attributes) and the
validation files it was run on (targets: `reconstruction_rss`, for single-coil files
`reconstruction_esc`).

For every reconstruction the raw across-draw standard deviation is recovered as
posterior_std / uncertainty_scale (the factor the run used), and the ratio r = |x̂ − x| / std is
collected over the in-object pixels, exactly as `mri-daps eval` scores coverage: the target and
the reconstruction centre-cropped to min(H, W_t) × W_t, in-object = target > 0.1 × the slice's
target maximum. A protocol's k is the `--target` quantile of r pooled over its files, divided
by 1.96, so that |x̂ − x| ≤ 1.96 · k · std holds for that fraction of the pooled pixels.

Because k is fitted on the same validation set, the coverage it gives there is in-sample by
construction. The honest figure is the leave-one-file-out coverage printed next to it: for each
file, k is fitted on the other files of the same protocol and the coverage measured on the
held-out file. With --write-protocols, each protocol JSON's `uncertainty_scale` is set to its
fitted k (rounded to 2 decimals) and its `notes` keep their text.
"""
import argparse
import glob
import json
import os
import sys

import h5py
import numpy as np

QUANTILE_196 = 1.96
OBJECT_THRESHOLD = 0.1


def centre_crop(a, h, w):
    sh, sw = a.shape[-2:]
    h0, w0 = (sh - h) // 2, (sw - w) // 2
    return a[..., h0:h0 + h, w0:w0 + w]


def ratios(recon_path, validation_dir):
    """|error| / raw std over in-object pixels of one reconstruction file; (protocol, r)."""
    with h5py.File(recon_path, "r") as r:
        if "posterior_std" not in r:
            raise SystemExit(f"{recon_path}: no posterior_std (not a DAPS reconstruction)")
        rec = r["reconstruction"][()]
        std = r["posterior_std"][()]
        protocol = r.attrs.get("protocol")
        protocol = protocol.decode() if isinstance(protocol, bytes) else str(protocol)
        k_used = float(r.attrs.get("uncertainty_scale", 1.0))
        start = int(r.attrs.get("slice_start", 0))
    name = os.path.basename(recon_path)
    target_path = os.path.join(validation_dir, name)
    if not os.path.exists(target_path):
        raise SystemExit(f"{recon_path}: no validation file {target_path}")
    with h5py.File(target_path, "r") as v:
        key = "reconstruction_rss" if "reconstruction_rss" in v else "reconstruction_esc"  # single-coil: ESC
        if key not in v:
            raise SystemExit(f"{target_path}: no reconstruction_rss or reconstruction_esc target")
        full = v[key][()]
    out = []
    for i in range(rec.shape[0]):
        g = full[start + i]
        tw = full.shape[2]
        side = min(tw, g.shape[0])
        g = centre_crop(g, side, tw)
        p = centre_crop(rec[i], side, tw)
        s = centre_crop(std[i], side, tw) / k_used
        m = g > OBJECT_THRESHOLD * g.max()
        out.append(np.abs(p[m] - g[m]) / np.maximum(s[m], np.finfo(np.float32).tiny))
    return protocol, np.concatenate(out)


def fit(r, target):
    return float(np.quantile(r, target) / QUANTILE_196)


def coverage(r, k):
    return float(np.mean(r <= QUANTILE_196 * k))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("evaluation", nargs="+", help="output folder(s) of scripts/evaluate.py, pooled per protocol")
    ap.add_argument("--validation", nargs="+", default=["out/validation"],
                    help="the validation folder each evaluation ran on (one per evaluation, in order)")
    ap.add_argument("--method", default="daps-fast", help="the DAPS variant name given to evaluate.py --daps")
    ap.add_argument("--target", type=float, default=0.95, help="pooled coverage the factor is fitted to")
    ap.add_argument("--json", default=None, help="write the table as JSON here")
    ap.add_argument("--write-protocols", default=None, metavar="DIR",
                    help="set uncertainty_scale in DIR/<protocol>.json to the fitted k")
    a = ap.parse_args(argv)
    if not 0 < a.target < 1:
        raise SystemExit(f"--target must lie in (0, 1), got {a.target}")
    if len(a.validation) != len(a.evaluation):
        raise SystemExit(f"give one --validation folder per evaluation ({len(a.evaluation)}), got {len(a.validation)}")
    pairs = []
    for evaluation, validation in zip(a.evaluation, a.validation):
        files = sorted(glob.glob(os.path.join(evaluation, "recon", "*", a.method, "*.h5")))
        if not files:
            raise SystemExit(f"{evaluation}: no reconstructions under recon/*/{a.method}/")
        pairs += [(f, validation) for f in files]
    groups = {}
    for f, validation in pairs:
        protocol, r = ratios(f, validation)
        if protocol.endswith("+overrides"):
            raise SystemExit(f"{f}: protocol {protocol} was overridden on the command line; calibrate presets only")
        groups.setdefault(protocol, []).append((os.path.basename(f), r))
    rows = []
    for protocol in sorted(groups):
        items = groups[protocol]
        pooled = np.concatenate([r for _, r in items])
        k = fit(pooled, a.target)
        held = []
        for i, (name, r) in enumerate(items):
            others = [x for j, (_, x) in enumerate(items) if j != i]
            if not others:
                continue
            k_other = fit(np.concatenate(others), a.target)
            held.append({"file": name, "k_fitted_without": round(k_other, 3), "coverage": round(coverage(r, k_other), 4),
                         "coverage_raw": round(coverage(r, 1.0), 4)})
        rows.append({"protocol": protocol, "files": len(items), "pixels": int(pooled.size), "k": round(k, 3),
                     "coverage_raw": round(coverage(pooled, 1.0), 4), "coverage_in_sample": round(coverage(pooled, k), 4),
                     "leave_one_file_out": held})
    print(f"| protocol | files | k (pooled {a.target:.2f} quantile / 1.96) | coverage, k = 1 | coverage in-sample | "
          "leave-one-file-out coverage per file |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        loo = ", ".join(f"{h['file'].removesuffix('.h5')} {h['coverage']:.3f}" for h in row["leave_one_file_out"]) or "–"
        print(f"| {row['protocol']} | {row['files']} | {row['k']:.2f} | {row['coverage_raw']:.3f} | "
              f"{row['coverage_in_sample']:.3f} | {loo} |")
    if a.json:
        tmp = a.json + ".partial"
        with open(tmp, "w") as fh:
            json.dump({"method": a.method, "target": a.target, "protocols": rows}, fh, indent=1)
        os.replace(tmp, a.json)
    if a.write_protocols:
        for row in rows:
            path = os.path.join(a.write_protocols, row["protocol"] + ".json")
            if not os.path.exists(path):
                raise SystemExit(f"{path}: no such protocol file")
            with open(path) as fh:
                p = json.load(fh)
            p["uncertainty_scale"] = round(row["k"], 2)
            tmp = path + ".partial"
            with open(tmp, "w") as fh:
                json.dump(p, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
            os.replace(tmp, path)
            print(f"{path}: uncertainty_scale {p['uncertainty_scale']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
