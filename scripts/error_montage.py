#!/usr/bin/python3
"""Error-map montage of an evaluation (scripts/evaluate.py): one row per (file, R, slice), one
column pair per method: the reconstruction and |reconstruction − target| ×GAIN, both on the
target's scale (0 … target max of the slice), fastMRI's centre crop.

    /usr/bin/python3 scripts/error_montage.py out/gen-eval/baseline/results.json docs/images/generalisation-errors.png \\
        [--methods l1-best tv-best daps] [--accels 4 8] [--gain 5] [--tile 160] [--max-rows 12] [--files NAME ...]

Used to look for structured artefacts (fold-over, aliasing streaks) that one method shows and
the others do not (docs/evaluation.md). The PNG is 8-bit grey; each tile is resized to --tile
pixels (nearest neighbour: no smoothing hides a streak).
"""
import argparse
import json
import os

import h5py
import numpy as np


def crop(img, h, w):
    r0, c0 = (img.shape[-2] - h) // 2, (img.shape[-1] - w) // 2
    return img[..., r0:r0 + h, c0:c0 + w]


def target_volume(path):
    with h5py.File(path, "r") as f:
        single = f["kspace"].ndim == 3
        key = "reconstruction_esc" if single and "reconstruction_esc" in f else "reconstruction_rss"
        return f[key][()]


def tile(img, size):
    ys = (np.arange(size) * img.shape[0] / size).astype(int)
    xs = (np.arange(size) * img.shape[1] / size).astype(int)
    return img[ys][:, xs]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("out")
    ap.add_argument("--methods", nargs="+", default=["l1-best", "tv-best", "daps"])
    ap.add_argument("--accels", type=float, nargs="+", default=[4, 8])
    ap.add_argument("--gain", type=float, default=5.0)
    ap.add_argument("--tile", type=int, default=160)
    ap.add_argument("--max-rows", type=int, default=12)
    ap.add_argument("--files", nargs="*", default=None, help="only files whose name contains one of these")
    a = ap.parse_args(argv)
    res = json.load(open(a.results))
    folder = res["config"]["validation"]
    runs = {(r["file"], r["accel"], r["method"]): r for r in res["runs"] if r.get("status") == "ok"}
    rows = []
    for f, accel in sorted({(r["file"], r["accel"]) for r in res["runs"]}):
        if accel not in a.accels or not all((f, accel, m) in runs for m in a.methods):
            continue
        if a.files and not any(x in f for x in a.files):
            continue
        target = target_volume(os.path.join(folder, f))
        side = min(target.shape[-1], target.shape[-2])
        recs = {}
        for m in a.methods:
            with h5py.File(runs[(f, accel, m)]["reconstruction"], "r") as h:
                recs[m] = (h["reconstruction"][()], int(h.attrs.get("slice_start", 0)))
        n = min(v.shape[0] for v, _ in recs.values())
        for s in range(n):
            t = crop(target[recs[a.methods[0]][1] + s], side, target.shape[-1])
            peak = float(t.max()) or 1.0
            tiles = [tile(t / peak, a.tile)]
            for m in a.methods:
                r = crop(recs[m][0][s], side, target.shape[-1])
                tiles += [tile(r / peak, a.tile), tile(a.gain * np.abs(r - t) / peak, a.tile)]
            rows.append(np.concatenate(tiles, axis=1))
            if len(rows) >= a.max_rows:
                break
        if len(rows) >= a.max_rows:
            break
    if not rows:
        raise SystemExit(f"error_montage: no (file, R) of {a.accels} has every method of {a.methods}")
    from PIL import Image
    img = (np.clip(np.concatenate(rows, axis=0), 0, 1) * 255).astype(np.uint8)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    Image.fromarray(img).save(a.out, optimize=True)
    print(f"wrote {a.out}: {len(rows)} rows (target | per method: reconstruction, |error| x{a.gain:g}); "
          f"columns: target, " + ", ".join(f"{m}, {m} error" for m in a.methods))


if __name__ == "__main__":
    main()
