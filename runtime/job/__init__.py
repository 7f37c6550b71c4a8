"""The job: submit, validate, record, events, the DAG and its layers, the lifecycle."""
