"Worked solutions to the exercises of `06_model`, and a common mistake for each (its check rejects it)."
import torch

global_layers = [i for i in range(22) if i % 3 == 0]    # 0, 3, ..., 21: every third layer, from the first

d, I = 768, 1152
layer_params = 4 * d * d + 3 * d * I + 2 * d            # Wqkv (3d^2) + Wo (d^2), GeGLU (3dI), two LayerNorm weights

def mean_pool(h, attention_mask):
    "The mean of h (B, T, D) over each row's real tokens: (B, D)."
    m = attention_mask[..., None].to(h.dtype)            # (B, T, 1)
    return (h * m).sum(1) / m.sum(1).clamp(min=1)

ANSWERS = dict(check_global_layers=global_layers, check_layer_params=layer_params, check_mean_pool=mean_pool)

MISTAKES = dict(check_global_layers=[i for i in range(1, 22) if i % 3 == 0 or i == 21][:7],   # counts from 1
                check_layer_params=4 * d * d + 3 * d * I,                # forgets the norms
                check_mean_pool=lambda h, attention_mask: h.mean(1))     # padding counted
