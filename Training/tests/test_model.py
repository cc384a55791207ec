"""Tests for the EDMUNet prior, the safetensors I/O, the exporter and the fixture generator.

Run from Training/:  /usr/bin/python3 -m pytest -q tests
"""

import json
import math
import os
import struct
import sys

import numpy as np
import pytest
import torch

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TRAINING)
sys.path.insert(0, TRAINING)

import make_fixture  # noqa: E402
from training import export, safetensors_io  # noqa: E402
from training.model import (ConfigError, EDMUNet, edm_coefficients,  # noqa: E402
                            expected_state_dict_shapes, make_config, validate_config)

FIXTURE_DIR = os.path.join(REPO, "Tests", "Fixtures", "prior")

TINY = dict(make_fixture.TINY_CONFIG)


def shapes_of(model):
    return {k: list(v.shape) for k, v in model.state_dict().items()}


def block_shapes(name, cin, cout, emb):
    out = {
        f"{name}.norm1.weight": [cin], f"{name}.norm1.bias": [cin],
        f"{name}.conv1.weight": [cout, cin, 3, 3], f"{name}.conv1.bias": [cout],
        f"{name}.emb_proj.weight": [2 * cout, emb], f"{name}.emb_proj.bias": [2 * cout],
        f"{name}.norm2.weight": [cout], f"{name}.norm2.bias": [cout],
        f"{name}.conv2.weight": [cout, cout, 3, 3], f"{name}.conv2.bias": [cout],
    }
    if cin != cout:
        out[f"{name}.skip.weight"] = [cout, cin, 1, 1]
        out[f"{name}.skip.bias"] = [cout]
    return out


# --------------------------------------------------------------------------- names


def test_tensor_names_tiny_with_attention_match_contract_literally():
    config = make_config(**TINY)  # B=8, C=[8,16], E=16, attention, 2 heads
    expected = {
        "emb.linear1.weight": [16, 8], "emb.linear1.bias": [16],
        "emb.linear2.weight": [16, 16], "emb.linear2.bias": [16],
        "conv_in.weight": [8, 2, 3, 3], "conv_in.bias": [8],
        **block_shapes("down.0.blocks.0", 8, 8, 16),
        **block_shapes("down.1.blocks.0", 8, 16, 16),
        **block_shapes("mid.block1", 16, 16, 16),
        "mid.attn.norm.weight": [16], "mid.attn.norm.bias": [16],
        "mid.attn.qkv.weight": [48, 16, 1, 1], "mid.attn.qkv.bias": [48],
        "mid.attn.proj.weight": [16, 16, 1, 1], "mid.attn.proj.bias": [16],
        **block_shapes("mid.block2", 16, 16, 16),
        **block_shapes("up.1.blocks.0", 32, 16, 16),
        **block_shapes("up.0.blocks.0", 24, 8, 16),
        "norm_out.weight": [8], "norm_out.bias": [8],
        "conv_out.weight": [2, 8, 3, 3], "conv_out.bias": [2],
    }
    assert shapes_of(EDMUNet(config)) == expected
    assert expected_state_dict_shapes(config) == expected
    assert "down.1.blocks.0.skip.weight" in expected and "down.0.blocks.0.skip.weight" not in expected


def test_tensor_names_without_attention():
    config = make_config(**{**TINY, "attention": False})
    shapes = shapes_of(EDMUNet(config))
    assert not any(k.startswith("mid.attn") for k in shapes)
    assert shapes == expected_state_dict_shapes(config)
    with_attn = shapes_of(EDMUNet(make_config(**TINY)))
    assert set(with_attn) - set(shapes) == {f"mid.attn.{m}.{p}" for m in ("norm", "qkv", "proj")
                                            for p in ("weight", "bias")}


