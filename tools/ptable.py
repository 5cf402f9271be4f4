#!/usr/bin/env python3
"""Make the perturbation table of the Cell Key Method (share/integplan/ptable.yaml).

    python3 tools/ptable.py [--deviation D] [--threshold J] [--sigma S] >ptable.yaml

For an original count n, the published count is n + v, with v drawn by the
cell key from a distribution over the values |v| <= D for which n + v is
0 or above J (no published count from 1 to J; zero stays zero). The base
distribution is a discrete normal with standard deviation S; each row is
tilted (p(v) proportional to exp(-v^2 / 2S^2 + t v), t found by bisection)
so that its mean is 0: the perturbation is unbiased, also for the small
counts that must jump over the forbidden range and so vary more. Counts
from J + D + 1 up share the last row. Not a copy of any office's table:
the method is the one the German Statistical Offices describe for the 2022
census, the parameters are IntegPlan's.
"""
import argparse
import math


def row(n, deviation, threshold, sigma):
    values = [v for v in range(-deviation, deviation + 1)
              if n + v == 0 or n + v > threshold]
    if n == 0:
        return [(0, 1.0)]

    def weights(t):
        w = [math.exp(-v * v / (2 * sigma * sigma) + t * v) for v in values]
        total = sum(w)
        return [x / total for x in w]

    def mean(t):
        return sum(p * v for p, v in zip(weights(t), values))

    lo, hi = -50.0, 50.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if mean(mid) > 0:
            hi = mid
        else:
            lo = mid
    return list(zip(values, weights((lo + hi) / 2)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deviation", type=int, default=3)
    ap.add_argument("--threshold", type=int, default=2)
    ap.add_argument("--sigma", type=float, default=1.0)
    a = ap.parse_args()
    last = a.threshold + a.deviation + 1
    print("# The perturbation table of the Cell Key Method: ip-report(1), PROTECTION.")
    print("# Made by tools/ptable.py --deviation %d --threshold %d --sigma %g:"
          % (a.deviation, a.threshold, a.sigma))
    print("# a published count differs from the true one by at most the deviation,")
    print("# is never from 1 to the threshold, and is 0 only for 0 or a small count;")
    print("# each row's mean perturbation is 0. 'to' is the upper end of the cell")
    print("# keys (0 to 1) that give the value; the last row serves every larger")
    print("# count. A site may replace the table; ip-report checks it when it loads.")
    print("schema: integplan/ptable/1")
    print("deviation: %d" % a.deviation)
    print("threshold: %d" % a.threshold)
    print("rows:")
    for n in range(0, last + 1):
        print("  - count: %d" % n)
        print("    perturbations:")
        cum = 0.0
        r = row(n, a.deviation, a.threshold, a.sigma)
        for i, (v, p) in enumerate(r):
            cum += p
            to = 1.0 if i == len(r) - 1 else round(cum, 6)
            print("      - {value: %d, to: %s}" % (v, ("%.6f" % to).rstrip("0").rstrip(".")
                                                  if to < 1 else "1"))


if __name__ == "__main__":
    main()
