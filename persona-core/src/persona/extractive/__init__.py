"""The built-in ``extractive`` engine: personas from the data itself, with no model and no download.

``units`` (records linked into participants) -> ``features`` (TF-IDF reduced by a truncated SVD, plus
structured answers) -> ``grouping`` (more groups than asked, merged down) -> ``compose`` (verbatim
sentences per group, with their support) -> ``engine``. numpy is imported only when it runs.
"""
