"""The daily question: schedules, question choice, posting, reveal and recap."""
