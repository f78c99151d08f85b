"""The built-in ``extractive`` engine: personas from the data itself, with no model and no download.
Each persona is the draft of one group of similar participants (``persona.grouping``)."""
