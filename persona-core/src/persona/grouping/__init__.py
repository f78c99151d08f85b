"""The grouping both engines share: records linked into units, units into groups of similar ones,
and each group's draft (verbatim sentences with their support).

``units`` (records linked into participants) -> ``features`` (sparse TF-IDF reduced by a truncated
SVD, plus structured answers) -> ``clustering`` (more groups than asked, merged down) -> ``analysis``
(the groups, their records) -> ``draft`` (a group's verbatim sentences as a persona). The
``extractive`` engine writes the drafts as its personas; the ``llm`` engine chunks by group, or grounds
one persona per group with its draft. numpy is imported only when it runs.
"""
