"Worked solutions to the exercises of `07b_masking`, and a common mistake for each (its check rejects it)."
import torch
from modernbert_nb.masking import mask_tokens

def mask(ids, mask_id, special, vocab_size, rate, generator):
    "Choose `rate` of the ordinary tokens; 80% -> mask_id, 10% -> a random ordinary token, 10% kept."
    is_special = torch.zeros(vocab_size, dtype=torch.bool); is_special[torch.tensor(special)] = True
    pool = (~is_special).nonzero().squeeze(1)                                  # ordinary ids
    u, v = torch.rand(len(ids), generator=generator), torch.rand(len(ids), generator=generator)
    r = pool[torch.randint(len(pool), (len(ids),), generator=generator)]
    chosen = (u < rate) & ~is_special[ids]
    labels = torch.where(chosen, ids, -100)
    out = torch.where(chosen & (v < 0.8), mask_id, ids)
    out = torch.where(chosen & (v >= 0.8) & (v < 0.9), r, out)
    return out, labels

mask_count = 8192 * 0.98 * 0.3 * 0.8        # ordinary tokens x chosen x [MASK]: about 1,927

def context_shares(rates=(0.15, 0.3, 0.5), n=200_000):
    "Measured: the share of chosen tokens whose left and right neighbours are chosen too."
    ids = torch.randint(5, 1000, (n,), generator=torch.Generator().manual_seed(0))
    out = {}
    for p in rates:
        _, labels = mask_tokens(ids, 4, [0, 1, 2, 3, 4], 1000, p, torch.Generator().manual_seed(1))
        c = labels != -100
        mid = c[1:-1]
        out[p] = (mid & c[:-2] & c[2:]).sum().item() / mid.sum().item()
    return out

ANSWERS = dict(check_mask=mask, check_mask_count=mask_count, check_context=context_shares())

def mask_specials_too(ids, mask_id, special, vocab_size, rate, generator):   # mistake: only [MASK] is left out
    return mask(ids, mask_id, [mask_id], vocab_size, rate, generator)

MISTAKES = dict(check_mask=mask_specials_too, check_mask_count=8192 * 0.3 * 0.8 * 1.05,
                check_context={p: 1 - (1 - p) ** 2 for p in (0.15, 0.3, 0.5)})   # "at least one neighbour" instead of both