def test_tensor_names_two_blocks_three_levels():
    config = make_config(base_channels=8, channel_multipliers=[1, 2, 3], blocks_per_level=2,
                         attention=True, attention_heads=4, groups=4, embedding_channels=24)
    shapes = shapes_of(EDMUNet(config))
    assert shapes == expected_state_dict_shapes(config)
    C = [8, 16, 24]
    expected = {}
    for l in range(3):
        expected.update(block_shapes(f"down.{l}.blocks.0", C[l - 1] if l > 0 else C[0], C[l], 24))
        expected.update(block_shapes(f"down.{l}.blocks.1", C[l], C[l], 24))
        expected.update(block_shapes(f"up.{l}.blocks.0", (C[l + 1] if l < 2 else C[2]) + C[l], C[l], 24))
        expected.update(block_shapes(f"up.{l}.blocks.1", C[l], C[l], 24))
    for k, v in expected.items():
        assert shapes[k] == v, k
    blocks = {k for k in shapes if k.startswith(("down.", "up."))}
    assert blocks == set(expected)
    # skip convs exist exactly where cin != cout
    skips = sorted({k.rsplit(".", 2)[0] for k in shapes if ".skip." in k})
    assert skips == ["down.1.blocks.0", "down.2.blocks.0", "up.0.blocks.0", "up.1.blocks.0", "up.2.blocks.0"]
    assert shapes["up.2.blocks.0.conv1.weight"] == [24, 48, 3, 3]
    assert shapes["up.1.blocks.0.conv1.weight"] == [16, 40, 3, 3]
    assert shapes["emb.linear1.weight"] == [24, 8]


def test_skip_only_when_channels_differ():
    config = make_config(base_channels=8, channel_multipliers=[1, 1, 2], blocks_per_level=2,
                         groups=4, embedding_channels=8)
    model = EDMUNet(config)
    for name, module in model.named_modules():
        if type(module).__name__ == "ResBlock":
            cin, cout = module.conv1.in_channels, module.conv1.out_channels
            assert (module.skip is not None) == (cin != cout), name
    names = shapes_of(model)
    assert "down.1.blocks.0.skip.weight" not in names  # 8 → 8
    assert "down.2.blocks.0.skip.weight" in names      # 8 → 16
    assert "mid.block1.skip.weight" not in names and "mid.block2.skip.weight" not in names


# --------------------------------------------------------------------------- config


def test_unknown_config_key_rejected():
    config = make_config(**TINY)
    with pytest.raises(ConfigError, match="unknown"):
        EDMUNet({**config, "dropout": 0.1})
    with pytest.raises(ConfigError, match="unknown"):
        make_config(channel_mult=[1, 2])


def test_bad_configs_rejected():
    config = make_config(**TINY)
    missing = dict(config)
    del missing["groups"]
    with pytest.raises(ConfigError, match="missing"):
        EDMUNet(missing)
    with pytest.raises(ConfigError, match="groups"):
        make_config(base_channels=8, groups=3)
    with pytest.raises(ConfigError, match="attention_heads"):
        make_config(base_channels=8, channel_multipliers=[1, 2], groups=4, attention=True, attention_heads=3)
    with pytest.raises(ConfigError):
        make_config(attention=1)
    with pytest.raises(ConfigError):
        make_config(sigma_data=0.0)
    with pytest.raises(ConfigError):
        make_config(base_channels=9, groups=1)


# --------------------------------------------------------------------------- preconditioning


def test_preconditioning_hand_values():
    sigma = torch.tensor([0.5, 1.0, 0.01], dtype=torch.float64)
    c_skip, c_out, c_in, c_noise = edm_coefficients(sigma, 0.5)
    # σ = 0.5 = σd: c_skip = 1/2, c_out = 0.25/√0.5, c_in = √2, c_noise = ln(0.5)/4
    # σ = 1: c_skip = 0.25/1.25 = 0.2, c_out = 0.5/√1.25, c_in = 1/√1.25, c_noise = 0
    # σ = 0.01: c_skip = 0.25/0.2501, c_out = 0.005/√0.2501, c_in = 1/√0.2501, c_noise = ln(0.01)/4
    np.testing.assert_allclose(c_skip, [0.5, 0.2, 0.25 / 0.2501], rtol=1e-14)
    np.testing.assert_allclose(c_out, [0.3535533905932738, 0.4472135954999579, 0.005 / math.sqrt(0.2501)],
                               rtol=1e-14)
    np.testing.assert_allclose(c_in, [1.4142135623730951, 0.8944271909999159, 1 / math.sqrt(0.2501)], rtol=1e-14)
    np.testing.assert_allclose(c_noise, [-0.17328679513998632, 0.0, -1.1512925464970228], rtol=1e-14, atol=1e-16)


