"""EDM-preconditioned UNet prior, exactly as specified in docs/weight-format.md.

The submodule names of :class:`EDMUNet` produce exactly the tensor names of the
contract (``emb.linear1.weight``, ``down.0.blocks.0.norm1.weight``, ...), so
``model.state_dict()`` can be written to safetensors unchanged.

Pure module: imports only ``torch`` and ``math``.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

FORMAT_NAME = "mri-daps-edm-unet"
FORMAT_VERSION = "1"

#: Contract configuration keys and their defaults (docs/weight-format.md).
DEFAULT_CONFIG = {
    "in_channels": 2,
    "out_channels": 2,
    "base_channels": 32,
    "channel_multipliers": [1, 2, 2],
    "blocks_per_level": 1,
    "attention": False,
    "attention_heads": 1,
    "groups": 8,
    "embedding_channels": 128,
    "sigma_data": 0.5,
}

GROUPNORM_EPS = 1e-5


class ConfigError(ValueError):
    """Invalid prior configuration (unknown/missing key, bad type or value)."""


def make_config(**overrides):
    """Return a full, validated config: :data:`DEFAULT_CONFIG` with ``overrides`` applied."""
    config = dict(DEFAULT_CONFIG)
    config["channel_multipliers"] = list(config["channel_multipliers"])
    for key, value in overrides.items():
        if key not in DEFAULT_CONFIG:
            raise ConfigError(f"config: unknown key '{key}'")
        config[key] = value
    return validate_config(config)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_config(config):
    """Check a config dict against the contract and return a normalised copy.

    Every contract key must be present, no other key may be present, and
    ``groups`` must divide every channel count (C_l, and base_channels is even
    for the sinusoidal embedding); ``attention_heads`` must divide C_{L-1}.
    """
    if not isinstance(config, dict):
        raise ConfigError("config: must be a JSON object / dict")
    unknown = sorted(set(config) - set(DEFAULT_CONFIG))
    if unknown:
        raise ConfigError(f"config: unknown key(s) {unknown}")
    missing = sorted(set(DEFAULT_CONFIG) - set(config))
    if missing:
        raise ConfigError(f"config: missing key(s) {missing}")
    for key in ("in_channels", "out_channels", "base_channels", "blocks_per_level",
                "attention_heads", "groups", "embedding_channels"):
        if not _is_int(config[key]) or config[key] < 1:
            raise ConfigError(f"config: '{key}' must be a positive integer, got {config[key]!r}")
    if not isinstance(config["attention"], bool):
        raise ConfigError(f"config: 'attention' must be a boolean, got {config['attention']!r}")
    sigma_data = config["sigma_data"]
    if isinstance(sigma_data, bool) or not isinstance(sigma_data, (int, float)) \
            or not math.isfinite(sigma_data) or sigma_data <= 0:
        raise ConfigError(f"config: 'sigma_data' must be a positive number, got {sigma_data!r}")
    if config["in_channels"] != config["out_channels"]:
        raise ConfigError("config: 'in_channels' must equal 'out_channels' (D = c_skip·x + c_out·F)")
    mults = config["channel_multipliers"]
    if not isinstance(mults, (list, tuple)) or len(mults) < 1 \
            or not all(_is_int(m) and m >= 1 for m in mults):
        raise ConfigError(f"config: 'channel_multipliers' must be a non-empty list of positive integers, got {mults!r}")
    base = config["base_channels"]
    if base % 2 != 0:
        raise ConfigError(f"config: 'base_channels' must be even (sinusoidal embedding), got {base}")
    groups = config["groups"]
    for m in mults:
        if (base * m) % groups != 0:
            raise ConfigError(f"config: 'groups' {groups} does not divide channel count {base * m}")
    if config["attention"] and (base * mults[-1]) % config["attention_heads"] != 0:
        raise ConfigError(f"config: 'attention_heads' {config['attention_heads']} does not divide "
                          f"{base * mults[-1]} channels")
    out = dict(config)
    out["channel_multipliers"] = [int(m) for m in mults]
    out["sigma_data"] = float(sigma_data)
    return out


def silu(x):
    """SiLU(x) = x·sigmoid(x)."""
    return x * torch.sigmoid(x)


class NoiseEmbedding(nn.Module):
    """Sinusoidal embedding of c_noise then Linear(B→E), SiLU, Linear(E→E), SiLU.

    half = B/2, f_i = 10000^(−i/half), e = [cos(c_noise·f), sin(c_noise·f)] (cos first).
    """

    def __init__(self, base_channels, embedding_channels):
        super().__init__()
        self.base_channels = base_channels
        self.linear1 = nn.Linear(base_channels, embedding_channels)
        self.linear2 = nn.Linear(embedding_channels, embedding_channels)

    def forward(self, c_noise):
        half = self.base_channels // 2
        i = torch.arange(half, dtype=c_noise.dtype, device=c_noise.device)
        freqs = torch.pow(torch.tensor(10000.0, dtype=c_noise.dtype, device=c_noise.device), -i / half)
        arg = c_noise[:, None] * freqs[None, :]
        e = torch.cat([torch.cos(arg), torch.sin(arg)], dim=1)
        return silu(self.linear2(silu(self.linear1(e))))


class ResBlock(nn.Module):
    """ResBlock(cin → cout) with scale/shift noise conditioning (contract §ResBlock)."""

    def __init__(self, cin, cout, emb_channels, groups):
        super().__init__()
        self.cout = cout
        self.norm1 = nn.GroupNorm(groups, cin, eps=GROUPNORM_EPS)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb_proj = nn.Linear(emb_channels, 2 * cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=GROUPNORM_EPS)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.skip = nn.Conv2d(cin, cout, 1)
        else:
            self.skip = None

    def forward(self, x, emb):
        h = self.conv1(silu(self.norm1(x)))
        params = self.emb_proj(emb)
        scale = params[:, :self.cout, None, None]
        shift = params[:, self.cout:, None, None]
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(silu(h))
        s = x if self.skip is None else self.skip(x)
        return s + h


class Attention(nn.Module):
    """Multi-head self-attention over the H·W positions, residual (contract §Attention)."""

    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels, eps=GROUPNORM_EPS)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        d = c // self.heads
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, d, h * w)
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # [b, heads, d, n]
        logits = torch.einsum("bhdi,bhdj->bhij", q, k) / math.sqrt(d)  # [b, heads, n_q, n_k]
        weights = torch.softmax(logits, dim=-1)
        a = torch.einsum("bhij,bhdj->bhdi", weights, v).reshape(b, c, h, w)
        return x + self.proj(a)


class Level(nn.Module):
    """Container so that names read ``down.{l}.blocks.{b}`` / ``up.{l}.blocks.{b}``."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)


