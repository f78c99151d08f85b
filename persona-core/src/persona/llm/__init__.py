"""The built-in ``llm`` engine: personas written by a model through a provider.

One module per step: ``fitting`` (the data to the context), ``prompts`` (the words sent),
``answers`` (one request, validated, repaired once), ``evidence`` (answers checked against the
records), ``mapreduce`` (findings per chunk, merged), ``engine`` (the steps in order).
"""
