"Worked solutions to the exercises of `10_pretraining`, and a common mistake for each (its check rejects it)."
import math
from modernbert_nb.pretrain import TRAIN_PRESETS

p = TRAIN_PRESETS['tiny']
initial_loss = math.log(p['vocab_size'])                  # a uniform guess over 8,192 tokens: 9.01 nats
token_slots = p['budget'] * p['accum'] * p['max_steps']   # 4,096 x 1 x 500

def smooth(xs, beta):
    "Exponential moving average, debiased by 1 - beta**t."
    s, out = 0.0, []
    for t, x in enumerate(xs, 1):
        s = beta * s + (1 - beta) * x
        out.append(s / (1 - beta ** t))
    return out

ANSWERS = dict(check_initial_loss=initial_loss, check_token_slots=token_slots, check_smooth=smooth)

def smooth_biased(xs, beta):             # mistake: no debiasing, the curve starts near 0
    s, out = 0.0, []
    for x in xs: s = beta * s + (1 - beta) * x; out.append(s)
    return out

MISTAKES = dict(check_initial_loss=math.log(2), check_token_slots=p['max_steps'] * p['seq_len'], check_smooth=smooth_biased)
