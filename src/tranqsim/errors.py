"""The one exception every bad input becomes (kept apart so that the command line can catch it
without importing the model: ``tranqsim --help`` loads no numpy, pydantic or Mesa)."""


class ScenarioError(Exception):
    """Bad input: the message names the file, the line and the field."""
