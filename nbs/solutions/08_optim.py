"Worked solutions to the exercises of `08_optim`, and a common mistake for each (its check rejects it)."
import math

def wsd(t, warmup, total, decay, final=0.):
    "Warmup-stable-decay: linear warmup, flat, a 1-sqrt decay over the last `decay` units to `final`."
    if t < warmup: return t / warmup
    start = total - decay
    if t < start: return 1.0
    return final + (1 - final) * (1 - math.sqrt(min(t - start, decay) / decay))

def adam_step(p, g, m, v, t, lr, betas, eps):
    "One Adam step with bias correction; new tensors (p, m, v)."
    b1, b2 = betas
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (v_hat.sqrt() + eps), m, v

batch_size = int(768 + (4608 - 768) * 12e9 / 50e9) // 96 * 96      # 1689.6 -> 1632

ANSWERS = dict(check_wsd=wsd, check_adam_step=adam_step, check_batch_size=batch_size)

def wsd_linear_decay(t, warmup, total, decay, final=0.):   # mistake: a linear decay
    if t < total - decay: return wsd(t, warmup, total, decay, final)
    return final + (1 - final) * (1 - min(t - (total - decay), decay) / decay)

def adam_no_bias_correction(p, g, m, v, t, lr, betas, eps):   # mistake: m and v used as they are
    m, v = betas[0] * m + (1 - betas[0]) * g, betas[1] * v + (1 - betas[1]) * g * g
    return p - lr * m / (v.sqrt() + eps), m, v

MISTAKES = dict(check_wsd=wsd_linear_decay, check_adam_step=adam_no_bias_correction,
                check_batch_size=round((768 + (4608 - 768) * 12e9 / 50e9) / 96) * 96)   # rounded to the nearest: 1728
