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

λ sweeps (the strongest classical result, as a user tuning λ against the truth would get):
`--l1-lambdas L…` runs our L1-wavelet at each λ (`l1-wavelet@λ`), `--bart-l1-lambdas L…` BART's
(`bart-l1@λ`, replacing the single `--bart-lambda`), `--tv-lambdas L…` BART total variation
(`pics -R T:3:0:λ`, `bart-tv@λ`); BART's ESPIRiT runs once per slice for all of them. Per file
and R the λ with the highest volume PSNR becomes `l1-best` / `bart-l1-best` / `tv-best`
(chosen λ recorded). Every DAPS variant is then compared with each best: mean ΔPSNR / ΔSSIM,
the worst volume's and the worst slice's ΔPSNR (slice by slice, from eval's `slicePSNR`).
A per-file table (PSNR / SSIM / worst slice) closes results.md. `--reuse RESULTS.json` takes
already scored (file, R, method) records from an earlier run with the same files and seed (the
masks are the same: seeded by file name) instead of running them again.

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
         "bart-pics": "L1-wavelet (`bart pics`)", "l1-best": "L1-wavelet (ours), best λ",
         "bart-l1-best": "L1-wavelet (`bart pics`), best λ", "tv-best": "TV (`bart pics -R T`), best λ"}


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


def bart_pics(bart, simulated, outputs, slices, iterations, threads):
    """BART ESPIRiT + `pics` per slice of the undersampled file → one reconstruction file per
    regulariser: ``outputs`` = [(R, out_file)], R a `pics -R` value such as "W:3:0:0.01"
    (L1-wavelet) or "T:3:0:0.003" (total variation). ESPIRiT runs once per slice and is shared.
    Returns (ecalib kernels, {out_file: seconds}), seconds = the slice's ecalib + that pics."""
    with h5py.File(simulated, "r") as f:
        kspace = f["kspace"]
        n = kspace.shape[0] if slices is None else min(slices, kspace.shape[0])
        num_low = int(f.attrs["num_low_frequency"])
        rh, rw = recon_matrix(f)
        recs = {out: [] for _, out in outputs}
        seconds = {out: 0.0 for _, out in outputs}
        kernels = []
        env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
        with tempfile.TemporaryDirectory(prefix="mri-daps-eval-bart-") as tmp:
            for s in range(n):
                k = kspace[s]
                if k.ndim == 2:  # single-coil (H, W)
                    k = k[None]
                write_cfl(os.path.join(tmp, "ksp"), np.transpose(k, (1, 2, 0))[:, :, None, :])
                # BART's default 6×6 kernel needs at least 6 columns in the calibration region
                # it detects (symmetric about W/2); with fewer centre lines (8× brain) shrink it.
                calib = 0.0
                for kernel in range(6, 2, -1):
                    cmd = ["ecalib", "-m1", "-k", str(kernel), "ksp", "sens"]
                    rc, _, err, dt = run([bart] + cmd, cwd=tmp, env=env)
                    calib += dt
                    if rc == 0:
                        kernels.append(kernel)
                        break
                else:
                    raise RuntimeError(f"bart ecalib failed for kernels 6…3: {tail(err)}")
                for reg, out in outputs:
                    cmd = ["pics", "-S", "-R", reg, "-i", str(iterations), "ksp", "sens", "rec"]
                    rc, _, err, dt = run([bart] + cmd, cwd=tmp, env=env)
                    seconds[out] += calib + dt
                    if rc != 0:
                        raise RuntimeError(f"bart {' '.join(cmd)} exited {rc}: {tail(err)}")
                    img = np.abs(read_cfl(os.path.join(tmp, "rec")).reshape(k.shape[1], k.shape[2], order="F"))
                    r0, c0 = (img.shape[0] - rh) // 2, (img.shape[1] - rw) // 2
                    recs[out].append(img[r0:r0 + rh, c0:c0 + rw].astype(np.float32))
    for reg, out in outputs:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with h5py.File(out, "w") as o:
            o.create_dataset("reconstruction", data=np.stack(recs[out]))
            o.attrs["method"] = "bart-pics"
            o.attrs["slice_start"] = 0
            o.attrs["num_low_frequency"] = num_low
            o.attrs["ecalib_kernels"] = np.array(kernels, np.int64)
            o.attrs["bart_commands"] = (f"bart ecalib -m1 -k K ksp sens (K per slice: ecalib_kernels); "
                                        f"bart pics -S -R {reg} -i {iterations} ksp sens rec")
    return kernels, seconds


