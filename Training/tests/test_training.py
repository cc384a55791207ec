"""Tests for the training pipeline: loaders, normalisation, phase model, dataset, train/resume/export.

Run from Training/:  /usr/bin/python3 -m pytest -q tests
"""

import json
import math
import os
import sys

import h5py
import nibabel as nib
import numpy as np
import pytest
import torch

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAINING)

from training import data, export, ship, train, validate  # noqa: E402

TINY_MODEL = {"in_channels": 2, "out_channels": 2, "base_channels": 4, "channel_multipliers": [1, 2],
              "blocks_per_level": 1, "attention": False, "attention_heads": 1, "groups": 2,
              "embedding_channels": 8, "sigma_data": 0.5}


def blob(h, w, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.exp(-(((yy - h / 2) / (0.3 * h)) ** 2 + ((xx - w / 2) / (0.3 * w)) ** 2))
    return (img * 100 + rng.uniform(0, 5, (h, w))).astype(np.float32)


# ------------------------------------------------------------------ loaders

def test_cfl_is_column_major(tmp_path):
    a = (np.arange(12).reshape(3, 4) + 1j * np.arange(12).reshape(3, 4) * 0.5).astype(np.complex64)
    base = str(tmp_path / "x")
    data.write_cfl(base, a)
    raw = np.fromfile(base + ".cfl", dtype="<c8")
    # first dim fastest: raw[1] is element (1, 0), raw[3] is (0, 1)
    assert raw[1] == a[1, 0] and raw[3] == a[0, 1]
    with open(base + ".hdr") as f:
        assert f.read().splitlines()[1].split()[:2] == ["3", "4"]
    np.testing.assert_array_equal(data.read_cfl(base + ".cfl"), a)


def test_cfl_complex_source_keeps_phase(tmp_path):
    mag = blob(16, 12, 0)
    a = mag * np.exp(1j * np.linspace(0, 1, 12))[None, :]
    data.write_cfl(str(tmp_path / "c"), a)
    vol = data.load_source(str(tmp_path / "c.cfl"))
    assert not vol.magnitude_only and vol.slices[0].shape == (16, 12)
    q = np.quantile(np.abs(a), 0.99)
    np.testing.assert_allclose(vol.slices[0], a / q, rtol=1e-5, atol=1e-6)


def test_nifti_orientation_and_axes(tmp_path):
    # Volume stored in LPS-like orientation (x flipped, y flipped): canonical reorientation must undo it.
    vol = np.zeros((4, 5, 6), np.float32)
    vol[0, 0, 0] = 7  # voxel (0,0,0) = RAS index (3, 4, 0) after flipping x and y
    vol[:, :, 2] += 1  # nonzero everywhere so no slice is dropped
    affine = np.diag([-1.0, -1.0, 1.0, 1.0])
    path = str(tmp_path / "v.nii.gz")
    nib.save(nib.Nifti1Image(vol, affine), path)
    axial = data.nifti_slices(path, "axial")
    assert len(axial) == 6 and axial[0].shape == (5, 4)  # rows = y (A at top), cols = x
    # RAS (3, 4, 0): axial slice 0, row for y=4 is the top row (flipud), column x=3
    assert axial[0][0, 3] == 7
    cor = data.nifti_slices(path, "coronal")
    assert len(cor) == 5 and cor[4].shape == (6, 4) and cor[4][5, 3] == 7  # z=0 is the bottom row
    sag = data.nifti_slices(path, "sagittal")
    assert len(sag) == 4 and sag[3].shape == (6, 5) and sag[3][5, 4] == 7
    with pytest.raises(data.DataError):
        data.nifti_slices(path, "oblique")


def test_hdf5_targets(tmp_path):
    path = str(tmp_path / "f.h5")
    target = np.stack([blob(8, 8, s) for s in range(3)])
    with h5py.File(path, "w") as f:
        f["reconstruction_rss"] = target
        f["kspace"] = np.zeros((3, 2, 8, 8), np.complex64)
    vol = data.load_source(path)
    assert vol.magnitude_only and len(vol.slices) == 3
    np.testing.assert_allclose(np.abs(vol.slices[1]), target[1] / np.quantile(target[1], 0.99), rtol=1e-5)
    bad = str(tmp_path / "k.h5")
    with h5py.File(bad, "w") as f:
        f["kspace"] = np.zeros((1, 8, 8), np.complex64)
    with pytest.raises(data.DataError):
        data.load_source(bad)


def test_dicom_series_sorted(tmp_path):
    pydicom = pytest.importorskip("pydicom")
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    folder = tmp_path / "series"
    folder.mkdir()
    for k, z in enumerate([2.0, 0.0, 1.0]):  # files out of order
        meta = FileMetaDataset()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = FileDataset(str(folder / f"im{k}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.Rows, ds.Columns = 4, 4
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation, ds.SamplesPerPixel = 0, 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.ImagePositionPatient = [0, 0, z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.InstanceNumber = k + 1
        ds.RescaleSlope, ds.RescaleIntercept = 2, 0
        ds.PixelData = (np.full((4, 4), 10 + int(z), np.uint16)).tobytes()
        ds.save_as(str(folder / f"im{k}.dcm"), write_like_original=False)
    slices = data.dicom_slices(str(folder))
    assert [float(s[0, 0]) for s in slices] == [20.0, 22.0, 24.0]
    assert data.discover(str(tmp_path)) == [str(folder)]


# ------------------------------------------------------------ normalisation

def test_normalisation_rule():
    big = blob(10, 10, 1)
    empty = np.zeros((10, 10), np.float32)
    faint = big * 0.04  # mean 4 % of the max slice mean → dropped
    kept = big * 0.06
    out, idx = data.normalise_slices([empty, big, faint, kept])
    assert idx == [1, 3]
    for s in out:
        assert np.quantile(np.abs(s), 0.99) == pytest.approx(1.0, rel=1e-5)


def test_phase_model_smooth_and_seeded():
    rng = np.random.default_rng(3)
    phi = data.random_smooth_phase((64, 48), rng)
    # quadratic: second differences are constant along each axis, third differences vanish
    d2 = np.diff(phi.astype(np.float64), 2, axis=1)
    assert np.ptp(d2) < 1e-4
    assert np.abs(np.diff(phi.astype(np.float64), 3, axis=0)).max() < 1e-4
    # smooth: neighbouring pixels differ by at most the gradient bound (5 coeffs ≲ 2.5 over Δ = 2/47)
    assert np.abs(np.diff(phi, axis=1)).max() < 0.5
    phi2 = data.random_smooth_phase((64, 48), np.random.default_rng(3))
    np.testing.assert_array_equal(phi, phi2)
    consts = [data.random_smooth_phase((3, 3), np.random.default_rng(s))[1, 1] for s in range(200)]
    assert min(consts) < -2 and max(consts) > 2  # constant spans (−π, π)


def test_dataset_shapes_augmentation_and_seed():
    items = [(blob(20, 12, 0).astype(np.complex64), True, "a", 0),
             (blob(40, 36, 1).astype(np.complex64), True, "b", 0)]
    ds = data.SliceDataset(items, patch=16, seed=5, length=100)
    x = ds[7]
    assert x.shape == (2, 16, 16) and x.dtype == torch.float32
    assert torch.equal(x, data.SliceDataset(items, patch=16, seed=5, length=100)[7])
    assert not torch.equal(x, data.SliceDataset(items, patch=16, seed=6, length=100)[7])
    # magnitude-only: phase added → both channels used; magnitude ≤ 1.2 × max normalised value
    b = ds.batch(0, 32)
    assert b.shape == (32, 2, 16, 16)
    assert b[:, 1].abs().max() > 0
    mag = torch.sqrt(b[:, 0] ** 2 + b[:, 1] ** 2)
    assert mag.max() <= 1.2 * max(np.abs(i[0]).max() for i in items) + 1e-4


# ----------------------------------------------------------- train → export

def _write_sources(root):
    os.makedirs(root)
    vol = np.stack([blob(16, 16, s) for s in range(4)], axis=-1)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), os.path.join(root, "subjA.nii.gz"))
    data.write_cfl(os.path.join(root, "subjB"), blob(24, 16, 9) * np.exp(0.3j))
    with h5py.File(os.path.join(root, "subjC.h5"), "w") as f:
        f["reconstruction_rss"] = np.stack([blob(16, 20, s) for s in range(2)])


def _tiny_config(tmp_path, **training):
    """A config file of TINY_MODEL with 16 × 16 patches, batch 2, lr 1e-3 and ``training``."""
    cfg = str(tmp_path / "tiny.json")
    with open(cfg, "w") as f:
        json.dump({"model": TINY_MODEL, "training": {"batch": 2, "patch": 16, "lr": 1e-3, "log_every": 1,
                                                     "warmup": 1, **training}}, f)
    return cfg


def test_train_resume_export(tmp_path, capsys):
    root = str(tmp_path / "data")
    _write_sources(root)
    cfg = _tiny_config(tmp_path, steps=3, checkpoint_every=2, val_every=2)
    out = str(tmp_path / "run")
    args = ["--data", root, "--anatomy", "knee", "--config", cfg, "--out", out,
            "--val-files", "subjC", "--quiet"]
    assert train.main(args) == 0
    ck_path = os.path.join(out, "checkpoint.pt")
    ck = torch.load(ck_path)
    assert ck["step"] == 3
    assert ck["card"]["slices"] == {"train": 5, "val": 2}
    assert ck["card"]["subjects"]["val"] == ["subjC"]
    log = [json.loads(line) for line in open(os.path.join(out, "log.jsonl"))]
    losses = [r["loss"] for r in log if "loss" in r]
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert any("val_psnr" in r for r in log)

    # resume continues the step counter and equals an uninterrupted 5-step run
    assert train.main(args + ["--resume", "--steps", "5"]) == 0
    ck5 = torch.load(ck_path)
    assert ck5["step"] == 5 and ck5["card"]["training_steps"] == 5
    out2 = str(tmp_path / "run2")
    assert train.main(["--data", root, "--anatomy", "knee", "--config", cfg, "--out", out2,
                       "--val-files", "subjC", "--quiet", "--steps", "5"]) == 0
    ref = torch.load(os.path.join(out2, "checkpoint.pt"))
    for k, v in ref["model"].items():
        torch.testing.assert_close(ck5["model"][k], v, rtol=1e-5, atol=1e-6)

    # .ci/run sets MRI_DAPS_SMOKE_PRIOR to keep the export and load it with the Swift side.
    prior = os.environ.get("MRI_DAPS_SMOKE_PRIOR") or str(tmp_path / "prior.safetensors")
    assert export.main(["--checkpoint", ck_path, "--out", prior, "--fp16"]) == 0
    model, config, card = export.load_prior(prior)
    assert config == export.validate_config(TINY_MODEL)
    assert card["training_steps"] == 5 and "licence" in card and card["anatomy"] == "knee"
    raw, _ = export.safetensors_io.load_raw(prior)
    assert all(t.dtype == torch.float16 for t in raw.values())
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, ck5["ema"][k].half().float())

    capsys.readouterr()
    assert validate.main(["--prior", prior, "--data", root, "--val-files", "subjC", "--no-bm3d",
                          "--sigmas", "0.1", "0.5"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["slices"] == 2 and set(res["prior"]) == {"0.1", "0.5"} and res["bm3d"] is None
    assert res["noisy"]["0.5"] < res["noisy"]["0.1"]

    # ship: fp16 file with a complete card and the validation table (needs bm3d: Training/.venv)
    if validate._bm3d_module() is not None:
        shipped = str(tmp_path / "shipped.safetensors")
        assert ship.main(["--checkpoint", ck_path, "--data", root, "--val-files", "subjC", "--name", "tiny",
                          "--out", shipped, "--report", str(tmp_path / "val.json"), "--note", "one joint prior"]) == 0
        _, _, card = export.load_prior(shipped)
        assert card["name"] == "tiny" and card["training_steps"] == 5 and card["data"] == ["data"]
        assert card["note"] == "one joint prior"
        assert set(card["validation"]["bm3d_psnr_db"]) == {f"{s:g}" for s in validate.SIGMAS}
        assert card["validation"]["slices"] == 2
        assert json.load(open(tmp_path / "val.json"))["validation"] == card["validation"]


def test_datasets_named_on_the_card(tmp_path):
    brain = tmp_path / "brain"
    (brain / "ixi-t1-2mm").mkdir(parents=True)
    (brain / "mprage-trio-dicom").mkdir()
    names = [n for n, _ in train.datasets_for([str(brain)])]
    assert len(names) == 2 and names[0].startswith("IXI") and names[1].startswith("MPRAGE")
    knee = train.datasets_for([str(tmp_path / "x" / "mridata-axial")])
    assert "NON-COMMERCIAL" in knee[0][1]
    assert train.datasets_for([str(tmp_path / "mine")]) == [("mine", "user data, see its own licence")]


class _Identity(torch.nn.Module):
    """D(y, σ) = y: its denoising PSNR must equal the noisy input's."""

    def forward(self, x, sigma):
        return x


@pytest.mark.skipif(validate._bm3d_module() is None,
                    reason="bm3d not importable: run with Training/.venv/bin/python (scripts/setup-training-venv.sh)")
def test_validation_table_with_bm3d():
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, 64), torch.linspace(-1, 1, 64), indexing="ij")
    disc = ((xx ** 2 + yy ** 2) < 0.6).float() * (0.6 + 0.4 * torch.cos(3 * xx))
    image = torch.stack([disc, 0.3 * disc * yy])[None]
    res = validate.denoising_psnr(_Identity(), [image], sigmas=(0.05, 0.2), with_bm3d=True)
    for key in ("0.05", "0.2"):
        assert abs(res["prior"][key] - res["noisy"][key]) < 1e-9  # identity = noisy input
        assert res["bm3d"][key] > res["noisy"][key] + 3.0          # BM3D really denoises a piecewise-smooth image


def test_learning_rate_schedule():
    from training.train import learning_rate
    tr = {"lr": 2e-4, "warmup": 10, "steps": 100, "decay_steps": 0}
    assert learning_rate(0, tr) == pytest.approx(2e-5)
    assert learning_rate(9, tr) == pytest.approx(2e-4)
    assert learning_rate(99, tr) == pytest.approx(2e-4)
    tr["decay_steps"] = 40  # constant to step 60, then cosine to 0 at step 100
    assert learning_rate(59, tr) == pytest.approx(2e-4)
    assert learning_rate(60, tr) == pytest.approx(2e-4)
    assert learning_rate(80, tr) == pytest.approx(1e-4)
    assert learning_rate(90, tr) == pytest.approx(2e-4 * 0.5 * (1 + math.cos(math.pi * 0.75)))
    assert 0 < learning_rate(99, tr) < 1e-6


# ------------------------------------------- several planes, balance, contrast, scale, init

def _dicom_series(folder, shape, spacing, pixel=(1.0, 1.0)):
    pytest.importorskip("pydicom")
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    folder.mkdir()
    n, rows, cols = shape
    for k in range(n):
        meta = FileMetaDataset()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = FileDataset(str(folder / f"im{k}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.Rows, ds.Columns = rows, cols
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation, ds.SamplesPerPixel = 0, 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.ImagePositionPatient = [0, 0, k * spacing]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = list(pixel)
        ds.PixelData = (blob(rows, cols, k) * 10).astype(np.uint16).tobytes()
        ds.save_as(str(folder / f"im{k}.dcm"), write_like_original=False)


def test_planes_of_a_volume(tmp_path):
    # NIfTI 2 × 2 × 6 mm: only the axial plane (x–y) has square pixels; asked planes that do not are skipped.
    vol = np.stack([blob(12, 10, s) for s in range(8)], axis=-1)  # [x 12, y 10, z 8]
    path = str(tmp_path / "v.nii.gz")
    nib.save(nib.Nifti1Image(vol, np.diag([2.0, 2.0, 6.0, 1.0])), path)
    name, planes = data.load_planes(path, ["coronal", "axial", "sagittal"])
    assert name == "v" and [p for p, _ in planes] == ["coronal", "axial"]  # the first (native) is always kept
    assert len(planes[1][1]) == 8 and planes[1][1][0].shape == (10, 12)
    np.testing.assert_array_equal(planes[1][1][3], data.nifti_slices(path, "axial")[3])
    # isotropic DICOM series 5 × 6 × 7 at 1 mm: native plane plus both reslices of the stacked volume
    _dicom_series(tmp_path / "iso", (5, 6, 7), 1.0)
    name, planes = data.load_planes(str(tmp_path / "iso"), ["axial", "coronal", "sagittal"])
    assert [p for p, _ in planes] == ["native", "reslice1", "reslice2"]
    assert [(len(s), s[0].shape) for _, s in planes] == [(5, (6, 7)), (6, (7, 5)), (7, (6, 5))]
    stacked = np.stack(planes[0][1])
    np.testing.assert_array_equal(planes[2][1][2], np.flipud(stacked[:, :, 2].T))
    # 3 mm slices of 1 mm pixels: reslices would be stretched 3:1, so only the native plane
    _dicom_series(tmp_path / "thick", (4, 6, 7), 3.0)
    _, planes = data.load_planes(str(tmp_path / "thick"), ["axial", "coronal"])
    assert [p for p, _ in planes] == ["native"]
    # one axis asked: native plane only, as before
    assert [p for p, _ in data.load_planes(str(tmp_path / "iso"), "axial")[1]] == ["native"]


def test_split_keeps_reslices_of_held_out_ranges_out(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    _dicom_series(root / "iso", (6, 6, 6), 1.0)
    vol = np.stack([blob(8, 8, s) for s in range(8)], axis=-1)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), str(root / "other.nii.gz"))
    axes = ["axial", "coronal", "sagittal"]
    train_items, val_items, summary = data.split_sources([str(root)], ["iso:2-3"], axes)
    assert sorted(summary["val"]) == ["iso"] and [i[3] for i in val_items] == [2, 3]
    assert not any(i[2].startswith("iso@") for i in train_items)  # reslices cross slices 2–3
    assert sorted(k for k in summary["train"]) == ["iso", "other", "other@coronal", "other@sagittal"]
    assert all(len(i) == 5 and i[4] == 0 for i in train_items)
    # a whole held-out source: its native slices validate, its reslices are used nowhere
    _, val_items, summary = data.split_sources([str(root)], ["iso"], axes)
    assert summary["val"] == {"iso": 6}


def test_balanced_sampling_contrast_and_scale():
    big = [(blob(32, 32, k), True, f"b{k}", 0, 0) for k in range(30)]
    small = [(np.full((32, 32), 0.5, np.float32), True, "s", 0, 1)]
    items = big + small
    plain = data.SliceDataset(items, patch=16, seed=1, length=10**6)
    balanced = data.SliceDataset(items, patch=16, seed=1, length=10**6, balance=True)

    def share(ds):  # how often the lone constant slice of group 1 is drawn
        rngs = [np.random.default_rng((1, i)) for i in range(400)]
        return np.mean([ds._pick(r)[2] == "s" for r in rngs])

    assert share(plain) < 0.1 and 0.35 < share(balanced) < 0.65
    # contrast: 0.5^γ with γ in [0.5, 2], times the intensity scale U(0.8, 1.2): in [0.2, 0.849]
    ds = data.SliceDataset(small, patch=16, seed=2, length=100, gamma=(0.5, 2.0))
    mags = []
    for i in range(40):
        x = ds[i]
        mags.append(float(torch.sqrt(x[0] ** 2 + x[1] ** 2)[8, 8]))
    assert min(mags) < 0.35 and max(mags) > 0.6  # γ above and below 1 drawn
    assert max(mags) <= 0.5 ** 0.5 * 1.2 + 1e-5 and min(mags) >= 0.5 ** 2 * 0.8 - 1e-5
    # scale: a 2× shrink of a 32² slice fills a 16² patch with no zero padding, deterministic per seed
    ds = data.SliceDataset(big[:1], patch=16, seed=3, length=100, scale=(0.5, 0.5))
    x = ds[0]
    assert x.shape == (2, 16, 16) and torch.equal(x, data.SliceDataset(big[:1], patch=16, seed=3, length=100,
                                                                       scale=(0.5, 0.5))[0])
    assert float(torch.sqrt(x[0] ** 2 + x[1] ** 2).min()) > 0.1


def test_validation_slices_shared_between_groups():
    items = [(blob(8, 8, k), True, "a", k, 0) for k in range(100)] + [(blob(8, 8, 0), True, "b", 0, 1)]
    out = data.validation_tensors(items, 4, max_slices=8)
    assert len(out) == 5  # 4 of group 0, the only slice of group 1
    torch.testing.assert_close(torch.sqrt(out[-1][0, 0] ** 2 + out[-1][0, 1] ** 2),
                               torch.from_numpy(blob(8, 8, 0)), rtol=1e-5, atol=1e-5)


def test_init_from_a_prior(tmp_path):
    cfg = export.validate_config(TINY_MODEL)
    torch.manual_seed(3)
    donor = train.EDMUNet(cfg)
    prior = str(tmp_path / "donor.safetensors")
    export.export_model(donor, cfg, {"name": "d", "anatomy": "x", "data": [], "licence": "-",
                                     "training_steps": 1}, prior)
    model, ema = train.EDMUNet(cfg), train.EDMUNet(cfg)
    train.init_weights(model, ema, prior, cfg)
    for k, v in donor.state_dict().items():
        torch.testing.assert_close(model.state_dict()[k], v)
        torch.testing.assert_close(ema.state_dict()[k], v)
    other = export.validate_config(dict(TINY_MODEL, base_channels=8))
    with pytest.raises(ValueError, match="another model config"):
        train.init_weights(train.EDMUNet(other), train.EDMUNet(other), prior, other)


# ------------------------------------------------------------ packed sources, GPU-style runs

def test_packed_sources_give_the_same_slices(tmp_path):
    from training import pack
    root = str(tmp_path / "data")
    _write_sources(root)
    # a NIfTI whose values are integer multiples of one step (as a scaled NIfTI reads back)
    vol = np.stack([np.rint(blob(16, 16, s)) * 0.37 for s in range(3)], axis=-1)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), os.path.join(root, "subjD.nii.gz"))
    out = str(tmp_path / "packed")
    assert pack.main(["--data", root, "--out", out]) == 0
    packed_root = os.path.join(out, pack.root_label(root))
    assert sorted(os.listdir(packed_root)) == [f"subj{c}.src.npz" for c in "ABCD"]
    with np.load(os.path.join(packed_root, "subjD.src.npz")) as z:
        assert z["data"].dtype == np.uint8 and "scale" in z.files  # stored as k and the step
    axes = ["axial", "coronal", "sagittal"]
    t1, v1, s1 = data.split_sources([root], ["subjC"], axes)
    t2, v2, s2 = data.split_sources([packed_root], ["subjC"], axes)
    assert s1 == s2 and len(t1) == len(t2) and len(v1) == len(v2)
    for a, b in zip(t1 + v1, t2 + v2):
        assert a[1:] == b[1:]
        np.testing.assert_array_equal(a[0], b[0])
    # --max-size averages large DICOM slices only; other sources keep their size
    assert pack.main(["--data", root, "--out", str(tmp_path / "small"), "--max-size", "8"]) == 0
    t3, _, _ = data.split_sources([os.path.join(str(tmp_path / "small"), pack.root_label(root))], ["subjC"], axes)
    assert [a[0].shape for a in t3] == [a[0].shape for a in t1]
    # a root with no sources: one line, exit 2
    assert pack.main(["--data", str(tmp_path / "missing"), "--out", str(tmp_path / "none")]) == 2


