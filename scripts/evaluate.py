#!/usr/bin/python3
"""The evaluation command of issue 5: every method on every validation file, scored with
`mri-daps eval` (fastMRI NMSE / PSNR / SSIM, and the calibration of `posterior_std`).

    /usr/bin/python3 scripts/evaluate.py out/validation --out out/evaluation \\
        [--accels 4 8] [--methods zero-filled sense l1-wavelet] [--no-bart] \\
        [--daps "fast:--method daps --prior {anatomy} --protocol {anatomy}-{accel}x" ...] \\
        [--files knee19 IXI051] [--max-slices N] [--seed 0] [--mri-daps .build/release/mri-daps]

For each validation file (scripts/make_validation_set.py) and acceleration R:
1. `mri-daps simulate FILE --accel R --mask KIND --center-fraction 0.32/R --seed S` writes one
   undersampled fastMRI test-layout file; every method reconstructs that same file, so all
   see the same mask. KIND: knee (acquisition CORPD*) `random`, brain `equispaced` (fastMRI's
   conventions; 0.32/R is 0.08 at 4× and 0.04 at 8×). The mask seed is S mixed with the file
   name (MaskPlan), fixed by --seed.
2. `mri-daps recon SIM --method M` for the classical methods (defaults: CG-SENSE λ 0.001, 30
   iterations; L1-wavelet λ 0.01, 100 FISTA iterations; ESPIRiT maps with the `auto` fallbacks).
3. BART when `bart` is on PATH: per slice, the masked k-space as .cfl (H, W, 1, coils),
   `bart ecalib -m1 -k K ksp sens` (BART's default calibration size 24: it takes the fully
   sampled centre it detects, symmetric about W/2, up to 24 × 24; K = 6, BART's default
   kernel, and 5, 4, 3 are tried in turn when the detected region is narrower, as with the
   5 centre lines of the 8× brain masks; the kernel used is recorded), `bart pics -S -R W:3:0:λ -i 100 ksp sens
   rec` (λ 0.01 as ours), magnitude, centre crop to the recon matrix, written as a
   reconstruction file (method `bart-pics`). `-r NUM_LOW` (a NUM_LOW × NUM_LOW region, as
   `mri-daps bench` uses at 26 lines) is not used: with the 10 or 5 centre lines of the brain
   masks ESPIRiT's eigenvalue crop then removes parts of the head (IXI051 4×: 23.4 dB instead
   of 34.2 dB). BART runs with OMP_NUM_THREADS=1 by default (--bart-threads): on this shared
   2-core machine its OpenMP threads otherwise spin against the other jobs (pics 17 s instead
   of 3.3 s on a 128×128×8 slice).
4. DAPS (or any other) variants from `--daps NAME:ARGS`: `mri-daps recon SIM ARGS`, where
   `{anatomy}` (knee | brain) and `{accel}` (4, 8) in ARGS are substituted. A variant that
   fails is reported as failed; the run goes on.
5. `mri-daps eval --json --target FILE REC` per reconstruction.

Seconds per slice = wall time of the `mri-daps recon` process (start-up, reading, ESPIRiT,
reconstruction, writing) / slices; for BART the summed `ecalib` + `pics` wall time / slices.
Summary figures are means over volumes (fastMRI's convention), per anatomy × acceleration.
Writes OUT/results.json (everything) and OUT/results.md (the tables) and prints the tables.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLASSICAL = ("zero-filled", "sense", "l1-wavelet")
LABEL = {"zero-filled": "zero-filled (RSS)", "sense": "CG-SENSE (ours)", "l1-wavelet": "L1-wavelet (ours)",
         "bart-pics": "L1-wavelet (`bart pics`)"}


# ------------------------------------------------------------------ helpers

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Runs cmd; returns (returncode, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def tail(text, n=3):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])


def anatomy_of(path):
    with h5py.File(path, "r") as f:
        a = f.attrs.get("anatomy")
        acq = f.attrs.get("acquisition", "")
    a = a.decode() if isinstance(a, bytes) else a
    acq = acq.decode() if isinstance(acq, bytes) else str(acq)
    if a in ("knee", "brain"):
        return a
    return "knee" if acq.upper().startswith("CORPD") or "KNEE" in acq.upper() else "brain"


def default_binary():
    for kind in ("release", "debug"):
        p = os.path.join(ROOT, ".build", kind, "mri-daps")
        if os.path.exists(p):
            return p
    return shutil.which("mri-daps") or os.path.join(ROOT, ".build", "release", "mri-daps")


# ------------------------------------------------------------------ BART

def write_cfl(base, array):
    array = np.asarray(array, dtype=np.complex64)
    dims = list(array.shape) + [1] * (16 - array.ndim)
    with open(base + ".hdr", "w") as f:
        f.write("# Dimensions\n" + " ".join(str(d) for d in dims) + "\n")
    array.ravel(order="F").astype("<c8").tofile(base + ".cfl")


def read_cfl(base):
    with open(base + ".hdr") as f:
        lines = [ln.strip() for ln in f]
    dims = [int(v) for v in lines[lines.index("# Dimensions") + 1].split()]
    return np.fromfile(base + ".cfl", dtype="<c8").reshape(dims, order="F")


def recon_matrix(f):
    """(H, W) of the header's reconSpace matrix, else the k-space size."""
    import xml.etree.ElementTree as ET
    h, w = f["kspace"].shape[-2:]
    if "ismrmrd_header" in f:
        raw = f["ismrmrd_header"][()]
        try:
            root = ET.fromstring(raw.decode() if isinstance(raw, bytes) else raw)
            ns = {"m": "http://www.ismrm.org/ISMRMRD"}
            m = root.find("m:encoding/m:reconSpace/m:matrixSize", ns)
            return min(h, int(m.find("m:x", ns).text)), min(w, int(m.find("m:y", ns).text))
        except (ET.ParseError, AttributeError, ValueError):
            pass
    return h, w


