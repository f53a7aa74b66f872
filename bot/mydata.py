"""'me export' and 'me delete': a person's own data in one team.

Deleting asks first: 'me delete' shows what would go and a one-time code, valid for
ten minutes, that the button or 'me delete <code>' must send back. Codes live in
memory only, so after a restart the person simply asks again.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.replies import Attachment, Button, Reply, error
from bot.store import mydata
from bot.store import practice as store

if TYPE_CHECKING:
    from bot.domain import Who
    from bot.service import PracticeService

CONFIRM_FOR = timedelta(minutes=10)
NOTHING_STORED = "Nothing is stored about you in this team yet."


@dataclass(frozen=True)
class _Pending:
    code: str
    expires: datetime


class MyData:
    def __init__(self, service: PracticeService) -> None:
        self.service = service
        self._pending: dict[tuple[str, str, str], _Pending] = {}

    async def export(self, who: Who) -> list[Reply]:
        svc = self.service
        ref = await svc._find(who)
        if ref is None:
            return [Reply(NOTHING_STORED, title="Your data")]
        now = svc.clock.now()
        data = await svc.db.run(lambda c: mydata.export(c, ref.user_pk))
        data = {"exported_at": now.isoformat(), "format": "mlprep-export-1", **data}
        body = json.dumps(data, indent=2, ensure_ascii=False).encode()
        name = f"mlprep-export-{now.date().isoformat()}.json"
        counts = (
            f"{len(data['attempts'])} answers, {len(data['cards'])} review cards, "
            f"{len(data['mock_rounds'])} mock rounds"
        )
        return [
            Reply(
                f"Your data in this team as JSON: {counts}, your streak and points. "
                "'me delete' erases it.",
                title="Your data",
                files=(Attachment(name, body, "application/json", "Your mlprep data"),),
            )
        ]

    async def delete(self, who: Who, code: str | None) -> list[Reply]:
        svc = self.service
        ref = await svc._find(who)
        if ref is None:
            return [Reply(NOTHING_STORED, title="Your data")]
        now = svc.clock.now()
        key = (who.platform, who.team_id, who.user_id)
        if code is None:
            held = await svc.db.run(lambda c: mydata.holdings(c, ref.user_pk))
            pending = _Pending(f"{secrets.randbelow(900000) + 100000}", now + CONFIRM_FOR)
            self._pending[key] = pending
            return [
                Reply(
                    f"This erases everything stored about you in this team: {held.describe()}. "
                    "It cannot be undone (take a copy first with 'me export').\n"
                    f"To go ahead, press the button or type: me delete {pending.code} "
                    "(valid for 10 minutes).",
                    title="Delete your data?",
                    buttons=(
                        Button("Delete my data", f"xd:{pending.code}", "danger"),
                        Button("Keep it", "xk"),
                    ),
                    tone="error",
                )
            ]
        pending = self._pending.get(key)
        if (
            pending is None
            or pending.expires < now
            or not secrets.compare_digest(pending.code, code)
        ):
            return [
                error(
                    "That confirmation code is not valid (codes last 10 minutes and work once).",
                    "Type 'me delete' for a new one.",
                )
            ]
        del self._pending[key]

        def unit(conn: sqlite3.Connection) -> mydata.Holdings:
            store.close_active(conn, ref.user_pk, now, "abandoned")
            return mydata.erase(conn, ref.user_pk)

        held = await svc.db.transaction(unit)
        svc.forget_user(who)
        return [
            Reply(
                f"Deleted: {held.describe()}. Nothing about you is left in this team; "
                "if you use the bot again you start fresh.",
                title="Your data is deleted",
                tone="success",
            )
        ]

    def keep(self, who: Who) -> list[Reply]:
        self._pending.pop((who.platform, who.team_id, who.user_id), None)
        return [Reply("Nothing was deleted.", title="Your data")]
