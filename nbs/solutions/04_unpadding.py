"Worked solutions to the exercises of `04_unpadding`, and a common mistake for each (its check rejects it)."
import torch

def cu_seqlens(lengths):
    "(n,) lengths -> (n+1,) int32 cumulative lengths starting at 0."
    out = torch.zeros(len(lengths) + 1, dtype=torch.int32)
    out[1:] = lengths.cumsum(0)
    return out

def unpad(input_ids, attention_mask):
    "Flat real tokens, their indices into the flattened batch, cu_seqlens and the longest length."
    mask = attention_mask.bool().flatten()
    indices = torch.arange(mask.numel())[mask]
    lengths = attention_mask.sum(1)
    return input_ids.flatten()[indices], indices, cu_seqlens(lengths), int(lengths.max())

lengths = [100, 37, 512, 260]
padding_share = 1 - sum(lengths) / (len(lengths) * max(lengths))     # 1 - 909/2048 = 0.556

ANSWERS = dict(check_cu_seqlens=cu_seqlens, check_unpad=unpad, check_padding_share=padding_share)

def cu_seqlens_int64(lengths):           # mistake: the right numbers in int64; the varlen kernels want int32
    return torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)])

def unpad_row_indices(input_ids, attention_mask):   # mistake: indices within each row, not into the flat batch
    flat, _, cu, mx = unpad(input_ids, attention_mask)
    return flat, attention_mask.bool().nonzero()[:, 1], cu, mx

MISTAKES = dict(check_cu_seqlens=cu_seqlens_int64, check_unpad=unpad_row_indices,
                check_padding_share=1 - sum(lengths) / (len(lengths) * 512) - 0.1)   # a guess from the picture's third
