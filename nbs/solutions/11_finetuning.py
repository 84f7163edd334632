"Worked solutions to the exercises of `11_finetuning`, and a common mistake for each (its check rejects it)."
import math, torch

def _counts(preds, targets):
    p, t = torch.as_tensor(preds).long(), torch.as_tensor(targets).long()
    tp, tn = int(((p == 1) & (t == 1)).sum()), int(((p == 0) & (t == 0)).sum())
    fp, fn = int(((p == 1) & (t == 0)).sum()), int(((p == 0) & (t == 1)).sum())
    return tp, tn, fp, fn

def f1(preds, targets):
    "Binary F1 with 1 the positive class."
    tp, tn, fp, fn = _counts(preds, targets)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0

def mcc(preds, targets):
    "Matthews' correlation coefficient, 0 when a margin is empty."
    tp, tn, fp, fn = _counts(preds, targets)
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / den if den else 0.0

def average_ranks(x):
    "Ranks from 1; tied values share the mean of the ranks they occupy."
    x = torch.as_tensor(x, dtype=torch.float64)
    order = x.argsort(); ranks = torch.empty_like(x)
    xs, i = x[order], 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]: j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks

def spearman(x, y):
    "Pearson's correlation of the average ranks."
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return ((rx * ry).sum() / (rx.norm() * ry.norm())).item()

ANSWERS = dict(check_f1=f1, check_mcc=mcc, check_spearman=spearman)

def f1_of_accuracy(preds, targets):      # mistake: accuracy is not F1
    return (torch.as_tensor(preds) == torch.as_tensor(targets)).double().mean().item()

def mcc_without_sqrt(preds, targets):    # mistake: the denominator's square root forgotten
    tp, tn, fp, fn = _counts(preds, targets)
    return (tp * tn - fp * fn) / ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))

def spearman_ordinal(x, y):              # mistake: ties broken by order instead of sharing the mean rank
    rx = torch.as_tensor(x, dtype=torch.float64).argsort(stable=True).argsort().double()
    ry = torch.as_tensor(y, dtype=torch.float64).argsort(stable=True).argsort().double()
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return ((rx * ry).sum() / (rx.norm() * ry.norm())).item()

MISTAKES = dict(check_f1=f1_of_accuracy, check_mcc=mcc_without_sqrt, check_spearman=spearman_ordinal)
