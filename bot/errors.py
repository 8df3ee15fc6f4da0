"""The one exception type whose message is shown to users as it is."""


class UserError(Exception):
    """Bad input or a refused action: the message is one short sentence saying what to do instead."""
