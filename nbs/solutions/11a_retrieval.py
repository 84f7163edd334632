"Worked solutions to the exercises of `11a_retrieval`, and a common mistake for each (its check rejects it)."
import math, torch, torch.nn.functional as F

def relevant_rank(scores, relevant):
    "Rank (from 1) of each query's relevant document; ties are not expected."
    order = scores.argsort(dim=1, descending=True)                     # (n_queries, n_docs)
    return (order == relevant[:, None]).float().argmax(1) + 1

def ndcg_at_10(scores, relevant):
    "nDCG@10 with one relevant document per query: 1/log2(rank + 1) within the first 10 (the ideal DCG is 1)."
    r = relevant_rank(scores, relevant).double()
    return torch.where(r <= 10, 1 / torch.log2(r + 1), 0.).mean().item()

def mrr_at_10(scores, relevant):
    "Mean reciprocal rank, 0 beyond the first 10."
    r = relevant_rank(scores, relevant).double()
    return torch.where(r <= 10, 1 / r, 0.).mean().item()

def info_nce(q, d, tau):
    "Cross-entropy of q @ d.T / tau with row i's target column i; extra rows of d are negatives for all."
    s = q @ d.T / tau                                                  # (n, n + extra)
    return (torch.logsumexp(s, dim=1) - s.diagonal()).mean()

ANSWERS = dict(check_ndcg=ndcg_at_10, check_mrr=mrr_at_10, check_info_nce=info_nce)

def ndcg_natural_log(scores, relevant):  # mistake: ln instead of log2
    r = relevant_rank(scores, relevant).double()
    return torch.where(r <= 10, 1 / torch.log(r + 1), 0.).mean().item()

def mrr_uncut(scores, relevant):         # mistake: no cutoff at 10
    return (1 / relevant_rank(scores, relevant).double()).mean().item()

def info_nce_square(q, d, tau):          # mistake: drops the extra documents (hard negatives)
    return F.cross_entropy(q @ d[:len(q)].T / tau, torch.arange(len(q)))

MISTAKES = dict(check_ndcg=ndcg_natural_log, check_mrr=mrr_uncut, check_info_nce=info_nce_square)