def test_forward_composes_preconditioning_and_raw():
    model = make_fixture.build({}, 3, 8, 4)[1].double()
    torch.manual_seed(0)
    x = torch.randn(2, 2, 8, 4, dtype=torch.float64)
    sigma = torch.tensor([0.2, 7.0], dtype=torch.float64)
    sd = 0.5
    with torch.no_grad():
        d = model(x, sigma)
        s = sigma[:, None, None, None]
        f = model.raw(x / torch.sqrt(s ** 2 + sd ** 2), torch.log(sigma) / 4)
    manual = sd ** 2 / (s ** 2 + sd ** 2) * x + s * sd / torch.sqrt(s ** 2 + sd ** 2) * f
    torch.testing.assert_close(d, manual, rtol=1e-13, atol=1e-13)
    assert d.shape == x.shape


def test_forward_shape_and_divisibility():
    model = EDMUNet(make_config(base_channels=8, channel_multipliers=[1, 2, 2], groups=4, embedding_channels=16))
    with torch.no_grad():
        out = model(torch.randn(2, 2, 12, 8), torch.tensor([0.3, 3.0]))
    assert out.shape == (2, 2, 12, 8)
    with pytest.raises(ValueError):
        model(torch.randn(1, 2, 10, 8), torch.tensor([1.0]))  # 10 not divisible by 4
    with pytest.raises(ValueError):
        model(torch.randn(2, 2, 8, 8), torch.tensor([1.0, 2.0, 3.0]))


# ------------------------------------------------- independent NumPy reference of the contract


def _np_groupnorm(x, groups, w, b, eps=1e-5):
    n, c, h, wd = x.shape
    g = x.reshape(n, groups, -1)
    mean = g.mean(axis=2, keepdims=True)
    var = g.var(axis=2, keepdims=True)
    g = (g - mean) / np.sqrt(var + eps)
    return g.reshape(n, c, h, wd) * w[None, :, None, None] + b[None, :, None, None]


def _np_conv(x, w, b):
    n, cin, h, wd = x.shape
    k = w.shape[2]
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = np.zeros((n, w.shape[0], h, wd))
    for dy in range(k):
        for dx in range(k):
            out += np.einsum("oi,nihw->nohw", w[:, :, dy, dx], xp[:, :, dy:dy + h, dx:dx + wd])
    return out + b[None, :, None, None]


def _silu(x):
    return x / (1 + np.exp(-x))


