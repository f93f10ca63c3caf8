"""The numeric TIU families (aspect `numerik`). Importing this module registers all of them:

- `series.py`: deret-aritmetika, deret-geometri, deret-selang-seling, deret-beda-bertingkat,
  deret-kuadrat-kubik, deret-fibonacci;
- `social.py`: aritmetika-sosial; `ratio.py`: perbandingan;
- `fractions_roots.py`: pecahan-akar; `quantitative.py`: perbandingan-kuantitatif.
"""

from . import fractions_roots, quantitative, ratio, series, social  # noqa: F401