class Middle(nn.Module):
    def __init__(self, channels, emb_channels, groups, attention, heads):
        super().__init__()
        self.block1 = ResBlock(channels, channels, emb_channels, groups)
        self.attn = Attention(channels, heads, groups) if attention else None
        self.block2 = ResBlock(channels, channels, emb_channels, groups)

    def forward(self, h, emb):
        h = self.block1(h, emb)
        if self.attn is not None:
            h = self.attn(h)
        return self.block2(h, emb)


class EDMUNet(nn.Module):
    """EDM-preconditioned UNet D(x, σ) of docs/weight-format.md.

    D(x, σ) = c_skip·x + c_out·F(c_in·x, c_noise) with c_skip = σd²/(σ²+σd²),
    c_out = σ·σd/√(σ²+σd²), c_in = 1/√(σ²+σd²), c_noise = ln(σ)/4.
    """

    def __init__(self, config):
        super().__init__()
        config = validate_config(config)
        self.config = config
        self.sigma_data = config["sigma_data"]
        base = config["base_channels"]
        E = config["embedding_channels"]
        G = config["groups"]
        nb = config["blocks_per_level"]
        chans = [base * m for m in config["channel_multipliers"]]
        self.chans = chans
        L = len(chans)
        self.levels = L

        self.emb = NoiseEmbedding(base, E)
        self.conv_in = nn.Conv2d(config["in_channels"], chans[0], 3, padding=1)

        down = []
        for l in range(L):
            blocks = []
            for b in range(nb):
                cin = (chans[l - 1] if l > 0 else chans[0]) if b == 0 else chans[l]
                blocks.append(ResBlock(cin, chans[l], E, G))
            down.append(Level(blocks))
        self.down = nn.ModuleList(down)

        self.mid = Middle(chans[-1], E, G, config["attention"], config["attention_heads"])

        # Built for l = 0..L-1 so that index l is level l; executed from L-1 down to 0.
        up = []
        for l in range(L):
            blocks = []
            for b in range(nb):
                if b == 0:
                    cin = (chans[l + 1] if l < L - 1 else chans[L - 1]) + chans[l]
                else:
                    cin = chans[l]
                blocks.append(ResBlock(cin, chans[l], E, G))
            up.append(Level(blocks))
        self.up = nn.ModuleList(up)

        self.norm_out = nn.GroupNorm(G, chans[0], eps=GROUPNORM_EPS)
        self.conv_out = nn.Conv2d(chans[0], config["out_channels"], 3, padding=1)

    def raw(self, x_in, c_noise):
        """The raw network F(x_in, c_noise); x_in [B, in, H, W], c_noise [B]."""
        L = self.levels
        factor = 2 ** (L - 1)
        if x_in.dim() != 4 or x_in.shape[2] % factor != 0 or x_in.shape[3] % factor != 0:
            raise ValueError(f"EDMUNet: input shape {tuple(x_in.shape)} must be [B, C, H, W] "
                             f"with H and W divisible by {factor}")
        emb = self.emb(c_noise)
        h = self.conv_in(x_in)
        skips = []
        for l in range(L):
            for block in self.down[l].blocks:
                h = block(h, emb)
            skips.append(h)
            if l < L - 1:
                h = F.avg_pool2d(h, 2)
        h = self.mid(h, emb)
        for l in reversed(range(L)):
            if l < L - 1:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = torch.cat([h, skips[l]], dim=1)
            for block in self.up[l].blocks:
                h = block(h, emb)
        return self.conv_out(silu(self.norm_out(h)))

    def preconditioning(self, sigma):
        """Return (c_skip, c_out, c_in, c_noise) for a sigma tensor."""
        sd = self.sigma_data
        return edm_coefficients(sigma, sd)

    def forward(self, x, sigma):
        """D(x, σ); x [B, 2, H, W], sigma [B] (a scalar or 0-d tensor is broadcast)."""
        sigma = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
        if sigma.dim() == 0:
            sigma = sigma.expand(x.shape[0])
        if sigma.shape != (x.shape[0],):
            raise ValueError(f"EDMUNet: sigma shape {tuple(sigma.shape)} must be [{x.shape[0]}]")
        c_skip, c_out, c_in, c_noise = self.preconditioning(sigma)
        f = self.raw(c_in[:, None, None, None] * x, c_noise)
        return c_skip[:, None, None, None] * x + c_out[:, None, None, None] * f