def test_workers_and_max_minutes(tmp_path):
    root = str(tmp_path / "data")
    _write_sources(root)
    cfg = _tiny_config(tmp_path, steps=4, checkpoint_every=3, val_every=10)
    base = ["--data", root, "--anatomy", "knee", "--config", cfg, "--val-files", "subjC", "--quiet", "--threads", "1"]
    assert train.main(base + ["--out", str(tmp_path / "inline")]) == 0
    assert train.main(base + ["--out", str(tmp_path / "workers"), "--workers", "2", "--device", "auto"]) == 0
    a = torch.load(str(tmp_path / "inline" / "checkpoint.pt"))
    b = torch.load(str(tmp_path / "workers" / "checkpoint.pt"))
    assert a["step"] == b["step"] == 4
    for k, v in a["model"].items():  # the same batches, so the same weights (to GPU rounding with --device auto)
        torch.testing.assert_close(b["model"][k].cpu(), v, rtol=1e-4, atol=1e-5)
    # --max-minutes stops at once with a checkpoint that --resume continues
    stop = str(tmp_path / "stop")
    assert train.main(base + ["--out", stop, "--max-minutes", "0"]) == 0
    assert torch.load(os.path.join(stop, "checkpoint.pt"))["step"] == 0
    assert train.main(base + ["--out", stop, "--resume"]) == 0
    c = torch.load(os.path.join(stop, "checkpoint.pt"))
    assert c["step"] == 4
    for k, v in a["model"].items():
        torch.testing.assert_close(c["model"][k], v, rtol=1e-5, atol=1e-6)
