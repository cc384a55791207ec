"""Data loaders for prior training: every source reduces to 2-D complex slices.

Sources (dispatched by :func:`load_source`):

- NIfTI volumes (``.nii``, ``.nii.gz``, nibabel): reoriented to the closest canonical
  (RAS+) orientation with ``nib.as_closest_canonical``, then sliced along ``axis``
  ('sagittal' = x, 'coronal' = y, 'axial' = z). Each 2-D slice is displayed with the
  higher remaining axis as rows, top = its positive end (superior/anterior), and the lower
  remaining axis as columns (``np.flipud(s.T)``).
- DICOM series (a folder; pydicom): one 2-D image per file, sorted by the position along the
  slice normal (ImagePositionPatient · (row × column direction cosines)), falling back to
  InstanceNumber; RescaleSlope/RescaleIntercept applied.
- BART ``.cfl``/``.hdr``: little-endian complex64, column-major (first dim fastest); the
  first two dims are the image (rows = dim 0, columns = dim 1), all further dims are
  flattened into slices.
- fastMRI HDF5 (``.h5``): ``reconstruction_rss`` (or ``reconstruction_esc``), shape
  [slices, H, W], magnitude.
- Packed sources (``.src.npz``, :mod:`training.pack`): one of the above as read (the NIfTI's
  canonical volume and voxel sizes, the DICOM series' sorted slices and spacing, the .cfl or
  .h5 slices), in NumPy's compressed format, so that training runs where nibabel and pydicom
  are not installed (a lent GPU machine). They give the planes the original gives.

Normalisation (the same rule inference applies, see Training/README.md): in one volume,
keep the slices whose mean magnitude exceeds 5 % of the largest slice mean (drops nearly
empty background slices), then divide each kept slice by the 0.99 quantile of its |x|
(slices whose quantile is ≤ 1e-8 are dropped).

Magnitude-only sources (real-valued data, or complex data whose imaginary part is zero)
are stored as |x| and get a smooth random phase each time a training patch is drawn
(:func:`random_smooth_phase`): φ(y, x) = c + Σ_{1 ≤ i+j ≤ 2} a_ij·u^i·v^j with u, v the
column/row coordinates normalised to [-1, 1] over the full slice, a_ij ~ N(0, 0.5²) and
c ~ U[-π, π).
"""

import dataclasses
import os

import numpy as np
import torch

AXES = {"sagittal": 0, "coronal": 1, "axial": 2}
ISOTROPY_RATIO = 1.5  # reslice a volume along an axis only where the plane's pixels are this square
QUANTILE = 0.99
KEEP_FRACTION = 0.05
PHASE_STD = 0.5


class DataError(ValueError):
    """Unreadable or unsupported data source."""


@dataclasses.dataclass
class Volume:
    """Slices of one source (one subject / file). ``slices``: list of complex64 H×W."""
    name: str
    path: str
    slices: list
    magnitude_only: bool
    indices: list  # original slice index of each kept slice


# ---------------------------------------------------------------- raw readers

def read_cfl(path):
    """Read BART ``path`` (with or without .cfl/.hdr suffix) → complex64 array of the header dims."""
    base = path[:-4] if path.endswith((".cfl", ".hdr")) else path
    with open(base + ".hdr") as f:
        lines = [ln.strip() for ln in f]
    try:
        dims = [int(v) for v in lines[lines.index("# Dimensions") + 1].split()]
    except (ValueError, IndexError):
        raise DataError(f"{base}.hdr: no '# Dimensions' line") from None
    n = int(np.prod(dims))
    data = np.fromfile(base + ".cfl", dtype="<c8")
    if data.size != n:
        raise DataError(f"{base}.cfl: {data.size} values, header says {dims} ({n})")
    while len(dims) > 2 and dims[-1] == 1:
        dims.pop()
    return data.reshape(dims, order="F").astype(np.complex64)


def write_cfl(path, array):
    """Write ``array`` as BART ``path``.cfl/.hdr (column-major complex64)."""
    base = path[:-4] if path.endswith((".cfl", ".hdr")) else path
    array = np.asarray(array, dtype=np.complex64)
    dims = list(array.shape) + [1] * max(0, 16 - array.ndim)
    with open(base + ".hdr", "w") as f:
        f.write("# Dimensions\n" + " ".join(str(d) for d in dims) + "\n")
    array.ravel(order="F").astype("<c8").tofile(base + ".cfl")


