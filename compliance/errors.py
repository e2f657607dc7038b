"""Errors that end a command with exit code 2 and one line of text (never a traceback)."""


class UnusableInput(Exception):
    """A file that cannot be read, or lacks what every check needs. The message is one line
    that says what the file seems to be and what is accepted."""


class RuleFileError(Exception):
    """A rule, parameter or alias file that does not load (file and line in the message)."""


def without_name(message: str, name: str) -> str:
    """A reader's message starts with the file's name; a batch or a page shows the file apart."""
    prefix = f"{name}: "
    return message[len(prefix):] if message.startswith(prefix) else message
