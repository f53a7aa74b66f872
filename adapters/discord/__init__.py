"""The Discord adapter: discord.py app commands, components and the daily-question poster."""
