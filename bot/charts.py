"""The `stats` picture: accuracy by topic and a 12-week activity calendar.

`chart_data` turns stored figures into what is drawn; `render_png` draws it with
matplotlib's object API (no pyplot global state, so it is safe in a worker thread) and
embeds the same data as JSON in the PNG's text chunk, so what a picture shows can be
checked without reading pixels.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import asdict, dataclass
from datetime import date, timedelta

WEEKS = 12
WIDTH, HEIGHT, DPI = 1000, 640, 100  # pixels of the PNG
DATA_KEY = "mlprep-stats"  # PNG text chunk holding the drawn data as JSON
_DRAWING = threading.Lock()  # matplotlib does not promise thread safety: one chart at a time


@dataclass(frozen=True)
class TopicBar:
    title: str
    accuracy: float  # 0..1
    attempts: int


@dataclass(frozen=True)
class ChartData:
    who: str
    bars: list[TopicBar]  # weakest first
    first_monday: str  # ISO date of the calendar's first column
    grid: list[list[int]]  # [weekday 0=Mon..6][week 0..11]: answers that day
    today: str

    @property
    def total_answers(self) -> int:
        return sum(map(sum, self.grid))


def chart_data(
    who: str,
    topics: list[tuple[str, int, int]],  # (title, attempts, correct)
    per_day: dict[date, int],
    today: date,
) -> ChartData:
    bars = sorted(
        (TopicBar(t, c / a if a else 0.0, a) for t, a, c in topics if a),
        key=lambda b: (b.accuracy, b.title),
    )
    first = calendar_start(today)
    grid = [[0] * WEEKS for _ in range(7)]
    for day, n in per_day.items():
        week = (day - first).days // 7
        if 0 <= week < WEEKS and day <= today:
            grid[day.weekday()][week] += n
    return ChartData(who, bars, first.isoformat(), grid, today.isoformat())


def calendar_start(today: date) -> date:
    """The first day the calendar shows (a Monday, 11 weeks before this week's)."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)


def render_png(data: ChartData) -> bytes:
    with _DRAWING:
        return _render(data)


def _render(data: ChartData) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported on first chart
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.45})
    fig.suptitle(f"{data.who}: progress", fontsize=14, fontweight="bold")
    fig.subplots_adjust(left=0.24, right=0.95, top=0.88, bottom=0.08)

    if data.bars:
        names = [b.title for b in data.bars]
        values = [b.accuracy * 100 for b in data.bars]
        colours = ["#d9534f" if v < 50 else "#f0ad4e" if v < 75 else "#5cb85c" for v in values]
        top.barh(names, values, color=colours)
        top.invert_yaxis()  # weakest at the top
        for i, b in enumerate(data.bars):
            top.text(
                min(b.accuracy * 100 + 1, 88), i, f"{b.accuracy:.0%} of {b.attempts}",
                va="center", fontsize=9,
            )  # fmt: skip
    else:
        top.text(50, 0.5, "No answers yet", ha="center", va="center", fontsize=12)
        top.set_yticks([])
    top.set_xlim(0, 100)
    top.set_xlabel("accuracy (%)")
    top.set_title("Accuracy by topic, weakest first", loc="left", fontsize=11)

    most = max(1, max(map(max, data.grid)))
    greens = ListedColormap(["#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127"]).with_extremes(
        bad="white"
    )  # bad: days still to come this week
    first = date.fromisoformat(data.first_monday)
    today = date.fromisoformat(data.today)
    shown = [
        [
            float("nan") if first + timedelta(weeks=w, days=d) > today else data.grid[d][w]
            for w in range(WEEKS)
        ]
        for d in range(7)
    ]
    bottom.imshow(shown, cmap=greens, vmin=0, vmax=most, aspect="auto")
    bottom.set_yticks(range(7), ["Mon", "", "Wed", "", "Fri", "", "Sun"], fontsize=8)
    bottom.set_xticks(
        range(0, WEEKS, 2),
        [(first + timedelta(weeks=w)).strftime("%d %b") for w in range(0, WEEKS, 2)],
        fontsize=8,
    )
    bottom.tick_params(length=0)
    for side in bottom.spines.values():
        side.set_visible(False)
    bottom.set_title(
        f"Answers per day, last {WEEKS} weeks ({data.total_answers} in all)", loc="left",
        fontsize=11,
    )  # fmt: skip

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={DATA_KEY: json.dumps(asdict(data))})
    return out.getvalue()