def bart_pics(bart, simulated, out_file, slices, lam, iterations, threads):
    """BART ESPIRiT + L1-wavelet per slice of the undersampled file → reconstruction file.
    Returns the summed bart wall time."""
    with h5py.File(simulated, "r") as f:
        kspace = f["kspace"]
        n = kspace.shape[0] if slices is None else min(slices, kspace.shape[0])
        num_low = int(f.attrs["num_low_frequency"])
        rh, rw = recon_matrix(f)
        recs, seconds, kernels = [], 0.0, []
        env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
        with tempfile.TemporaryDirectory(prefix="mri-daps-eval-bart-") as tmp:
            for s in range(n):
                k = kspace[s]  # (coils, H, W)
                write_cfl(os.path.join(tmp, "ksp"), np.transpose(k, (1, 2, 0))[:, :, None, :])
                # BART's default 6×6 kernel needs at least 6 columns in the calibration region
                # it detects (symmetric about W/2); with fewer centre lines (8× brain) shrink it.
                for kernel in range(6, 2, -1):
                    cmd = ["ecalib", "-m1", "-k", str(kernel), "ksp", "sens"]
                    rc, _, err, dt = run([bart] + cmd, cwd=tmp, env=env)
                    seconds += dt
                    if rc == 0:
                        kernels.append(kernel)
                        break
                else:
                    raise RuntimeError(f"bart ecalib failed for kernels 6…3: {tail(err)}")
                cmd = ["pics", "-S", "-R", f"W:3:0:{lam:g}", "-i", str(iterations), "ksp", "sens", "rec"]
                rc, _, err, dt = run([bart] + cmd, cwd=tmp, env=env)
                seconds += dt
                if rc != 0:
                    raise RuntimeError(f"bart {' '.join(cmd)} exited {rc}: {tail(err)}")
                img = np.abs(read_cfl(os.path.join(tmp, "rec")).reshape(k.shape[1], k.shape[2], order="F"))
                r0, c0 = (img.shape[0] - rh) // 2, (img.shape[1] - rw) // 2
                recs.append(img[r0:r0 + rh, c0:c0 + rw].astype(np.float32))
    os.makedirs(os.path.dirname(out_file), exist_ok=True)
    with h5py.File(out_file, "w") as o:
        o.create_dataset("reconstruction", data=np.stack(recs))
        o.attrs["method"] = "bart-pics"
        o.attrs["slice_start"] = 0
        o.attrs["num_low_frequency"] = num_low
        o.attrs["ecalib_kernels"] = np.array(kernels, np.int64)
        o.attrs["bart_commands"] = (f"bart ecalib -m1 -k K ksp sens (K per slice: ecalib_kernels); "
                                    f"bart pics -S -R W:3:0:{lam:g} -i {iterations} ksp sens rec")
    return kernels, seconds


