"""SQLite storage: the connection, migrations and the queries the service runs."""

from bot.store.database import Database
from bot.store.errors import DatabaseTooNew, NotOurDatabase, StoreError

__all__ = ["Database", "DatabaseTooNew", "NotOurDatabase", "StoreError"]
