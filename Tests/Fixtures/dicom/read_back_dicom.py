"""Reads an mri-daps DICOM study back with pydicom and prints one JSON report.

argv: STUDY_DIR MEAN.f32 STD.f32 SLICES ROWS COLUMNS [VARIANCE.f32]
Pixel values are decoded from the raw PixelData / FloatPixelData bytes (not via pydicom's
pixel handlers) and mapped through the Real World Value Mapping Sequence.
"""
import json, os, sys
import numpy as np
import pydicom

root, mean_path, std_path = sys.argv[1:4]
s, r, c = map(int, sys.argv[4:7])
ref = {"MEAN": np.fromfile(mean_path, "<f4").reshape(s, r, c)}
if os.path.exists(std_path):
    ref["STD"] = ref["STDMAP"] = np.fromfile(std_path, "<f4").reshape(s, r, c)
if len(sys.argv) > 7:
    ref["VARMAP"] = np.fromfile(sys.argv[7], "<f4").reshape(s, r, c)

out = {"series": {}}
for folder in sorted(f for f in os.listdir(root) if not f.startswith(".")):  # .mri-daps-study marker
    label = folder.split("_", 1)[1]
    files = sorted(os.listdir(os.path.join(root, folder)))
    dss = [pydicom.dcmread(os.path.join(root, folder, f)) for f in files]
    d0 = dss[0]
    info = {
        "files": len(files), "sop_class": d0.SOPClassUID, "study": sorted({d.StudyInstanceUID for d in dss}),
        "series": sorted({d.SeriesInstanceUID for d in dss}), "frame": sorted({d.FrameOfReferenceUID for d in dss}),
        "transfer_syntax": d0.file_meta.TransferSyntaxUID, "image_type": list(d0.ImageType),
        "patient_name": str(d0.PatientName), "patient_id": d0.PatientID,
        "identity_removed": d0.get("PatientIdentityRemoved", ""), "series_number": int(d0.SeriesNumber),
        "derivation": d0.get("DerivationDescription", ""),
    }
    if d0.SOPClassUID == "1.2.840.10008.5.1.4.1.1.4":
        dss.sort(key=lambda d: int(d.InstanceNumber))
        stored = np.stack([np.frombuffer(d.PixelData, "<u2").reshape(r, c) for d in dss])
        m = d0.RealWorldValueMappingSequence[0]
        slope, icpt = float(m.RealWorldValueSlope), float(m.RealWorldValueIntercept)
        real = stored * slope + icpt
        info.update(
            bits_stored=int(d0.BitsStored), max_stored=int(stored.max()), slope=slope,
            max_error=float(np.abs(real - ref[label]).max()), last_mapped=int(m.RealWorldValueLastValueMapped),
            units=m.MeasurementUnitsCodeSequence[0].CodeValue,
            quantity=m.QuantityDefinitionSequence[0].ConceptCodeSequence[0].CodeValue,
            pixel_spacing=[float(v) for v in d0.PixelSpacing], slice_thickness=float(d0.SliceThickness),
            orientation=[float(v) for v in d0.ImageOrientationPatient],
            positions=[[float(v) for v in d.ImagePositionPatient] for d in dss],
            window_width=float(d0.WindowWidth), voi_function=d0.get("VOILUTFunction", ""),
            patient_position=d0.PatientPosition, tr=float(d0.RepetitionTime), te=float(d0.EchoTime))
    else:
        vals = np.frombuffer(d0.FloatPixelData, "<f4").reshape(int(d0.NumberOfFrames), r, c)
        sh = d0.SharedFunctionalGroupsSequence[0]
        pf = d0.PerFrameFunctionalGroupsSequence
        m = sh.RealWorldValueMappingSequence[0]
        info.update(
            exact=bool(np.array_equal(vals, ref[label])), frames=int(d0.NumberOfFrames),
            pixel_spacing=[float(v) for v in sh.PixelMeasuresSequence[0].PixelSpacing],
            slice_thickness=float(sh.PixelMeasuresSequence[0].SliceThickness),
            orientation=[float(v) for v in sh.PlaneOrientationSequence[0].ImageOrientationPatient],
            positions=[[float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient] for f in pf],
            rescale=[float(sh.PixelValueTransformationSequence[0].RescaleSlope), float(sh.PixelValueTransformationSequence[0].RescaleIntercept)],
            rwv=[float(m.RealWorldValueSlope), float(m.RealWorldValueIntercept)],
            quantity=m.QuantityDefinitionSequence[0].ConceptCodeSequence[0].CodeValue,
            window_width=float(sh.FrameVOILUTSequence[0].WindowWidth), voi_function=sh.FrameVOILUTSequence[0].get("VOILUTFunction", ""))
    out["series"][label] = info
print(json.dumps(out))