# ------------------------------------------------------------------ main loop

def evaluate_file(binary, target, recon):
    rc, out, err, _ = run([binary, "eval", "--json", "--target", target, recon])
    if rc != 0:
        raise RuntimeError(f"eval exited {rc}: {tail(err)}")
    return json.loads(out)[0]


def parse_variant(spec):
    if ":" not in spec:
        raise argparse.ArgumentTypeError(f"--daps {spec!r}: expected NAME:ARGS")
    name, args = spec.split(":", 1)
    if not name or "/" in name:
        raise argparse.ArgumentTypeError(f"--daps {spec!r}: NAME must be a plain word")
    return name, args


def summarise(runs, methods):
    """Mean over volumes per (anatomy, accel, method)."""
    table = []
    keys = sorted({(r["anatomy"], r["accel"]) for r in runs}, key=lambda k: (k[0] != "knee", k[0], k[1]))
    for anatomy, accel in keys:
        for m in methods:
            rs = [r for r in runs if r["anatomy"] == anatomy and r["accel"] == accel and r["method"] == m]
            if not rs:
                continue
            ok = [r for r in rs if r["status"] == "ok"]
            row = {"anatomy": anatomy, "accel": accel, "method": m, "volumes": len(ok), "failed": len(rs) - len(ok),
                   "slices": sum(r["slices"] for r in ok)}
            if ok:
                for key in ("nmse", "psnr", "ssim"):
                    row[key] = float(np.mean([r[key] for r in ok]))
                for key in ("coverage", "stdErrorCorrelation"):
                    vals = [r[key] for r in ok if r.get(key) is not None]
                    row[key] = float(np.mean(vals)) if vals else None
                row["secondsPerSlice"] = sum(r["seconds"] for r in ok) / max(1, row["slices"])
                row["effectiveAcceleration"] = float(np.mean([r["effectiveAcceleration"] for r in ok]))
            else:
                row["error"] = rs[0].get("error")
            table.append(row)
    return table