def nifti_volume(path):
    """NIfTI volume in canonical (RAS+) orientation → (3-D array, voxel sizes (x, y, z) in mm)."""
    import nibabel as nib
    img = nib.as_closest_canonical(nib.load(path))
    data = np.asarray(img.dataobj)
    if np.iscomplexobj(data):
        data = data.astype(np.complex64)
    else:
        data = data.astype(np.float32)
    while data.ndim > 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise DataError(f"{path}: expected a 3-D volume, got shape {data.shape}")
    return data, tuple(float(z) for z in img.header.get_zooms()[:3])


def nifti_slices(path, axis="axial"):
    """NIfTI volume → list of 2-D float slices along ``axis`` in canonical (RAS+) orientation."""
    if axis not in AXES:
        raise DataError(f"axis: must be one of {sorted(AXES)}, got {axis!r}")
    data, _ = nifti_volume(path)
    return reslice(data, AXES[axis])


def reslice(volume, ax):
    """2-D slices of a 3-D array along array axis ``ax``: each displayed with the higher remaining
    axis as rows, top = its positive end, and the lower remaining axis as columns (``np.flipud(s.T)``)."""
    moved = np.moveaxis(volume, ax, 0)  # [n, a, b] with a < b the remaining axes
    return [np.flipud(s.T) for s in moved]


def isotropic_enough(spacing, ax, ratio=ISOTROPY_RATIO):
    """Whether the in-plane pixels of slices along axis ``ax`` are square within ``ratio``."""
    a, b = [spacing[i] for i in range(3) if i != ax]
    return max(a, b) <= ratio * min(a, b)


def _is_dicom_file(path):
    if path.lower().endswith((".dcm", ".ima")):
        return True
    try:
        with open(path, "rb") as f:
            f.seek(128)
            return f.read(4) == b"DICM"
    except OSError:
        return False


def dicom_slices(folder):
    """DICOM series folder → list of 2-D float slices sorted along the slice normal."""
    return dicom_series(folder)[0]


def dicom_series(folder):
    """DICOM series folder → (2-D float slices sorted along the slice normal, voxel sizes
    (slice spacing, row spacing, column spacing) in mm or None when not known or uneven)."""
    import pydicom
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                   if os.path.isfile(os.path.join(folder, f)) and _is_dicom_file(os.path.join(folder, f)))
    if not files:
        raise DataError(f"{folder}: no DICOM files")
    items, pixel = [], None
    for f in files:
        ds = pydicom.dcmread(f)
        if pixel is None and getattr(ds, "PixelSpacing", None) is not None:
            pixel = (float(ds.PixelSpacing[0]), float(ds.PixelSpacing[1]))
        img = ds.pixel_array.astype(np.float32)
        img = img * float(getattr(ds, "RescaleSlope", 1.0)) + float(getattr(ds, "RescaleIntercept", 0.0))
        key = float(getattr(ds, "InstanceNumber", 0) or 0)
        pos = getattr(ds, "ImagePositionPatient", None)
        ori = getattr(ds, "ImageOrientationPatient", None)
        if pos is not None and ori is not None:
            normal = np.cross(np.array(ori[:3], float), np.array(ori[3:], float))
            key = float(np.dot(normal, np.array(pos, float)))
        if img.ndim == 3:  # multi-frame
            items.extend((key + i * 1e-6, fr) for i, fr in enumerate(img))
        else:
            items.append((key, img))
    items.sort(key=lambda t: t[0])
    images = [img for _, img in items]
    spacing = None
    gaps = np.diff([k for k, _ in items])
    if pixel is not None and len(items) > 2 and len({i.shape for i in images}) == 1 \
            and gaps.min() > 0 and gaps.max() <= 1.01 * gaps.min():
        spacing = (float(np.mean(gaps)), pixel[0], pixel[1])
    return images, spacing


def hdf5_slices(path):
    """fastMRI HDF5 → list of magnitude target slices (reconstruction_rss or _esc)."""
    import h5py
    with h5py.File(path, "r") as f:
        for key in ("reconstruction_rss", "reconstruction_esc"):
            if key in f:
                return [np.asarray(s, dtype=np.float32) for s in f[key][()]]
    raise DataError(f"{path}: no reconstruction_rss/reconstruction_esc target "
                    "(MVUE from raw k-space is not implemented)")


# ------------------------------------------------------------- normalisation

