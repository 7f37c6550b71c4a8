"""What a job does next: every decision of its lifecycle, in the order a job meets them.

    submit (runtime/job/client.py) -> start -> [plan_step] -> advance, once per layer
        -> after the tools: answer_step (or end with the outputs)
        -> answer_step: end with the answer, or plan_step again for more tools

The thin Celery tasks in `workers/` decode their message and make one call here; the steps
themselves live elsewhere (layers: runtime/job/layers.py; model steps:
runtime/agent/model_steps.py) and every ending goes through runtime/job/endings.py. Work for
another queue is sent by task name (runtime/broker/tasks.py), so `runtime` never imports
`workers`.
"""

from __future__ import annotations

import time

import redis
from celery import Celery

from runtime.agent import model_steps, reuse
from runtime.broker import tasks
from runtime.broker.queues import AGENT
from runtime.config import Settings
from runtime.errors import BudgetExceeded, CeleragentError, JobNotFound, RetryableError
from runtime.guard import degrade
from runtime.job import endings, events, layers, store
from runtime.job.canvas import broker_priority
from runtime.job.state import JobState, load_state
from runtime.job.validation import plan_layers
from runtime.llm.profiles import ModelProfile
from runtime.recovery import stalls
from runtime.schemas import EventType, JobSpec


def start(r: redis.Redis, app: Celery, job_id: str, settings: Settings) -> None:
    """A new job: with no plan the routed model plans it; an explicit plan (validated when
    it was submitted) is adopted and its first layer runs."""
    _start(r, app, load_state(r, job_id), settings)


def _start(r: redis.Redis, app: Celery, state: JobState, settings: Settings) -> None:
    if state.cancelled:
        endings.cancelled(r, state.job_id)
        return
    spec = state.spec
    if spec.plan is None:
        _request_plan(r, app, state.job_id, spec, settings)
        return
    if not state.layer_ids and spec.plan.calls:
        # A record written without its layers (by a client older than this worker): the
        # plan was validated there, but its layers must be computed here.
        try:
            state.layer_ids = plan_layers(spec.plan, spec.tools, settings)
        except CeleragentError as exc:
            endings.failed(r, state.job_id, str(exc))
            return
    store.save_plan(r, state.job_id, spec.plan, state.layer_ids, source="user")
    state.plan = spec.plan
    _advance(r, app, state, 0, settings)


def advance(r: redis.Redis, app: Celery, job_id: str, layer: int, settings: Settings) -> None:
    """After layer `layer - 1` (a join, a one-call layer's own task, an approval decision):
    run the next layer with work, or go on to the answer when none is left."""
    _advance(r, app, load_state(r, job_id), layer, settings)


def _advance(r: redis.Redis, app: Celery, state: JobState, layer: int, settings: Settings) -> None:
    if state.cancelled:
        endings.cancelled(r, state.job_id)
        return
    if time.time() > state.deadline:
        endings.timed_out(r, state.job_id, state.spec.budget.deadline_s)
        return
    try:
        sent = layers.dispatch_next(r, app, state, layer, settings)
    except BudgetExceeded as exc:
        endings.budget_exhausted(r, state.job_id, exc)
        return
    if sent.layer is None:
        _after_tools(r, app, state, settings)


def _after_tools(r: redis.Redis, app: Celery, state: JobState, settings: Settings) -> None:
    """Every layer ran: a model writes the answer, or the outputs are the answer."""
    spec = state.spec
    if not spec.wants_model_answer:
        endings.tools_done(r, state.job_id)
        return
    profile = _route_or_end(r, state.job_id, spec, settings)
    if profile is not None:
        plans = sum(1 for s in state.steps.values() if s.kind == "plan")
        _send_model_step(app, tasks.SYNTHESIZE, state.job_id, profile, max(1, plans), spec)


def _request_plan(
    r: redis.Redis, app: Celery, job_id: str, spec: JobSpec, settings: Settings
) -> None:
    """No plan in the spec: an equivalent question answered before ends the job at once;
    otherwise the routed model plans (on `llm` or `gpu`), while the tool calls that similar
    questions needed are prefetched into the tool cache."""
    profile = _route_or_end(r, job_id, spec, settings)
    if profile is None:
        return
    cached = reuse.cached_answer(r, spec, profile, settings)
    if cached is not None:
        answer, step = cached
        pipe = r.pipeline(transaction=False)
        store.record_step(pipe, job_id, step, settings.job_ttl_s)
        pipe.execute()
        endings.answered(r, job_id, answer)
        return
    reuse.start_prefetch(r, app, spec, settings)
    _send_model_step(app, tasks.PLAN, job_id, profile, 1, spec)


