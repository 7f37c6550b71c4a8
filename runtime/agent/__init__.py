"""The model's part of a job: plan, answer, the guarded backend, reuse of earlier answers."""