def _np_reference_F(sd, config, x, c_noise):
    B = config["base_channels"]
    G = config["groups"]
    C = [B * m for m in config["channel_multipliers"]]
    L = len(C)
    half = B // 2
    f = 10000.0 ** (-np.arange(half) / half)
    e = np.concatenate([np.cos(c_noise[:, None] * f), np.sin(c_noise[:, None] * f)], axis=1)
    lin = lambda v, n: v @ sd[n + ".weight"].T + sd[n + ".bias"]  # noqa: E731
    emb = _silu(lin(_silu(lin(e, "emb.linear1")), "emb.linear2"))

    def block(h, n):
        x0 = h
        h = _np_conv(_silu(_np_groupnorm(h, G, sd[n + ".norm1.weight"], sd[n + ".norm1.bias"])),
                     sd[n + ".conv1.weight"], sd[n + ".conv1.bias"])
        p = lin(emb, n + ".emb_proj")
        cout = h.shape[1]
        scale, shift = p[:, :cout], p[:, cout:]
        h = _np_groupnorm(h, G, sd[n + ".norm2.weight"], sd[n + ".norm2.bias"])
        h = h * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
        h = _np_conv(_silu(h), sd[n + ".conv2.weight"], sd[n + ".conv2.bias"])
        if n + ".skip.weight" in sd:
            x0 = _np_conv(x0, sd[n + ".skip.weight"], sd[n + ".skip.bias"])
        return x0 + h

    def attn(h):
        n_, c, hh, ww = h.shape
        heads = config["attention_heads"]
        d = c // heads
        qkv = _np_conv(_np_groupnorm(h, G, sd["mid.attn.norm.weight"], sd["mid.attn.norm.bias"]),
                       sd["mid.attn.qkv.weight"], sd["mid.attn.qkv.bias"]).reshape(n_, 3 * c, hh * ww)
        out = np.zeros((n_, c, hh * ww))
        for bi in range(n_):
            for hd in range(heads):
                q = qkv[bi, hd * d:(hd + 1) * d]            # [d, N]
                k = qkv[bi, c + hd * d:c + (hd + 1) * d]
                v = qkv[bi, 2 * c + hd * d:2 * c + (hd + 1) * d]
                logits = q.T @ k / math.sqrt(d)              # [Nq, Nk]
                wgt = np.exp(logits - logits.max(axis=1, keepdims=True))
                wgt /= wgt.sum(axis=1, keepdims=True)
                out[bi, hd * d:(hd + 1) * d] = (wgt @ v.T).T
        return h + _np_conv(out.reshape(n_, c, hh, ww), sd["mid.attn.proj.weight"], sd["mid.attn.proj.bias"])

    h = _np_conv(x, sd["conv_in.weight"], sd["conv_in.bias"])
    skips = []
    for l in range(L):
        for b in range(config["blocks_per_level"]):
            h = block(h, f"down.{l}.blocks.{b}")
        skips.append(h)
        if l < L - 1:
            n_, c, hh, ww = h.shape
            h = h.reshape(n_, c, hh // 2, 2, ww // 2, 2).mean(axis=(3, 5))
    h = block(h, "mid.block1")
    if config["attention"]:
        h = attn(h)
    h = block(h, "mid.block2")
    for l in reversed(range(L)):
        if l < L - 1:
            h = h.repeat(2, axis=2).repeat(2, axis=3)
        h = np.concatenate([h, skips[l]], axis=1)
        for b in range(config["blocks_per_level"]):
            h = block(h, f"up.{l}.blocks.{b}")
    h = _silu(_np_groupnorm(h, G, sd["norm_out.weight"], sd["norm_out.bias"]))
    return _np_conv(h, sd["conv_out.weight"], sd["conv_out.bias"])


@pytest.mark.parametrize("overrides", [
    {},
    {"attention_heads": 4, "channel_multipliers": [1, 2, 1], "blocks_per_level": 2},
])
def test_model_matches_independent_numpy_reference(overrides):
    config, model, x, sigma, _, _ = make_fixture.build(overrides, 11, 8, 12)
    model = model.double()
    sd = {k: v.double().numpy() for k, v in model.state_dict().items()}
    x = x.double()
    sigma = sigma.double()
    c_skip, c_out, c_in, c_noise = edm_coefficients(sigma, 0.5)
    ref_F = _np_reference_F(sd, config, (c_in[:, None, None, None] * x).numpy(), c_noise.numpy())
    with torch.no_grad():
        got_F = model.raw(c_in[:, None, None, None] * x, c_noise).numpy()
        got_D = model(x, sigma).numpy()
    np.testing.assert_allclose(got_F, ref_F, rtol=1e-10, atol=1e-10)
    ref_D = (c_skip[:, None, None, None] * x).numpy() + c_out.numpy()[:, None, None, None] * ref_F
    np.testing.assert_allclose(got_D, ref_D, rtol=1e-10, atol=1e-10)
    assert np.std(ref_F) > 0.1  # the random weights make F non-trivial


# --------------------------------------------------------------------------- safetensors


def test_safetensors_round_trip_fp32_and_fp16(tmp_path):
    rng = np.random.default_rng(1)
    tensors = {"a": torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32)),
               "b.c": torch.from_numpy(rng.standard_normal((2, 1, 5)).astype(np.float32)),
               "scalar_vec": torch.tensor([65504.0])}
    meta = {"format": "x", "k": "{\"a\": 1}"}
    p32, p16 = tmp_path / "a32.safetensors", tmp_path / "a16.safetensors"
    safetensors_io.save(p32, tensors, meta, "F32")
    safetensors_io.save(p16, tensors, meta, "F16")
    got32, m32 = safetensors_io.load(p32)
    got16, m16 = safetensors_io.load(p16)
    assert m32 == meta and m16 == meta
    assert list(got32) == list(tensors)
    for k, v in tensors.items():
        assert torch.equal(got32[k], v)
        assert got16[k].dtype == torch.float32
        assert torch.equal(got16[k], v.half().float())
    raw16, _ = safetensors_io.load_raw(p16)
    assert all(v.dtype == torch.float16 for v in raw16.values())
    # byte layout: u64 LE header length (multiple of 8), JSON header, packed data
    blob = p16.read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    assert n % 8 == 0
    assert header["a"] == {"dtype": "F16", "shape": [3, 4], "data_offsets": [0, 24]}
    assert header["b.c"]["data_offsets"] == [24, 44]
    assert len(blob) == 8 + n + 46
    assert np.array_equal(np.frombuffer(blob[8 + n:8 + n + 24], "<f2").reshape(3, 4), tensors["a"].half().numpy())


