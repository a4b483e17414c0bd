import os
from pkg import mathutil
from pkg.mathutil import add, Calc


def run(x):
    total = add(x, 1)
    return Calc().mul(total, 2)
