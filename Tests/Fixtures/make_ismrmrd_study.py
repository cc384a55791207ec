"""Turns a single-slice ISMRMRD file from `ismrmrd_generate_cartesian_shepp_logan` into a
multi-slice acquisition with a patient, a study and a slice geometry, for the raw-data DICOM
tests (Tests/EndToEndTests/RawStudyTests.swift).

    python3 make_ismrmrd_study.py IN.h5 OUT.h5 --slices 5

Slice z (in space, 0 = lowest position along the slice direction) is the input slice scaled by
1 + z, acquired in interleaved order (slice counter c holds the spatial slice ORDER[c]), centred
at POSITION + (z - (S - 1) / 2) * SPACING * slice_dir with an oblique orientation. The header
gains subjectInformation, studyInformation and measurementInformation with the values printed
as JSON on stdout (the identity a test expects to find, or not find, in the output).
"""
import argparse
import json

import h5py
import numpy as np

READ = np.array([1.0, 0.0, 0.0])
PHASE = np.array([0.0, np.cos(np.pi / 6), np.sin(np.pi / 6)])
SLICE = np.cross(READ, PHASE)
POSITION = np.array([12.5, -30.0, 41.0])
SPACING, THICKNESS = 4.0, 3.0

IDENTITY = {
    "patientName": "Testperson^Erika^Maria",
    "patientWeight_kg": "71.5",
    "patientID": "PID-4711-ERIKA",
    "patientBirthdate": "1961-08-12",
    "patientGender": "F",
    "studyDate": "2026-11-30",
    "studyTime": "14:05:09",
    "studyID": "STUDY-0815",
    "accessionNumber": "987654",
    "referringPhysicianName": "Referrer^Rita",
    "studyDescription": "Knee research protocol Erika",
    "studyInstanceUID": "1.2.826.0.1.3680043.8.498.11223344556677889900",
    "measurementID": "45190_12345678_87654321_7",
    "seriesDate": "2026-11-30",
    "seriesTime": "14:07:11",
    "patientPosition": "FFS",
    "protocolName": "gre_erika_protocol",
    "seriesDescription": "gre sag Erika",
    "frameOfReferenceUID": "1.2.826.0.1.3680043.8.498.99887766554433221100",
    "institutionName": "Institute of Erika Testing",
}


def header_xml(xml: str, slices: int) -> str:
    i = IDENTITY
    subject = ("<subjectInformation><patientName>{patientName}</patientName><patientWeight_kg>{patientWeight_kg}"
               "</patientWeight_kg><patientID>{patientID}</patientID><patientBirthdate>{patientBirthdate}"
               "</patientBirthdate><patientGender>{patientGender}</patientGender></subjectInformation>").format(**i)
    study = ("<studyInformation><studyDate>{studyDate}</studyDate><studyTime>{studyTime}</studyTime><studyID>{studyID}"
             "</studyID><accessionNumber>{accessionNumber}</accessionNumber><referringPhysicianName>"
             "{referringPhysicianName}</referringPhysicianName><studyDescription>{studyDescription}</studyDescription>"
             "<studyInstanceUID>{studyInstanceUID}</studyInstanceUID></studyInformation>").format(**i)
    measurement = ("<measurementInformation><measurementID>{measurementID}</measurementID><seriesDate>{seriesDate}"
                   "</seriesDate><seriesTime>{seriesTime}</seriesTime><patientPosition>{patientPosition}"
                   "</patientPosition><protocolName>{protocolName}</protocolName><seriesDescription>"
                   "{seriesDescription}</seriesDescription><frameOfReferenceUID>{frameOfReferenceUID}"
                   "</frameOfReferenceUID></measurementInformation>").format(**i)
    xml = xml.replace("</version>", "</version>" + subject + study + measurement, 1)
    xml = xml.replace("<institutionName>ISMRM Synthetic Imaging Lab</institutionName>",
                      "<institutionName>%s</institutionName>" % i["institutionName"])
    # Slice thickness = the encoded and recon z field of view; the slice limits.
    xml = xml.replace("<z>6.000000</z>", "<z>%f</z>" % THICKNESS)
    limits = "<slice><minimum>0</minimum><maximum>%d</maximum><center>0</center></slice>" % (slices - 1)
    return xml.replace("</encodingLimits>", limits + "</encodingLimits>", 1)


def interleaved(slices: int) -> list:
    return list(range(0, slices, 2)) + list(range(1, slices, 2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--slices", type=int, default=5)
    args = ap.parse_args()
    order = interleaved(args.slices)
    with h5py.File(args.input, "r") as f:
        data = f["dataset/data"][()]
        stored = f["dataset/xml"]
        shape = stored.shape
        xml = stored[()] if shape == () else stored[0]
        xml = xml.decode() if isinstance(xml, bytes) else xml
    image = (data["head"]["flags"] & (1 << 18)) == 0  # not ACQ_IS_NOISE_MEASUREMENT
    rows = []
    for c, z in enumerate(order):
        part = data[image].copy()
        part["head"]["idx"]["slice"] = c
        centre = POSITION + (z - (args.slices - 1) / 2) * SPACING * SLICE
        for r in range(len(part)):
            part["data"][r] = (part["data"][r] * (1 + z)).astype(np.float32)
            part["head"]["position"][r] = centre
            part["head"]["read_dir"][r] = READ
            part["head"]["phase_dir"][r] = PHASE
            part["head"]["slice_dir"][r] = SLICE
        rows.append(part)
    out = np.concatenate(rows)
    with h5py.File(args.output, "w") as g:
        g.create_dataset("dataset/data", data=out, maxshape=(None,), chunks=True)
        text = header_xml(xml, args.slices)
        g.create_dataset("dataset/xml", data=text if shape == () else [text], dtype=h5py.string_dtype("ascii"))
    print(json.dumps({"identity": IDENTITY, "order": order, "read": READ.tolist(), "phase": PHASE.tolist(),
                      "slice": SLICE.tolist(), "position": POSITION.tolist(), "spacing": SPACING,
                      "thickness": THICKNESS}))


if __name__ == "__main__":
    main()