# ------------------------------------------------------------------ main loop

SCORE_KEYS = ("nmse", "psnr", "ssim", "coverage", "stdErrorCorrelation", "regionalSpearman", "objectPixels",
              "slicePSNR", "sliceSSIM")
FAMILIES = {"l1-best": "l1-wavelet@", "bart-l1-best": "bart-l1@", "tv-best": "bart-tv@"}


def score_into(record, binary, target, rec):
    """`mri-daps eval` scores of ``rec`` into ``record`` (status ok) and one log line."""
    scores = evaluate_file(binary, target, rec)
    for key in SCORE_KEYS:
        record[key] = scores.get(key)
    record["status"] = "ok"
    extra = "" if record["coverage"] is None else \
        f", coverage {record['coverage']:.3f}, corr {record['stdErrorCorrelation'] or float('nan'):.3f}"
    log(f"  {record['method']}: PSNR {record['psnr']:.2f} dB, SSIM {record['ssim']:.4f}{extra}, "
        f"{record['seconds'] / record['slices']:.2f} s/slice")


def run_bart(a, bart, regs, sim, target, tag, name, base, binary):
    """Every BART regulariser on one undersampled file (ESPIRiT shared) → records."""
    outs = [(reg, os.path.join(a.out, "recon", tag, method, name)) for method, reg in regs]
    records = [dict(base, method=method, reconstruction=out) for (method, _), (_, out) in zip(regs, outs)]
    try:
        kernels, seconds = bart_pics(bart, sim, outs, base["slices"], a.bart_iterations, a.bart_threads)
        for r, (reg, out) in zip(records, outs):
            r["ecalibKernels"] = kernels
            r["command"] = (f"OMP_NUM_THREADS={a.bart_threads} bart ecalib -m1 -k {max(kernels)}…{min(kernels)}; "
                            f"bart pics -S -R {reg} -i {a.bart_iterations}")
            r["seconds"] = seconds[out]
            score_into(r, binary, target, out)
    except (RuntimeError, OSError, ValueError, KeyError) as e:
        for r in records:
            if r.get("status") != "ok":
                r["status"], r["error"] = "failed", str(e)
        log(f"  bart: FAILED — {e}")
    return records


def best_of(records, families):
    """Per family, the λ whose volume PSNR against the truth is highest (a BART user tuning λ)."""
    out = []
    for fam in families:
        cands = [r for r in records if r["method"].startswith(FAMILIES[fam]) and r.get("status") == "ok"]
        if not cands:
            out.append(dict(records[0], method=fam, status="failed", error="no λ succeeded"))
            continue
        top = max(cands, key=lambda r: r["psnr"])
        out.append(dict(top, method=fam, chosenLambda=float(top["method"].split("@")[1])))
    return out

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


def groups(rows):
    """The (anatomy, accel) pairs of ``rows``, knee first, then by name and acceleration."""
    return sorted({(r["anatomy"], r["accel"]) for r in rows}, key=lambda k: (k[0] != "knee", k[0], k[1]))