def normalise_slices(slices):
    """Apply the normalisation rule; return (kept slices as complex64, their indices).

    Keep slice k iff mean|x_k| > 5 % · max_j mean|x_j| and q_k = quantile_0.99(|x_k|) > 1e-8;
    kept slices are x_k / q_k (float32 for real input, complex64 otherwise).
    """
    if not slices:
        return [], []
    means = np.array([float(np.mean(np.abs(s))) for s in slices])
    top = means.max()
    out, idx = [], []
    for k, s in enumerate(slices):
        if top <= 0 or means[k] <= KEEP_FRACTION * top:
            continue
        q = float(np.quantile(np.abs(s), QUANTILE))
        if q <= 1e-8:
            continue
        s = np.asarray(s) / q
        out.append(s.astype(np.float32 if np.isrealobj(s) else np.complex64))
        idx.append(k)
    return out, idx


def _is_magnitude_only(slices):
    return all(not np.iscomplexobj(s) or not np.any(np.imag(s)) for s in slices)


def _axes_list(axes):
    axes = [axes] if isinstance(axes, str) else list(axes)
    bad = [a for a in axes if a not in AXES]
    if not axes or bad:
        raise DataError(f"axis: must be one or more of {sorted(AXES)}, got {axes!r}")
    return axes


PACKED_SUFFIX = ".src.npz"


def read_source(path):
    """One source as read, before any reslicing: (name, kind, data, spacing).

    kind 'nifti': data the canonical 3-D volume, spacing its voxel sizes; 'dicom': data the list
    of sorted 2-D slices, spacing (slice, row, column) in mm or None; 'slices' (.cfl, .h5): data
    the list of 2-D slices, spacing None. Packed sources give back what was packed."""
    p = path.rstrip("/")
    low = p.lower()
    if low.endswith(PACKED_SUFFIX):
        with np.load(p, allow_pickle=False) as z:
            kind = str(z["kind"])
            spacing = tuple(float(v) for v in z["spacing"]) if z["spacing"].size else None
            arr = z["data"]
            if "scale" in z.files:  # integers k standing for k·scale (float64 product, as read)
                arr = (arr.astype(np.float64) * float(z["scale"])).astype(np.float32)
            elif not np.iscomplexobj(arr):
                arr = arr.astype(np.float32)
            data = arr if kind == "nifti" else list(arr)
            return str(z["name"]), kind, data, spacing
    if os.path.isdir(p):
        raw, spacing = dicom_series(p)
        return os.path.basename(p), "dicom", raw, spacing
    if low.endswith((".nii", ".nii.gz")):
        data, zooms = nifti_volume(p)
        return os.path.basename(p).split(".nii")[0], "nifti", data, zooms
    if low.endswith((".cfl", ".hdr")):
        arr = read_cfl(p)
        raw = [arr] if arr.ndim == 2 else list(np.moveaxis(arr.reshape(arr.shape[0], arr.shape[1], -1, order="F"), 2, 0))
        return os.path.basename(p)[:-4], "slices", raw, None
    if low.endswith((".h5", ".hdf5")):
        return os.path.basename(p).rsplit(".", 1)[0], "slices", hdf5_slices(p), None
    raise DataError(f"{path}: unsupported source (NIfTI, DICOM folder, .cfl/.hdr, fastMRI .h5, {PACKED_SUFFIX})")


def load_planes(path, axes="axial"):
    """One source → (name, [(plane, raw 2-D slices)]): the native plane first.

    NIfTI: one plane per axis in ``axes`` (the first is the native one) whose pixels are square
    within ``ISOTROPY_RATIO``. DICOM series: the acquired slices ('native'); with more than one
    axis asked, also the two reslices of the stacked volume where its voxels allow it. .cfl and
    .h5: their slices ('native')."""
    axes = _axes_list(axes)
    name, kind, data, spacing = read_source(path)
    if kind == "dicom":
        planes = [("native", data)]
        if len(axes) > 1 and spacing is not None:
            vol = np.stack(data)  # [slice, row, column]
            planes += [(f"reslice{ax}", reslice(vol, ax)) for ax in (1, 2) if isotropic_enough(spacing, ax)]
        return name, planes
    if kind == "nifti":
        planes = [(a, reslice(data, AXES[a])) for i, a in enumerate(axes)
                  if i == 0 or isotropic_enough(spacing, AXES[a])]
        return name, planes
    return name, [("native", data)]


def load_source(path, axis="axial"):
    """Load one source (file or DICOM folder) → :class:`Volume` of the native plane's normalised slices."""
    name, planes = load_planes(path, axis)
    return _volume(name, path.rstrip("/"), planes[0][1])


def _volume(name, path, raw):
    mag = _is_magnitude_only(raw)
    if mag:
        raw = [np.abs(s).astype(np.float32) for s in raw]
    slices, idx = normalise_slices(raw)
    return Volume(name=name, path=path, slices=slices, magnitude_only=mag, indices=idx)


