"""Pack training sources into NumPy files that travel, for training where the readers are missing.

    /usr/bin/python3 -m training.pack --data ROOT [--data ROOT ...] --out DIR [--max-size 256]

Each ``--data`` root (a folder searched as training searches it, or one file) becomes the folder
``DIR/<its last three path components joined by '-'>`` (so the dataset names that the model card
recognises stay in the path) holding one ``NAME.src.npz`` per source: what
:func:`training.data.read_source` read — the NIfTI's canonical volume and voxel sizes, the DICOM
series' sorted slices and spacing, the .cfl or .h5 slices — compressed. ``training.train --data
DIR/<root>`` then sees the same sources, names, planes and slices as with the original root, and
needs neither nibabel nor pydicom (a lent GPU machine has neither).

``--max-size N``: DICOM series whose slices are larger than N pixels on a side are averaged down
by the smallest integer factor that brings them to N or below (the pixel spacing grows by the same factor, so the
reslicing rule sees the true geometry). Used for the pyKNEEr series, whose 512 × 512 DICOM images
were interpolated from 512 × 320 and 320 × 256 acquisitions. Integer-valued data is stored as
uint8, uint16 or int16 when it fits (rounded after averaging), integer multiples of one step (a
NIfTI's scaling) as those integers and the step, complex data whose imaginary part is zero as
real, everything else as float32; every source not averaged down reads back as the same slices.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

from . import data as data_mod


def root_label(root):
    parts = [p for p in os.path.normpath(os.path.abspath(root)).split(os.sep) if p]
    return "-".join(parts[-3:])


def _downsample(arr, factor):
    """Mean over factor × factor blocks of the last two axes (cropped to a multiple)."""
    h, w = arr.shape[-2] // factor * factor, arr.shape[-1] // factor * factor
    a = arr[..., :h, :w]
    return a.reshape(a.shape[:-2] + (h // factor, factor, w // factor, factor)).mean(axis=(-3, -1))


def _integers(r):
    for dt in (np.uint8, np.uint16, np.int16):
        info = np.iinfo(dt)
        if r.min() >= info.min and r.max() <= info.max:
            return r.astype(dt)
    return None


def _compact(arr, integral):
    """(stored array, scale or None): integers where the data are integers, or integer multiples
    k of one step (a NIfTI's scaling: stored as k and the step, rebuilt as the float64 product);
    complex data with a zero imaginary part as real; else float32."""
    if np.iscomplexobj(arr):
        if np.all(arr.imag == 0):
            arr = arr.real
        else:
            return arr.astype(np.complex64), None
    if integral:
        k = _integers(np.rint(arr))
        if k is not None:
            return k, None
    positive = arr[arr > 0]
    if positive.size and np.all(arr >= 0):
        step = float(positive.min())
        k = np.rint(arr / step)
        if np.array_equal(k * step, arr):
            packed = _integers(k)
            if packed is not None:
                return packed, step
    return arr.astype(np.float32), None


def pack_source(path, out_dir, max_size=None):
    """Writes ``out_dir/NAME.src.npz`` for one source; returns (file, shape, dtype)."""
    name, kind, data, spacing = data_mod.read_source(path)
    arr = np.asarray(data) if kind == "nifti" else np.stack([np.asarray(s) for s in data])
    integral = not np.iscomplexobj(arr) and bool(np.all(np.mod(arr, 1) == 0))
    if kind == "dicom" and max_size and max(arr.shape[-2:]) > max_size:
        factor = math.ceil(max(arr.shape[-2:]) / max_size)
        arr = _downsample(arr, factor)
        if spacing is not None:
            spacing = (spacing[0], spacing[1] * factor, spacing[2] * factor)
    arr, scale = _compact(arr, integral)
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, name + data_mod.PACKED_SUFFIX)
    tmp = out + ".partial.npz"
    extra = {"scale": np.array(scale)} if scale is not None else {}
    np.savez_compressed(tmp, name=np.array(name), kind=np.array(kind),
                        spacing=np.array(spacing if spacing is not None else [], dtype=np.float64), data=arr, **extra)
    os.replace(tmp, out)
    return out, arr.shape, str(arr.dtype)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Pack training sources into .src.npz files")
    ap.add_argument("--data", action="append", required=True, help="data folder or file (repeatable)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--max-size", type=int, help="average larger DICOM slices down to at most this many pixels a side")
    args = ap.parse_args(argv)
    report = []
    try:
        for root in args.data:
            folder = os.path.join(args.out, root_label(root))
            for src in data_mod.discover(root):
                out, shape, dtype = pack_source(src, folder, args.max_size)
                report.append({"source": src, "packed": out, "shape": list(shape), "dtype": dtype,
                               "bytes": os.path.getsize(out)})
                print(f"{out}: {'×'.join(map(str, shape))} {dtype}, {os.path.getsize(out) / 1e6:.1f} MB",
                      file=sys.stderr)
    except (data_mod.DataError, OSError, ValueError) as e:
        print(f"training.pack: error: {e}", file=sys.stderr)  # files already packed are complete
        return 2
    total = sum(r["bytes"] for r in report)
    print(json.dumps({"sources": len(report), "bytes": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