def _route_or_end(
    r: redis.Redis, job_id: str, spec: JobSpec, settings: Settings
) -> ModelProfile | None:
    """The model for the job's next model step, or None when the job ended instead: shed at
    degradation level 2 (low priority), or no model can serve it."""
    level = degrade.get_level(r)
    below = degrade.shed_below(level, spec.priority)
    if below is not None:
        endings.shed(r, job_id, level, spec.priority, below)
        return None
    try:
        return model_steps.route(spec, settings, level)
    except CeleragentError as exc:
        endings.model_failed(r, job_id, exc)
        return None


def _send_model_step(
    app: Celery, task: str, job_id: str, profile: ModelProfile, round_: int, spec: JobSpec
) -> None:
    args = [job_id, profile.name, round_]
    app.send_task(
        task,
        args=args,
        queue=profile.queue,
        priority=broker_priority(spec.priority),
        shadow=tasks.shadow(task, profile.name),  # Flower lists `llm.plan[local]`
    )


def plan_step(
    r: redis.Redis, app: Celery, job_id: str, model: str, round_: int, settings: Settings
) -> None:
    """The model plans; its plan (validated once, in the planner) is adopted and its first
    layer runs. A plan with no calls goes straight to the answer."""
    step = model_steps.get_step(job_id, model, round_)
    state = load_state(r, job_id)
    outcome = model_steps.plan(r, step, state, settings)
    if outcome.plan is None or outcome.layers is None:
        _send_model_step(app, tasks.SYNTHESIZE, job_id, step.profile, round_, state.spec)
        return
    store.save_plan(r, job_id, outcome.plan, outcome.layers, outcome.source)
    advance(r, app, job_id, 0, settings)


def answer_step(
    r: redis.Redis, app: Celery, job_id: str, model: str, round_: int, settings: Settings
) -> None:
    """The model answers from the tool outputs: the job ends with the answer, or, when the
    model asks for more tools and the budget allows another round, it plans again."""
    state = load_state(r, job_id)
    spec, budget = state.spec, state.spec.budget
    rounds_before = state.model_rounds()
    step = model_steps.get_step(job_id, model, round_)
    answer = model_steps.synthesize(r, step, state, settings)
    if answer.text is None:
        endings.no_model_answered(r, job_id, answer.tried)
        return
    # Another round costs a plan and an answer step: both must fit in max_steps.
    if answer.need_tools and rounds_before + 2 < budget.max_steps and round_ < budget.max_llm_calls:
        _send_model_step(app, tasks.PLAN, job_id, answer.profile, round_ + 1, spec)
        return
    endings.answered(r, job_id, answer.text)
    if reuse.eligible(spec):
        app.send_task(tasks.REMEMBER, args=[job_id], queue=AGENT)


def model_step_failed(r: redis.Redis, job_id: str, exc: Exception, can_retry: bool) -> bool:
    """A model step raised: True when its task should retry (a transient failure with
    retries left); otherwise the job ends, out of budget or failed, with the reason."""
    if isinstance(exc, BudgetExceeded):
        endings.budget_exhausted(r, job_id, exc)
        return False
    if isinstance(exc, RetryableError) and can_retry:
        return True
    endings.model_failed(r, job_id, exc)
    return False


def redrive(r: redis.Redis, app: Celery, job_id: str, settings: Settings) -> None:
    """A job whose message was lost (runtime/recovery/stalls.py) goes on from its recorded
    state: planned again if it has no plan, else from its first layer with unrecorded calls
    (or the answer, when every call is recorded)."""
    if store.get_result(r, job_id) is not None:
        return  # it finished after all
    count = stalls.claim_redrive(r, job_id, settings.max_redrives)
    if count is None:
        lost = settings.max_redrives + 1
        endings.failed(r, job_id, f"its messages were lost {lost} times; see the worker logs")
        return
    state = load_state(r, job_id)
    layer = state.first_open_layer() if state.plan is not None else None
    reason = "no message for this job was on any queue or worker"
    events.emit(
        r, job_id, EventType.recovered, {"reason": reason, "layer": layer, "redrive": count}
    )
    if layer is None:
        _start(r, app, state, settings)
    else:
        _advance(r, app, state, layer, settings)


def end_overdue(r: redis.Redis) -> int:
    """The watchdog: a job past its deadline ends `timed_out` with its partial results, even
    when the step it waits on is stuck in a dead worker and no join will ever run."""
    ended = 0
    for job_id in store.overdue(r):
        try:
            spec, _ = store.load_spec(r, job_id)
        except JobNotFound:  # the record expired: just drop it from the index
            store.forget_deadline(r, job_id)
            continue
        if endings.timed_out(r, job_id, spec.budget.deadline_s) is None:
            store.forget_deadline(r, job_id)  # already ended by someone else
        else:
            ended += 1
    return ended
