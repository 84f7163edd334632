"Worked solutions to the exercises of `05_mlp`, and a common mistake for each (its check rejects it)."
import torch.nn.functional as F

def geglu(x, Wi, Wo):
    "GeGLU with the fused input projection Wi (2I, d): u is the first half, the gate g the second."
    u, g = (x @ Wi.T).chunk(2, dim=-1)          # (N, I) each
    return (F.gelu(u) * g) @ Wo.T               # (N, d)

d, I = 1024, 2624
mlp_params = d * 2 * I + I * d                  # 3dI = 8,060,928
equal_width = 3 * I // 2                        # 2dH = 3dI: H = 3936

ANSWERS = dict(check_geglu=geglu, check_mlp_params=mlp_params, check_equal_width=equal_width)

def geglu_swapped(x, Wi, Wo):                   # mistake: the gate is the first half
    g, u = (x @ Wi.T).chunk(2, dim=-1)
    return (F.gelu(u) * g) @ Wo.T

MISTAKES = dict(check_geglu=geglu_swapped, check_mlp_params=2 * d * I,     # forgets that Wi holds two matrices
                check_equal_width=I)                                         # the same width is not the same size
