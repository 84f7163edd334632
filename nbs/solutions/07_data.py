"Worked solutions to the exercises of `07_data`, and a common mistake for each (its check rejects it)."
import hashlib
from modernbert_nb.data import stdlib_files, stdlib_root

def in_validation(rel_path, valid_pct):
    "A stable hash of the path, as a number in [0, 1), below `valid_pct`."
    h = int.from_bytes(hashlib.md5(rel_path.encode('utf-8')).digest()[:8], 'big')
    return h / 2**64 < valid_pct

def valid_shares(pcts=(0.05, 0.2)):
    "Measured: the share of the standard library's files in validation at each `valid_pct`."
    root = stdlib_root()
    rels = [p.relative_to(root).as_posix() for p in stdlib_files()]
    return {pct: sum(in_validation(r, pct) for r in rels) / len(rels) for pct in pcts}

class _Lazy(dict):   # measured when the check reads it, so importing this file costs nothing
    def _fill(self):
        if not dict.__len__(self): self.update(valid_shares())
    def __iter__(self): self._fill(); return dict.__iter__(self)
    def __len__(self): self._fill(); return dict.__len__(self)
    def items(self): self._fill(); return dict.items(self)
    def keys(self): self._fill(); return dict.keys(self)

ANSWERS = dict(check_in_validation=in_validation, check_valid_share=_Lazy())

def in_validation_salted(rel_path, valid_pct):   # mistake: Python's hash() of a str changes with every interpreter
    return (hash(rel_path) % 10_000) / 10_000 < valid_pct

MISTAKES = dict(check_in_validation=in_validation_salted,
                check_valid_share={0.05: 0.05, 0.2: 0.2})    # the expected share, not a measurement
