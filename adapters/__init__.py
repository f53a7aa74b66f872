"""Platform adapters: each turns platform events into core calls and replies into messages."""
