"""Conversations: multi-turn jobs. `store` keeps the rounds per tenant in Redis, `context`
fits them into each model call's window, `summary` folds the old ones into a model-written
summary after a turn, off the critical path of the next answer."""