def summarise(runs, methods):
    """Mean over volumes per (anatomy, accel, method)."""
    table = []
    keys = groups(runs)
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
                for key in ("coverage", "stdErrorCorrelation", "regionalSpearman"):
                    vals = [r[key] for r in ok if r.get(key) is not None]
                    row[key] = float(np.mean(vals)) if vals else None
                row["worstSlicePSNR"] = float(min(min(r.get("slicePSNR") or [r["psnr"]]) for r in ok))
                lams = [r["chosenLambda"] for r in ok if "chosenLambda" in r]
                row["chosenLambdas"] = sorted(set(lams)) if lams else None
                row["secondsPerSlice"] = sum(r["seconds"] for r in ok) / max(1, row["slices"])
                row["effectiveAcceleration"] = float(np.mean([r["effectiveAcceleration"] for r in ok]))
            else:
                row["error"] = rs[0].get("error")
            table.append(row)
    return table


def margins(runs, variants, bests):
    """Each variant against each best-λ classical family, per (anatomy, accel): mean over volumes
    of ΔPSNR and ΔSSIM, the worst slice's ΔPSNR (slice by slice, same slice), and the files."""
    table = []
    ok = {(r["file"], r["accel"], r["method"]): r for r in runs if r.get("status") == "ok"}
    for anatomy, accel in groups(runs):
        files = sorted({r["file"] for r in runs if r["anatomy"] == anatomy and r["accel"] == accel})
        for v in variants:
            for b in bests:
                pairs = [(ok[(f, accel, v)], ok[(f, accel, b)]) for f in files if (f, accel, v) in ok and (f, accel, b) in ok]
                if not pairs:
                    continue
                slice_d = [pv - pb for rv, rb in pairs for pv, pb in zip(rv["slicePSNR"] or [], rb["slicePSNR"] or [])]
                table.append({"anatomy": anatomy, "accel": accel, "variant": v, "versus": b, "volumes": len(pairs),
                              "dPSNR": float(np.mean([rv["psnr"] - rb["psnr"] for rv, rb in pairs])),
                              "dSSIM": float(np.mean([rv["ssim"] - rb["ssim"] for rv, rb in pairs])),
                              "worstSliceDPSNR": float(min(slice_d)) if slice_d else None,
                              "worstVolumeDPSNR": float(min(rv["psnr"] - rb["psnr"] for rv, rb in pairs))})
    return table