def markdown(summary, masks):
    out = []
    for anatomy, accel in sorted({(r["anatomy"], r["accel"]) for r in summary}, key=lambda k: (k[0] != "knee", k[0], k[1])):
        rows = [r for r in summary if r["anatomy"] == anatomy and r["accel"] == accel]
        m = [x for x in masks if x["anatomy"] == anatomy and x["accel"] == accel]
        eff = np.mean([x["effectiveAcceleration"] for x in m]) if m else float("nan")
        kind = m[0]["mask"] if m else "?"
        cf = m[0]["centerFraction"] if m else float("nan")
        files = ", ".join(sorted({x["file"] for x in m}))
        out.append(f"### {anatomy}, {accel:g}× ({kind} mask, centre fraction {cf:g}, effective {eff:.2f}×; "
                   f"{rows[0]['volumes'] + rows[0]['failed']} volumes, {max(r['slices'] for r in rows)} slices: {files})")
        out.append("")
        out.append("| method | NMSE | PSNR (dB) | SSIM | coverage | corr(std,\\|err\\|) | s/slice |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            name = LABEL.get(r["method"], r["method"])
            if not r["volumes"]:
                out.append(f"| {name} | failed | | | | | |")
                continue
            cov = "–" if r["coverage"] is None else f"{r['coverage']:.3f}"
            cor = "–" if r["stdErrorCorrelation"] is None else f"{r['stdErrorCorrelation']:.3f}"
            note = (f" ({r['failed']} of {r['failed'] + r['volumes']} volumes failed; mean of the rest)"
                    if r["failed"] else "")
            out.append(f"| {name}{note} | {r['nmse']:.4f} | {r['psnr']:.2f} | {r['ssim']:.4f} | {cov} | {cor} | "
                       f"{r['secondsPerSlice']:.2f} |")
        out.append("")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("validation", help="folder of validation files (scripts/make_validation_set.py)")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "evaluation"))
    ap.add_argument("--accels", type=float, nargs="+", default=[4, 8])
    ap.add_argument("--methods", nargs="*", default=list(CLASSICAL), choices=list(CLASSICAL) + ["mvue"])
    ap.add_argument("--no-bart", action="store_true", help="skip bart pics even when bart is installed")
    ap.add_argument("--bart-lambda", type=float, default=0.01)
    ap.add_argument("--bart-iterations", type=int, default=100)
    ap.add_argument("--bart-threads", type=int, default=1, help="OMP_NUM_THREADS for bart (0: leave unset)")
    ap.add_argument("--daps", type=parse_variant, action="append", default=[], metavar="NAME:ARGS",
                    help="a reconstruction variant: recon arguments, {anatomy} and {accel} substituted (repeatable)")
    ap.add_argument("--files", nargs="*", default=None, help="only files whose name contains one of these")
    ap.add_argument("--max-slices", type=int, default=None, help="reconstruct only the first N slices of each file")
    ap.add_argument("--seed", type=int, default=0, help="mask seed (mixed with each file name)")
    ap.add_argument("--mri-daps", default=None, help="binary (default: .build/release, else .build/debug)")
    a = ap.parse_args(argv)

    binary = a.mri_daps or default_binary()
    if not os.path.exists(binary):
        sys.exit(f"evaluate: {binary}: no mri-daps binary (swift build -c release)")
    bart = None if a.no_bart else shutil.which("bart")
    files = sorted(os.path.join(a.validation, f) for f in os.listdir(a.validation) if f.endswith(".h5"))
    if a.files:
        files = [f for f in files if any(s in os.path.basename(f) for s in a.files)]
    if not files:
        sys.exit(f"evaluate: no validation .h5 files in {a.validation} (filter {a.files})")
    if a.max_slices is not None and a.max_slices < 1:
        sys.exit("evaluate: --max-slices must be ≥ 1")
    names = [v[0] for v in a.daps]
    if len(set(names)) != len(names) or set(names) & (set(CLASSICAL) | {"bart-pics", "mvue"}):
        sys.exit(f"evaluate: --daps names must be distinct and differ from the classical methods ({names})")
    methods = list(a.methods) + (["bart-pics"] if bart else []) + names
    log(f"evaluate: {binary}; bart {'at ' + bart if bart else 'not used'}; {len(files)} files × {a.accels}")

    runs, masks = [], []
    started = time.monotonic()
    for path in files:
        name = os.path.basename(path)
        anatomy = anatomy_of(path)
        kind = "random" if anatomy == "knee" else "equispaced"
        for accel in a.accels:
            tag = f"{accel:g}x"
            cf = min(0.5, 0.32 / accel)
            sim = os.path.join(a.out, "simulated", tag, name)
            os.makedirs(os.path.dirname(sim), exist_ok=True)
            rc, out, err, _ = run([binary, "simulate", path, "--accel", f"{accel:g}", "--mask", kind,
                                   "--center-fraction", f"{cf:g}", "--seed", str(a.seed), "-o", sim, "--force"])
            if rc != 0:
                sys.exit(f"evaluate: simulate {name} {tag} failed: {tail(err)}")
            with h5py.File(sim, "r") as f:
                mask = f["mask"][()]
                n_slices = f["kspace"].shape[0]
                num_low = int(f.attrs["num_low_frequency"])
            slices = n_slices if a.max_slices is None else min(a.max_slices, n_slices)
            eff = mask.size / max(1, int(np.count_nonzero(mask)))
            masks.append({"file": name, "anatomy": anatomy, "accel": accel, "mask": kind, "centerFraction": cf,
                          "sampledColumns": int(np.count_nonzero(mask)), "width": int(mask.size),
                          "numLowFrequencies": num_low, "effectiveAcceleration": eff})
            log(f"{name} {tag}: {kind} mask, {np.count_nonzero(mask)}/{mask.size} columns ({num_low} centre), "
                f"{eff:.2f}×, {slices} slices")
            jobs = [(m, ["--method", m]) for m in a.methods]
            if bart:
                jobs.append(("bart-pics", None))
            for vname, vargs in a.daps:
                jobs.append((vname, shlex.split(vargs.replace("{anatomy}", anatomy).replace("{accel}", f"{accel:g}"))))
            for method, args in jobs:
                rec_dir = os.path.join(a.out, "recon", tag, method)
                rec = os.path.join(rec_dir, name)
                record = {"file": name, "anatomy": anatomy, "accel": accel, "method": method, "slices": slices,
                          "effectiveAcceleration": eff, "reconstruction": rec}
                try:
                    if args is None:
                        kernels, seconds = bart_pics(bart, sim, rec, slices, a.bart_lambda, a.bart_iterations, a.bart_threads)
                        record["ecalibKernels"] = kernels
                        record["command"] = (f"OMP_NUM_THREADS={a.bart_threads} bart ecalib -m1 -k {max(kernels)}…{min(kernels)}; "
                                             f"bart pics -S -R W:3:0:{a.bart_lambda:g} -i {a.bart_iterations}")
                    else:
                        cmd = [binary, "recon", sim] + args + ["--out", rec_dir, "--force"]
                        if a.max_slices is not None:
                            cmd += ["--slices", f"0:{slices}"]
                        record["command"] = " ".join(shlex.quote(c) for c in cmd)
                        rc, out, err, seconds = run(cmd)
                        if rc != 0:
                            raise RuntimeError(f"recon exited {rc}: {tail(err)}")
                    record["seconds"] = seconds
                    scores = evaluate_file(binary, path, rec)
                    for key in ("nmse", "psnr", "ssim", "coverage", "stdErrorCorrelation", "objectPixels"):
                        record[key] = scores.get(key)
                    record["status"] = "ok"
                    extra = "" if record["coverage"] is None else \
                        f", coverage {record['coverage']:.3f}, corr {record['stdErrorCorrelation'] or float('nan'):.3f}"
                    log(f"  {method}: PSNR {record['psnr']:.2f} dB, SSIM {record['ssim']:.4f}{extra}, "
                        f"{seconds / slices:.2f} s/slice")
                except (RuntimeError, OSError, ValueError, KeyError) as e:
                    record["status"] = "failed"
                    record["error"] = str(e)
                    log(f"  {method}: FAILED — {e}")
                runs.append(record)

    summary = summarise(runs, methods)
    config = {"validation": os.path.abspath(a.validation), "binary": binary, "bart": bart,
              "accels": a.accels, "methods": methods, "daps": [{"name": n, "args": v} for n, v in a.daps],
              "maxSlices": a.max_slices, "seed": a.seed, "bartLambda": a.bart_lambda,
              "bartIterations": a.bart_iterations, "bartThreads": a.bart_threads, "wallSeconds": time.monotonic() - started,
              "command": " ".join(shlex.quote(x) for x in [sys.argv[0]] + (argv if argv is not None else sys.argv[1:]))}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"config": config, "masks": masks, "summary": summary, "runs": runs}, f, indent=1)
    md = markdown(summary, masks)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    log(f"evaluate: wrote {os.path.join(a.out, 'results.json')} and results.md "
        f"({config['wallSeconds']:.0f} s)")
    return 1 if any(r["status"] != "ok" for r in runs if r["method"] in CLASSICAL) else 0


if __name__ == "__main__":
    sys.exit(main())