def edm_coefficients(sigma, sigma_data):
    """EDM preconditioning: c_skip = σd²/(σ²+σd²), c_out = σ·σd/√(σ²+σd²),
    c_in = 1/√(σ²+σd²), c_noise = ln(σ)/4 (elementwise over a sigma tensor)."""
    sd2 = sigma_data * sigma_data
    s2 = sigma * sigma
    c_skip = sd2 / (s2 + sd2)
    c_out = sigma * sigma_data / torch.sqrt(s2 + sd2)
    c_in = 1 / torch.sqrt(s2 + sd2)
    c_noise = torch.log(sigma) / 4
    return c_skip, c_out, c_in, c_noise


def expected_state_dict_shapes(config):
    """The contract's tensor names and shapes for ``config`` (independent of the module tree)."""
    config = validate_config(config)
    base = config["base_channels"]
    E = config["embedding_channels"]
    chans = [base * m for m in config["channel_multipliers"]]
    L = len(chans)
    nb = config["blocks_per_level"]
    shapes = {}

    def linear(name, i, o):
        shapes[f"{name}.weight"] = [o, i]
        shapes[f"{name}.bias"] = [o]

    def conv(name, i, o, k):
        shapes[f"{name}.weight"] = [o, i, k, k]
        shapes[f"{name}.bias"] = [o]

    def norm(name, c):
        shapes[f"{name}.weight"] = [c]
        shapes[f"{name}.bias"] = [c]

    def block(name, cin, cout):
        norm(f"{name}.norm1", cin)
        conv(f"{name}.conv1", cin, cout, 3)
        linear(f"{name}.emb_proj", E, 2 * cout)
        norm(f"{name}.norm2", cout)
        conv(f"{name}.conv2", cout, cout, 3)
        if cin != cout:
            conv(f"{name}.skip", cin, cout, 1)

    linear("emb.linear1", base, E)
    linear("emb.linear2", E, E)
    conv("conv_in", config["in_channels"], chans[0], 3)
    for l in range(L):
        for b in range(nb):
            cin = (chans[l - 1] if l > 0 else chans[0]) if b == 0 else chans[l]
            block(f"down.{l}.blocks.{b}", cin, chans[l])
    block("mid.block1", chans[-1], chans[-1])
    if config["attention"]:
        norm("mid.attn.norm", chans[-1])
        conv("mid.attn.qkv", chans[-1], 3 * chans[-1], 1)
        conv("mid.attn.proj", chans[-1], chans[-1], 1)
    block("mid.block2", chans[-1], chans[-1])
    for l in reversed(range(L)):
        for b in range(nb):
            cin = ((chans[l + 1] if l < L - 1 else chans[L - 1]) + chans[l]) if b == 0 else chans[l]
            block(f"up.{l}.blocks.{b}", cin, chans[l])
    norm("norm_out", chans[0])
    conv("conv_out", chans[0], config["out_channels"], 3)
    return shapes