def _rewrite_header(src, dst, edit):
    blob = src.read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    header, data = edit(header, data)
    hb = json.dumps(header).encode()
    dst.write_bytes(struct.pack("<Q", len(hb)) + hb + data)


def test_safetensors_rejects_malformed(tmp_path):
    p = tmp_path / "ok.safetensors"
    safetensors_io.save(p, {"a": torch.ones(2, 3), "b": torch.zeros(4)}, {"m": "v"})
    bad = tmp_path / "bad.safetensors"
    cases = [
        lambda h, d: (h, d + b"\0\0\0\0"),                                                   # trailing bytes
        lambda h, d: ({**h, "a": {**h["a"], "dtype": "F64"}}, d),                            # dtype
        lambda h, d: ({**h, "a": {**h["a"], "shape": [3, 3]}}, d),                           # size mismatch
        lambda h, d: ({**h, "b": {**h["b"], "data_offsets": [28, 44]}}, d + b"\0" * 4),      # gap
        lambda h, d: ({**h, "__metadata__": {"m": 1}}, d),                                   # non-string meta
    ]
    for edit in cases:
        _rewrite_header(p, bad, edit)
        with pytest.raises(safetensors_io.SafetensorsError):
            safetensors_io.load(bad)
    bad.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(safetensors_io.SafetensorsError):
        safetensors_io.load(bad)
    with pytest.raises(safetensors_io.SafetensorsError):
        safetensors_io.save(bad, {"a": torch.tensor([1e6])}, None, "F16")  # overflows fp16


# --------------------------------------------------------------------------- export


CARD = {"name": "t", "anatomy": "knee", "data": "none", "licence": "CC0-1.0", "training_steps": 0}


def test_export_and_strict_load(tmp_path):
    config, model, x, sigma, _, _ = make_fixture.build({}, 5, 8, 8)
    path = tmp_path / "p.safetensors"
    export.export_model(model, config, CARD, path, fp16=False)
    loaded, cfg, card = export.load_prior(path)
    assert cfg == config and card == CARD
    _, meta = safetensors_io.load(path)
    assert meta["format"] == "mri-daps-edm-unet" and meta["format_version"] == "1"
    assert json.loads(meta["config"]) == config
    with torch.no_grad():
        assert torch.equal(loaded(x, sigma), model.float()(x, sigma))
    # an extra tensor, a missing tensor, or a bad card are rejected
    state = model.state_dict()
    with pytest.raises(export.ExportError):
        export.export_state_dict({**state, "extra.weight": torch.zeros(1)}, config, CARD, path)
    with pytest.raises(export.ExportError):
        export.export_state_dict({k: v for k, v in state.items() if k != "conv_out.bias"}, config, CARD, path)
    with pytest.raises(export.ExportError):
        export.export_model(model, config, {"name": "x"}, path)
    tensors, meta = safetensors_io.load(path)
    safetensors_io.save(tmp_path / "extra.safetensors", {**tensors, "junk": torch.zeros(2)}, meta)
    with pytest.raises(export.ExportError):
        export.load_prior(tmp_path / "extra.safetensors")


