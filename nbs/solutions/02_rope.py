"Worked solutions to the exercises of `02_rope`, and a common mistake for each (its check rejects it)."
import math, torch

def rotate_half(x):
    "(x1, x2) -> (-x2, x1) on the two halves of the last dimension."
    x1, x2 = x[..., :x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)

def rope(x, base):
    "Rotate row t of x (T, hd) by position t, pairing dimension k with k + hd/2."
    T, d = x.shape
    inv_freq = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)          # (d/2,)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq              # (T, d/2)
    cos, sin = torch.cat((ang, ang), -1).cos(), torch.cat((ang, ang), -1).sin()  # (T, d), laid out [f, f]
    return (x.double() * cos + rotate_half(x.double()) * sin).to(x.dtype)

slowest_wavelength = 2 * math.pi * 10_000 ** (62 / 64)   # pair k = 31 turns by 10000**(-62/64) a token: ~47,100 tokens

ANSWERS = dict(check_rotate_half=rotate_half, check_rope=rope, check_wavelength=slowest_wavelength)

def rotate_half_wrong_sign(x):           # mistake: (x1, x2) -> (x2, -x1), the rotation the other way
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x2, -x1), dim=-1)

def rope_interleaved(x, base):           # mistake: the original RoFormer pairing (2k, 2k+1)
    T, d = x.shape
    ang = torch.arange(T, dtype=torch.float64)[:, None] * base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    a, b = x[:, 0::2].double(), x[:, 1::2].double()
    return torch.stack((a * ang.cos() - b * ang.sin(), a * ang.sin() + b * ang.cos()), -1).flatten(1).to(x.dtype)

MISTAKES = dict(check_rotate_half=rotate_half_wrong_sign, check_rope=rope_interleaved,
                check_wavelength=2 * math.pi)    # the fastest pair's wavelength, not the slowest
