"""Item analysis: pure statistics over response matrices (numpy arrays), no database.

- `moodle`: the figures Moodle's quiz statistics report shows, with Moodle's definitions, so
  numbers can be checked against the most widely used open-source implementation.
- `classical`: single-correct items (TWK/TIU): upper/lower 27 % groups, corrected point-biserial,
  option choice by score group, KR-20 and its standard error of measurement.
- `tkp`: scaled items (TKP, options scored 1–5): item-rest correlation, alpha if deleted, option
  analysis and flags (possible mis-key, options nobody picks, options everybody picks).

Every figure that is undefined for the data (no variance, too few attempts) is None, never NaN.
"""
