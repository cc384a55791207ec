#!/usr/bin/env python3
"""pydicom's reading of DICOM files: the reference for DICOMTests' reader tests.

usage: pydicom_reference.py OUTDIR FILE [FILE ...]

For the i-th FILE writes OUTDIR/<i>.f32: the Modality LUT output (pydicom's
apply_modality_lut of pixel_array: RescaleSlope * stored + RescaleIntercept) as raw
little-endian float32, shape (frames, rows, columns). Compressed pixel data is decoded by
whichever pydicom handler is available (GDCM from Debian python3-gdcm for JPEG, JPEG-LS and
JPEG 2000; pydicom's own for RLE). Prints a JSON list, one object per file: rows, columns,
frames, transfer_syntax, series, sop, instance, orientation, spacing, thickness and the
per-frame ImagePositionPatient ("positions"; from the Per-Frame Functional Groups of enhanced
multi-frame objects), or {"error": ...} when pydicom cannot decode the pixels.
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut

warnings.simplefilter("ignore")


def floats(v):
    return None if v is None else [float(x) for x in (v if isinstance(v, (list, pydicom.multival.MultiValue)) else [v])]


def describe(path, out):
    ds = pydicom.dcmread(path, force=True)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    r = {
        "rows": int(ds.Rows), "columns": int(ds.Columns), "frames": frames,
        "transfer_syntax": str(ds.file_meta.TransferSyntaxUID) if "TransferSyntaxUID" in getattr(ds, "file_meta", {}) else None,
        "series": ds.get("SeriesInstanceUID"), "sop": ds.get("SOPInstanceUID"),
        "instance": int(ds.InstanceNumber) if ds.get("InstanceNumber") not in (None, "") else None,
        "patient_name": str(ds.get("PatientName", "")), "patient_id": ds.get("PatientID"),
        "orientation": floats(ds.get("ImageOrientationPatient")),
        "spacing": floats(ds.get("PixelSpacing")), "thickness": floats(ds.get("SliceThickness")),
        "tr": floats(ds.get("RepetitionTime")), "te": floats(ds.get("EchoTime")),
    }
    if "PerFrameFunctionalGroupsSequence" in ds:
        r["positions"] = [floats(f.PlanePositionSequence[0].ImagePositionPatient) for f in ds.PerFrameFunctionalGroupsSequence]
        for group in (ds.PerFrameFunctionalGroupsSequence[0], ds.SharedFunctionalGroupsSequence[0]):
            if "PlaneOrientationSequence" in group:
                r["orientation"] = floats(group.PlaneOrientationSequence[0].ImageOrientationPatient)
            if "PixelMeasuresSequence" in group:
                r["spacing"] = floats(group.PixelMeasuresSequence[0].PixelSpacing)
                r["thickness"] = floats(group.PixelMeasuresSequence[0].get("SliceThickness"))
    else:
        r["positions"] = [floats(ds.get("ImagePositionPatient"))]
    try:
        if "FloatPixelData" in ds:
            arr = np.frombuffer(ds.FloatPixelData, dtype="<f4").astype(np.float64)
        else:
            arr = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
        arr.astype("<f4").reshape(frames, ds.Rows, ds.Columns).tofile(out)
    except Exception as e:  # noqa: BLE001 - reported to the Swift test
        r["error"] = f"{type(e).__name__}: {e}".replace("\n", " ")
    return r


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    print(json.dumps([describe(f, os.path.join(outdir, f"{i}.f32")) for i, f in enumerate(files)]))


if __name__ == "__main__":
    main()
