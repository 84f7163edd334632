"Worked solutions to the exercises of `07a_packing`, and a common mistake for each (its check rejects it)."

def best_fit(lengths, budget):
    "Best-fit decreasing: longest first, each into the open batch with the least room that still fits it."
    bins, rooms = [], []
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        fits = [b for b, r in enumerate(rooms) if r >= lengths[i]]
        if fits:
            b = min(fits, key=lambda b: rooms[b]); bins[b].append(i); rooms[b] -= lengths[i]
        else: bins.append([i]); rooms.append(budget - lengths[i])
    return bins

bin_counts = (3, 2)     # sequential: [600], [500, 400], [300, 200]; best fit: [600, 400], [500, 300, 200]

ANSWERS = dict(check_best_fit=best_fit, check_bin_counts=bin_counts)

def first_fit_in_order(lengths, budget):   # mistake: no sorting, and the first batch that fits
    bins, rooms = [], []
    for i, n in enumerate(lengths):
        b = next((b for b, r in enumerate(rooms) if r >= n), None)
        if b is None: bins.append([i]); rooms.append(budget - n)
        else: bins[b].append(i); rooms[b] -= n
    return bins

MISTAKES = dict(check_best_fit=first_fit_in_order, check_bin_counts=(3, 3))
