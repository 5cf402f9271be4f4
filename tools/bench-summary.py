#!/usr/bin/env python3
"""make bench: the same summary as `ip-report summary --by status` in
Python 3 with PyYAML's C loader, as a point of comparison."""
import collections
import os
import sys

import yaml

counts = collections.Counter()
directory = sys.argv[1]
for name in sorted(os.listdir(directory)):
    if name.startswith("."):
        continue
    with open(os.path.join(directory, name), "rb") as f:
        case = yaml.load(f, Loader=yaml.CSafeLoader)
    counts[case["status"]] += 1
for status, n in sorted(counts.items()):
    print(f"{status},{n}")
print(f"total,{sum(counts.values())}")
