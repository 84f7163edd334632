"Worked solutions to the exercises of `12_ablation`, and a common mistake for each (its check rejects it)."
import math

glu_width = 2 * 384 // 3            # 3*d*I = 2*d*H: I = 256

def difference(a, b):
    "The difference of the means and its standard error, with sample variances."
    mean = lambda x: sum(x) / len(x)
    var = lambda x: sum((v - mean(x)) ** 2 for v in x) / (len(x) - 1)
    return mean(a) - mean(b), math.sqrt(var(a) / len(a) + var(b) / len(b))

ANSWERS = dict(check_glu_width=glu_width, check_difference=difference)

def difference_population(a, b):    # mistake: population variances (divide by n)
    mean = lambda x: sum(x) / len(x)
    var = lambda x: sum((v - mean(x)) ** 2 for v in x) / len(x)
    return mean(a) - mean(b), math.sqrt(var(a) / len(a) + var(b) / len(b))

MISTAKES = dict(check_glu_width=384, check_difference=difference_population)
