"Worked solutions to the exercises of `01_tokenizer`, and a common mistake for each (its check rejects it)."
from collections import Counter
from modernbert_nb.tokenizer import BYTE2CHAR, pretokenize

def merge(ids, pair, new):
    "Replace each occurrence of `pair` in `ids` by `new`, left to right, without overlaps."
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair: out.append(new); i += 2
        else: out.append(ids[i]); i += 1
    return out

def train_merges(text, n):
    "`n` BPE merges on the byte characters of `text`'s pre-tokens; ties go to the pair with the smallest ids."
    vocab = sorted(BYTE2CHAR.values())
    tid = {t: i for i, t in enumerate(vocab)}
    words = Counter(pretokenize(text))
    splits = {w: [tid[c] for c in w] for w in words}
    merges = []
    for _ in range(n):
        counts = Counter()
        for w, f in words.items():
            for p in zip(splits[w], splits[w][1:]): counts[p] += f
        if not counts: break
        a, b = min(counts, key=lambda p: (-counts[p], p))
        vocab.append(vocab[a] + vocab[b]); merges.append((vocab[a], vocab[b]))
        splits = {w: merge(s, (a, b), len(vocab) - 1) for w, s in splits.items()}
    return merges

n_byte_tokens = len('naïve café 東京 😀'.encode('utf-8'))   # 6 + 1 + 5 + 1 + 6 + 1 + 4 = 24

ANSWERS = dict(check_merge=merge, check_train_merges=train_merges, check_byte_tokens=n_byte_tokens)

def merge_overlapping(ids, pair, new):   # mistake: after a merge it looks at the merged token's right half again
    out = list(ids)
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair: out[i], out[i + 1] = new, None
    return [t for t in out if t is not None]

def train_merges_across_words(text, n):  # mistake: counts pairs over the whole text, across pre-token boundaries
    return train_merges(''.join(pretokenize(text)).replace('Ġ', 'x'), n)

MISTAKES = dict(check_merge=merge_overlapping, check_train_merges=train_merges_across_words,
                check_byte_tokens=len('naïve café 東京 😀'))   # characters, not bytes
