"Worked solutions to the exercises of `03_attention`, and a common mistake for each (its check rejects it)."
import torch

def window_mask(L, window):
    "(L, L) bool, True where |i - j| <= window."
    i = torch.arange(L)
    return (i[:, None] - i[None, :]).abs() <= window

receptive_field = 3 * 64          # each local layer carries information at most 64 tokens further

L = 4096                          # measured: the True entries of each mask, over L*L
local_pairs = {w: window_mask(L, w).sum().item() / L**2 for w in (32, 64, 128, 256)}

ANSWERS = dict(check_window_mask=window_mask, check_receptive_field=receptive_field, check_local_pairs=local_pairs)

def window_mask_strict(L, window):   # mistake: < instead of <=, the keys exactly `window` away are lost
    i = torch.arange(L)
    return (i[:, None] - i[None, :]).abs() < window

MISTAKES = dict(check_window_mask=window_mask_strict,
                check_receptive_field=3 * 128,                                   # the whole window, not one side
                check_local_pairs={w: (2 * w + 1) / L for w in (32, 64, 128, 256)})   # forgets the sequence's ends