def test_export_cli_from_checkpoint(tmp_path):
    config, model, _, _, _, _ = make_fixture.build({"attention": False}, 6, 8, 8)
    ckpt = tmp_path / "c.pt"
    torch.save({"config": config, "ema": model.state_dict(), "step": 123,
                "card": {k: v for k, v in CARD.items() if k != "training_steps"}}, ckpt)
    out = tmp_path / "o.safetensors"
    assert export.main(["--checkpoint", str(ckpt), "--out", str(out), "--fp16"]) == 0
    tensors, meta = safetensors_io.load_raw(out)
    assert json.loads(meta["card"])["training_steps"] == 123
    assert all(v.dtype == torch.float16 for v in tensors.values())
    assert torch.equal(tensors["conv_in.weight"], model.state_dict()["conv_in.weight"].half())


# --------------------------------------------------------------------------- fixture


def test_fixture_generator_is_deterministic_and_matches_committed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_fixture.main(["--out", str(a)])
    make_fixture.main(["--out", str(b)])
    names = ["tiny_unet.safetensors", "tiny_unet_fp16.safetensors", "tiny_unet_io.safetensors"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = tmp_path / "c"
    make_fixture.main(["--out", str(c), "--seed", "1"])
    assert (a / names[0]).read_bytes() != (c / names[0]).read_bytes()
    if os.path.isdir(FIXTURE_DIR):
        for name in names:
            with open(os.path.join(FIXTURE_DIR, name), "rb") as f:
                assert f.read() == (a / name).read_bytes(), f"committed {name} is stale: rerun make_fixture.py"
        assert sum(os.path.getsize(os.path.join(FIXTURE_DIR, n)) for n in names) < 200_000


def test_committed_fixture_contents():
    io_path = os.path.join(FIXTURE_DIR, "tiny_unet_io.safetensors")
    if not os.path.exists(io_path):
        pytest.skip("Tests/Fixtures/prior not generated")
    io, _ = safetensors_io.load(io_path)
    assert set(io) == {"x", "sigma", "expected", "expected_fp16", "x1", "sigma1", "expected1"}
    assert list(io["x"].shape) == [3, 2, 12, 8] and list(io["expected"].shape) == [3, 2, 12, 8]
    assert list(io["x1"].shape) == [1, 2, 12, 8]
    np.testing.assert_array_equal(io["sigma"].numpy(), np.float32([0.01, 1.3, 100.0]))
    np.testing.assert_array_equal(io["sigma1"].numpy(), np.float32([0.05]))
    model, config, card = export.load_prior(os.path.join(FIXTURE_DIR, "tiny_unet.safetensors"))
    model16, _, _ = export.load_prior(os.path.join(FIXTURE_DIR, "tiny_unet_fp16.safetensors"))
    assert config == make_config(**TINY)
    with torch.no_grad():
        d = model.double()(io["x"].double(), io["sigma"].double())
        d16 = model16.double()(io["x"].double(), io["sigma"].double())
        d1 = model(io["x1"].double(), io["sigma1"].double())
        d32 = model.float()(io["x"], io["sigma"])
    np.testing.assert_allclose(io["expected"].numpy(), d.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(io["expected_fp16"].numpy(), d16.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(io["expected1"].numpy(), d1.numpy(), rtol=1e-6, atol=1e-6)
    # a float32 evaluation agrees to float32 accuracy; fp16 weights differ measurably
    np.testing.assert_allclose(d32.numpy(), io["expected"].numpy(), rtol=1e-4, atol=1e-4)
    assert (io["expected"] - io["expected_fp16"]).abs().max() > 1e-5
    # the network part matters for σ = 1.3: D differs from c_skip·x by O(1)
    c_skip = 0.25 / (np.float32(1.3).astype(np.float64) ** 2 + 0.25)
    assert (io["expected"][1] - c_skip * io["x"][1]).abs().max() > 0.1
