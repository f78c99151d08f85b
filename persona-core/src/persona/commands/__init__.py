"""The core's commands. Each module stays light at import; work is imported inside functions."""