def margin_markdown(rows):
    if not rows:
        return ""
    out = ["### Margins over the best classical result (λ chosen against the truth per file and R)", "",
           "| anatomy | R | variant | versus | volumes | ΔPSNR mean (dB) | ΔSSIM mean | worst volume ΔPSNR | worst slice ΔPSNR |",
           "|---|---:|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        w = "–" if r["worstSliceDPSNR"] is None else f"{r['worstSliceDPSNR']:+.2f}"
        out.append(f"| {r['anatomy']} | {r['accel']:g}× | {r['variant']} | {r['versus']} | {r['volumes']} | "
                   f"{r['dPSNR']:+.2f} | {r['dSSIM']:+.4f} | {r['worstVolumeDPSNR']:+.2f} | {w} |")
    return "\n".join(out + [""])


def per_file_markdown(runs, methods):
    out = ["### Per file (PSNR / SSIM / worst slice PSNR)", "",
           "| file | R | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
    ok = {(r["file"], r["accel"], r["method"]): r for r in runs if r.get("status") == "ok"}
    for f, accel in sorted({(r["file"], r["accel"]) for r in runs}):
        cells = []
        for m in methods:
            r = ok.get((f, accel, m))
            cells.append("–" if r is None else f"{r['psnr']:.2f} / {r['ssim']:.3f} / {min(r.get('slicePSNR') or [r['psnr']]):.2f}")
        out.append(f"| {f} | {accel:g}× | " + " | ".join(cells) + " |")
    return "\n".join(out + [""])


def markdown(summary, masks):
    out = []
    for anatomy, accel in groups(summary):
        rows = [r for r in summary if r["anatomy"] == anatomy and r["accel"] == accel]
        m = [x for x in masks if x["anatomy"] == anatomy and x["accel"] == accel]
        eff = np.mean([x["effectiveAcceleration"] for x in m]) if m else float("nan")
        kind = m[0]["mask"] if m else "?"
        cf = m[0]["centerFraction"] if m else float("nan")
        files = ", ".join(sorted({x["file"] for x in m}))
        out.append(f"### {anatomy}, {accel:g}× ({kind} mask, centre fraction {cf:g}, effective {eff:.2f}×; "
                   f"{rows[0]['volumes'] + rows[0]['failed']} volumes, {max(r['slices'] for r in rows)} slices: {files})")
        out.append("")
        out.append("| method | NMSE | PSNR (dB) | SSIM | worst slice PSNR | coverage | corr(std,\\|err\\|) | regional Spearman | s/slice |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            name = LABEL.get(r["method"], r["method"])
            if not r["volumes"]:
                out.append(f"| {name} | failed | | | | | | | |")
                continue
            if r.get("chosenLambdas"):
                name += " (λ " + ", ".join(f"{x:g}" for x in r["chosenLambdas"]) + ")"
            cov = "–" if r["coverage"] is None else f"{r['coverage']:.3f}"
            cor = "–" if r["stdErrorCorrelation"] is None else f"{r['stdErrorCorrelation']:.3f}"
            reg = "–" if r.get("regionalSpearman") is None else f"{r['regionalSpearman']:.3f}"
            note = (f" ({r['failed']} of {r['failed'] + r['volumes']} volumes failed; mean of the rest)"
                    if r["failed"] else "")
            out.append(f"| {name}{note} | {r['nmse']:.4f} | {r['psnr']:.2f} | {r['ssim']:.4f} | {r['worstSlicePSNR']:.2f} | "
                       f"{cov} | {cor} | {reg} | {r['secondsPerSlice']:.2f} |")
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
    ap.add_argument("--l1-lambdas", type=float, nargs="*", default=[],
                    help="also run our L1-wavelet at each λ and report the best per file and R ('l1-best', λ chosen against the truth)")
    ap.add_argument("--bart-l1-lambdas", type=float, nargs="*", default=[],
                    help="BART L1-wavelet at each λ instead of the single --bart-lambda ('bart-l1-best')")
    ap.add_argument("--tv-lambdas", type=float, nargs="*", default=[],
                    help="BART total variation (pics -R T:3:0:λ) at each λ ('tv-best')")
    ap.add_argument("--bart-iterations", type=int, default=100)
    ap.add_argument("--bart-threads", type=int, default=1, help="OMP_NUM_THREADS for bart (0: leave unset)")
    ap.add_argument("--daps", type=parse_variant, action="append", default=[], metavar="NAME:ARGS",
                    help="a reconstruction variant: recon arguments, {anatomy} and {accel} substituted (repeatable)")
    ap.add_argument("--files", nargs="*", default=None, help="only files whose name contains one of these")
    ap.add_argument("--max-slices", type=int, default=None, help="reconstruct only the first N slices of each file")
    ap.add_argument("--seed", type=int, default=0, help="mask seed (mixed with each file name)")
    ap.add_argument("--mri-daps", default=None, help="binary (default: .build/release, else .build/debug)")
    ap.add_argument("--reuse", action="append", default=[], metavar="RESULTS.json",
                    help="take the scored record of a (file, R, method) from an earlier run's results.json instead of "
                         "running it again (same files, seed and options; repeatable, first match wins)")
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
    l1_sweep = [f"l1-wavelet@{lam:g}" for lam in a.l1_lambdas]
    bart_regs = []  # (method, pics -R value)
    if bart:
        bart_regs = ([(f"bart-l1@{lam:g}", f"W:3:0:{lam:g}") for lam in a.bart_l1_lambdas]
                     or [("bart-pics", f"W:3:0:{a.bart_lambda:g}")])
        bart_regs += [(f"bart-tv@{lam:g}", f"T:3:0:{lam:g}") for lam in a.tv_lambdas]
    best = [fam for fam, on in (("l1-best", l1_sweep), ("bart-l1-best", a.bart_l1_lambdas and bart),
                                ("tv-best", a.tv_lambdas and bart)) if on]
    methods = list(a.methods) + l1_sweep + [m for m, _ in bart_regs] + best + names
    log(f"evaluate: {binary}; bart {'at ' + bart if bart else 'not used'}; {len(files)} files × {a.accels}")

    reused = {}
    for path in a.reuse:
        for r in json.load(open(path))["runs"]:
            if r.get("status") == "ok":
                reused.setdefault((r["file"], r["accel"], r["method"]), dict(r, reusedFrom=os.path.abspath(path)))
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
            jobs += [(m, ["--method", "l1-wavelet", "--lambda", f"{lam:g}"]) for m, lam in zip(l1_sweep, a.l1_lambdas)]
            if bart_regs:
                jobs.append(("bart", None))
            for vname, vargs in a.daps:
                jobs.append((vname, shlex.split(vargs.replace("{anatomy}", anatomy).replace("{accel}", f"{accel:g}"))))
            base = {"file": name, "anatomy": anatomy, "accel": accel, "slices": slices, "effectiveAcceleration": eff}
            done = []
            for method, args in jobs:
                names_here = [m for m, _ in bart_regs] if args is None else [method]
                if names_here and all((name, accel, m) in reused for m in names_here):
                    done += [reused[(name, accel, m)] for m in names_here]
                    log(f"  {', '.join(names_here)}: reused")
                    continue
                if args is None:
                    done += run_bart(a, bart, bart_regs, sim, path, tag, name, base, binary)
                    continue
                rec_dir = os.path.join(a.out, "recon", tag, method)
                rec = os.path.join(rec_dir, name)
                record = dict(base, method=method, reconstruction=rec)
                try:
                    cmd = [binary, "recon", sim] + args + ["--out", rec_dir, "--force"]
                    if a.max_slices is not None:
                        cmd += ["--slices", f"0:{slices}"]
                    record["command"] = " ".join(shlex.quote(c) for c in cmd)
                    rc, out, err, seconds = run(cmd)
                    if rc != 0:
                        raise RuntimeError(f"recon exited {rc}: {tail(err)}")
                    record["seconds"] = seconds
                    score_into(record, binary, path, rec)
                except (RuntimeError, OSError, ValueError, KeyError) as e:
                    record["status"] = "failed"
                    record["error"] = str(e)
                    log(f"  {method}: FAILED — {e}")
                done.append(record)
            done += best_of(done, best)
            runs += done

    summary = summarise(runs, methods)
    margin = margins(runs, names, best)
    config = {"validation": os.path.abspath(a.validation), "binary": binary, "bart": bart,
              "accels": a.accels, "methods": methods, "daps": [{"name": n, "args": v} for n, v in a.daps],
              "maxSlices": a.max_slices, "seed": a.seed, "bartLambda": a.bart_lambda, "l1Lambdas": a.l1_lambdas,
              "bartL1Lambdas": a.bart_l1_lambdas, "tvLambdas": a.tv_lambdas,
              "bartIterations": a.bart_iterations, "bartThreads": a.bart_threads, "wallSeconds": time.monotonic() - started,
              "command": " ".join(shlex.quote(x) for x in [sys.argv[0]] + (argv if argv is not None else sys.argv[1:]))}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"config": config, "masks": masks, "summary": summary, "margins": margin, "runs": runs}, f, indent=1)
    md = markdown(summary, masks) + "\n" + margin_markdown(margin) + "\n" + per_file_markdown(runs, methods)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    log(f"evaluate: wrote {os.path.join(a.out, 'results.json')} and results.md "
        f"({config['wallSeconds']:.0f} s)")
    return 1 if any(r["status"] != "ok" for r in runs if r["method"] in CLASSICAL or "@" in r["method"]) else 0


if __name__ == "__main__":
    sys.exit(main())
