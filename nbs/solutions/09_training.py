"Worked solutions to the exercises of `09_training`, and a common mistake for each (its check rejects it)."
from modernbert_nb.learner import Callback, CancelFitException

accum_losses = ((2.0 * 10 + 4.0 * 30) / 40, (2.0 + 4.0) / 2)     # (3.5, 3.0)

def step_loss(means, units):
    "The mean over all units of the step: each micro-batch's mean weighted by its units."
    return sum(l * n for l, n in zip(means, units)) / sum(units)

class StopAfter(Callback):
    "End `fit` once `n` optimizer steps are done."
    def __init__(self, n): self.n = n
    def after_batch(self, learn):
        if learn.step >= self.n: raise CancelFitException()

ANSWERS = dict(check_accum_losses=accum_losses, check_step_loss=step_loss, check_stop_after=StopAfter)

class StopAfterOffByOne(StopAfter):      # mistake: `>` lets one more step through
    def after_batch(self, learn):
        if learn.step > self.n: raise CancelFitException()

MISTAKES = dict(check_accum_losses=(3.0, 3.5), check_step_loss=lambda means, units: sum(means) / len(means),
                check_stop_after=StopAfterOffByOne)
