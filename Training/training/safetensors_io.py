"""Minimal, strict safetensors reader/writer (F32 and F16 only).

File layout: 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
header ``{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
"__metadata__": {str: str}}``, then the tensor bytes (row-major, little-endian).
Offsets are relative to the start of the data section; tensors are packed
without gaps in the order they are given. The header is padded with spaces to a
multiple of 8 bytes (allowed by the format; JSON whitespace).
"""

import json
import struct

import numpy as np
import torch

_NP_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}
_TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16}
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """Malformed or unsupported safetensors file / arguments."""


def _dtype_name(dtype):
    if dtype in ("F32", torch.float32, np.float32, "float32", "fp32"):
        return "F32"
    if dtype in ("F16", torch.float16, np.float16, "float16", "fp16"):
        return "F16"
    raise SafetensorsError(f"safetensors: unsupported dtype {dtype!r} (F32 or F16 only)")


def save(path, tensors, metadata=None, dtype="F32"):
    """Write ``tensors`` (name → tensor/array) to ``path`` converted to ``dtype``.

    ``metadata`` is a dict of str → str stored as ``__metadata__``.
    """
    name = _dtype_name(dtype)
    np_dtype = _NP_DTYPES[name]
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("safetensors: metadata must be a dict of str → str")
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    for key, value in tensors.items():
        if not isinstance(key, str) or not key or key == "__metadata__":
            raise SafetensorsError(f"safetensors: invalid tensor name {key!r}")
        if isinstance(value, torch.Tensor):
            array = value.detach().cpu().to(torch.float64).numpy()
        else:
            array = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(array)):
            raise SafetensorsError(f"safetensors: tensor '{key}' has non-finite values")
        with np.errstate(over="ignore"):
            converted = np.ascontiguousarray(array.astype(np_dtype))
        if name == "F16" and not np.all(np.isfinite(converted)):
            raise SafetensorsError(f"safetensors: tensor '{key}' overflows float16")
        data = converted.tobytes(order="C")
        header[key] = {"dtype": name, "shape": list(array.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((-len(header_bytes)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)


def load(path):
    """Read ``path``; return (dict name → float32 torch tensor, metadata dict).

    F16 tensors are converted to float32. Validates the header (JSON object,
    dtypes, shapes, offsets covering the data section exactly, no gaps/overlaps).
    """
    with open(path, "rb") as f:
        raw = f.read()
    return loads(raw, source=str(path))


def load_raw(path):
    """Like :func:`load` but keeps the stored dtype (float32 or float16 tensors)."""
    with open(path, "rb") as f:
        raw = f.read()
    return loads(raw, source=str(path), keep_dtype=True)


def loads(raw, source="<bytes>", keep_dtype=False):
    if len(raw) < 8:
        raise SafetensorsError(f"{source}: file shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n < 2 or n > _MAX_HEADER or 8 + n > len(raw):
        raise SafetensorsError(f"{source}: invalid header length {n}")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SafetensorsError(f"{source}: header is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{source}: header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise SafetensorsError(f"{source}: __metadata__ must map strings to strings")
    data = raw[8 + n:]
    spans = []
    tensors = {}
    for key, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError(f"{source}: tensor '{key}' entry must have exactly dtype, shape, data_offsets")
        dtype = info["dtype"]
        if dtype not in _NP_DTYPES:
            raise SafetensorsError(f"{source}: tensor '{key}' has unsupported dtype {dtype!r}")
        shape = info["shape"]
        if not isinstance(shape, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise SafetensorsError(f"{source}: tensor '{key}' has invalid shape {shape!r}")
        offsets = info["data_offsets"]
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(
                isinstance(o, int) and not isinstance(o, bool) for o in offsets):
            raise SafetensorsError(f"{source}: tensor '{key}' has invalid data_offsets {offsets!r}")
        begin, end = offsets
        count = 1
        for d in shape:
            count *= d
        np_dtype = _NP_DTYPES[dtype]
        if begin < 0 or end < begin or end > len(data) or end - begin != count * np_dtype.itemsize:
            raise SafetensorsError(f"{source}: tensor '{key}' data_offsets {offsets} do not match "
                                   f"shape {shape} / dtype {dtype} / data size {len(data)}")
        spans.append((begin, end, key))
        array = np.frombuffer(data[begin:end], dtype=np_dtype).reshape(shape).copy()
        t = torch.from_numpy(array)
        if not keep_dtype:
            t = t.to(torch.float32)
        tensors[key] = t
    spans.sort()
    position = 0
    for begin, end, key in spans:
        if begin != position:
            raise SafetensorsError(f"{source}: tensor '{key}' starts at {begin}, expected {position} "
                                   f"(gap or overlap in the data section)")
        position = end
    if position != len(data):
        raise SafetensorsError(f"{source}: data section has {len(data) - position} trailing bytes")
    return tensors, metadata