def discover(root):
    """All sources under ``root`` (a file, or a folder searched recursively), sorted."""
    if os.path.isfile(root):
        return [root]
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        dicom = [f for f in filenames if _is_dicom_file(os.path.join(dirpath, f))]
        if dicom:
            found.append(dirpath)
            continue
        for f in sorted(filenames):
            low = f.lower()
            if low.endswith((".nii", ".nii.gz", ".cfl", ".h5", ".hdf5", PACKED_SUFFIX)):
                found.append(os.path.join(dirpath, f))
    if not found:
        raise DataError(f"{root}: no NIfTI/DICOM/.cfl/.h5 sources found")
    return sorted(found)


def parse_val_spec(spec):
    """'NAME' or 'NAME:a-b' → (NAME, None | (a, b)) (original slice indices a..b inclusive)."""
    if ":" in spec:
        name, rng = spec.rsplit(":", 1)
        a, b = rng.split("-")
        return name, (int(a), int(b))
    return spec, None


def split_sources(roots, val_specs=(), axis="axial"):
    """Load every source under ``roots``; return (train slices, val slices, summary).

    Each slice item is (H×W slice, magnitude_only, volume name, original index, root index);
    slices of a resliced plane (``axis`` a list, :func:`load_planes`) are named 'NAME@PLANE'.
    ``val_specs``: names matched as a prefix of the source name (e.g. 'knee19', 'IXI051');
    'NAME:a-b' sends only slices a..b (original indices of the native plane) of NAME to
    validation, and then none of NAME's resliced planes is used (they cross the held-out
    slices). Validation holds native-plane slices only.
    """
    specs = [parse_val_spec(s) for s in val_specs]
    train, val, summary = [], [], {"train": {}, "val": {}}
    for group, root in enumerate(roots):
        for src in discover(root):
            name, planes = load_planes(src, axis)
            matches = [rng for spec, rng in specs if name.startswith(spec)]
            for plane_no, (plane, raw) in enumerate(planes):
                native = plane_no == 0
                if not native and matches:
                    continue
                vol = _volume(name if native else f"{name}@{plane}", src, raw)
                for s, k in zip(vol.slices, vol.indices):
                    is_val = any(rng is None or rng[0] <= k <= rng[1] for rng in matches)
                    (val if is_val else train).append((s, vol.magnitude_only, vol.name, k, group))
                    part = summary["val" if is_val else "train"]
                    part[vol.name] = part.get(vol.name, 0) + 1
    return train, val, summary


# --------------------------------------------------------------------- phase

def random_smooth_phase(shape, rng):
    """φ = c + Σ_{1≤i+j≤2} a_ij u^i v^j, a_ij ~ N(0, 0.5²), c ~ U[-π, π); u, v ∈ [-1, 1]."""
    h, w = shape
    v = np.linspace(-1.0, 1.0, h)[:, None]
    u = np.linspace(-1.0, 1.0, w)[None, :]
    a = rng.normal(0.0, PHASE_STD, size=5)
    c = rng.uniform(-np.pi, np.pi)
    return (c + a[0] * u + a[1] * v + a[2] * u * u + a[3] * u * v + a[4] * v * v).astype(np.float32)


def with_phase(image, magnitude_only, rng):
    """Complex slice; magnitude-only slices get :func:`random_smooth_phase`."""
    if not magnitude_only:
        return image.astype(np.complex64)
    phi = random_smooth_phase(image.shape, rng)
    return (np.abs(image) * np.exp(1j * phi)).astype(np.complex64)


# ------------------------------------------------------------------- dataset

def crop_or_pad(image, size, rng):
    """Random size×size window; pads (zeros, random placement) where the image is smaller."""
    out = image
    for axis in (0, 1):
        n = out.shape[axis]
        if n > size:
            start = int(rng.integers(0, n - size + 1))
            out = np.take(out, np.arange(start, start + size), axis=axis)
        elif n < size:
            before = int(rng.integers(0, size - n + 1))
            pad = [(0, 0), (0, 0)]
            pad[axis] = (before, size - n - before)
            out = np.pad(out, pad)
    return out


def to_tensor(image):
    """complex H×W → float32 tensor [2, H, W] (real, imag)."""
    return torch.from_numpy(np.stack([image.real, image.imag]).astype(np.float32))


def resize(image, size):
    """Complex H×W → size×size by bilinear interpolation (antialiased when shrinking)."""
    t = to_tensor(image)[None]
    shrink = size < max(image.shape)
    r = torch.nn.functional.interpolate(t, size=(size, size), mode="bilinear", align_corners=False,
                                        antialias=shrink)[0].numpy()
    return (r[0] + 1j * r[1]).astype(np.complex64)


