"""Prints every data element of the given DICOM files as JSON, nested sequences included:
[{"file": …, "path": "00400555[0].00080100", "tag": "00080100", "vr": "SH", "value": "…"}].
File meta elements are included. Used by the confidentiality-profile tests (pydicom is the
independent reader)."""
import json
import sys

import pydicom


def walk(dataset, prefix, file, out):
    for element in dataset:
        tag = "%04X%04X" % (element.tag.group, element.tag.element)
        path = prefix + tag
        if element.VR == "SQ":
            out.append({"file": file, "path": path, "tag": tag, "vr": "SQ", "value": "" if len(element.value) == 0 else "items"})
            for i, item in enumerate(element.value):
                walk(item, "%s[%d]." % (path, i), file, out)
        elif element.VR in ("OB", "OW", "OF", "OD", "UN"):
            out.append({"file": file, "path": path, "tag": tag, "vr": element.VR, "value": "<%d bytes>" % len(element.value or b"")})
        else:
            v = element.value
            if isinstance(v, (list, pydicom.multival.MultiValue)):
                v = "\\".join(str(x) for x in v)
            out.append({"file": file, "path": path, "tag": tag, "vr": element.VR, "value": "" if v is None else str(v)})


out = []
for f in sys.argv[1:]:
    ds = pydicom.dcmread(f)
    walk(ds.file_meta, "", f, out)
    walk(ds, "", f, out)
print(json.dumps(out))
