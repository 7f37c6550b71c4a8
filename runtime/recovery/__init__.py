"""Crash recovery: worker liveness, redelivered messages, lost-job redrive."""
