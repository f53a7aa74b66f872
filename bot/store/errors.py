"""Errors the store raises with messages meant for the person running the bot."""


class StoreError(Exception):
    """A problem with the database that the operator has to fix."""


class DatabaseTooNew(StoreError):
    """The database was written by a newer version of the code."""


class NotOurDatabase(StoreError):
    """The file is corrupt, not SQLite, or an SQLite file of some other program."""