class SliceDataset(torch.utils.data.Dataset):
    """Augmented training patches [2, P, P] (real, imag), deterministic per (seed, index).

    Item i draws, with ``np.random.default_rng((seed, i))``: a slice (uniformly; with
    ``balance`` a root group uniformly, then a slice of it — items' 5th element is the group),
    a contrast change |x|^γ with ln γ ~ U(ln γ₀, ln γ₁) (``gamma`` = (γ₀, γ₁), magnitude-only
    slices), a smooth random phase (magnitude-only sources), a random flip of each axis, a
    rotation by k·90°, a random crop — with ``scale`` = (s₀, s₁), ln s ~ U(ln s₀, ln s₁): a
    round(P/s)² window resized to P×P (bilinear, antialiased when shrinking), else a P×P window
    (zero pad when smaller) — and an intensity scale U(0.8, 1.2).
    ``augment=False``: crop and phase only (no flips/rotation/contrast/scaling).
    """

    def __init__(self, items, patch, seed=0, length=None, augment=True, balance=False, gamma=None, scale=None):
        if not items:
            raise DataError("SliceDataset: no slices")
        self.items = items
        self.patch = int(patch)
        self.seed = int(seed)
        self.length = int(length) if length is not None else len(items)
        self.augment = augment
        self.gamma = tuple(gamma) if gamma else None
        self.scale = tuple(scale) if scale else None
        self.groups = None
        if balance:
            by = {}
            for i, item in enumerate(items):
                by.setdefault(item[4] if len(item) > 4 else 0, []).append(i)
            self.groups = [by[g] for g in sorted(by)]

    def __len__(self):
        return self.length

    def _pick(self, rng):
        if self.groups is None:
            return self.items[int(rng.integers(len(self.items)))]
        group = self.groups[int(rng.integers(len(self.groups)))]
        return self.items[group[int(rng.integers(len(group)))]]

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, int(index)))
        item = self._pick(rng)
        image, mag = item[0], item[1]
        if self.augment and self.gamma and mag:
            g = float(np.exp(rng.uniform(np.log(self.gamma[0]), np.log(self.gamma[1]))))
            image = np.abs(image) ** np.float32(g)
        x = with_phase(image, mag, rng)
        if self.augment:
            if rng.random() < 0.5:
                x = x[::-1, :]
            if rng.random() < 0.5:
                x = x[:, ::-1]
            x = np.rot90(x, int(rng.integers(4)))
        if self.augment and self.scale:
            s = float(np.exp(rng.uniform(np.log(self.scale[0]), np.log(self.scale[1]))))
            window = max(2, int(round(self.patch / s)))
            x = crop_or_pad(np.ascontiguousarray(x), window, rng)
            if window != self.patch:
                x = resize(x, self.patch)
        else:
            x = crop_or_pad(np.ascontiguousarray(x), self.patch, rng)
        if self.augment:
            x = x * np.float32(rng.uniform(0.8, 1.2))
        return to_tensor(np.ascontiguousarray(x))

    def batch(self, start, size):
        """Items start..start+size−1 stacked → [size, 2, P, P]."""
        return torch.stack([self[start + i] for i in range(size)])


def validation_tensors(items, multiple, seed=1234, max_slices=None):
    """Fixed validation images: each slice with a seeded phase, zero-padded to a multiple of ``multiple``.

    Returns a list of [1, 2, H, W] tensors (about ``max_slices``, evenly spaced in each root group).
    """
    if max_slices is not None and len(items) > max_slices:
        groups = {}
        for item in items:  # root groups (5th element) share the slices evenly
            groups.setdefault(item[4] if len(item) > 4 else 0, []).append(item)
        each = max(1, max_slices // len(groups))
        picked = []
        for g in sorted(groups):
            part = groups[g]
            pick = np.unique(np.linspace(0, len(part) - 1, min(each, len(part))).round().astype(int))
            picked += [part[i] for i in pick]
        items = picked
    out = []
    for k, item in enumerate(items):
        image, mag = item[0], item[1]
        rng = np.random.default_rng((seed, k))
        x = with_phase(image, mag, rng)
        h, w = x.shape
        H, W = -(-h // multiple) * multiple, -(-w // multiple) * multiple
        x = np.pad(x, [((H - h) // 2, H - h - (H - h) // 2), ((W - w) // 2, W - w - (W - w) // 2)])
        out.append(to_tensor(x)[None])
    return out
