"""The Web3 Academy: courses whose runs are series of events, completion and certificates."""
