"""``python -m tranqsim.cli``: the same as the ``tranqsim`` command."""

from tranqsim.cli import main

main()
