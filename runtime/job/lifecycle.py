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

import logging
import time

import redis
from celery import Celery

from runtime import keys
from runtime.agent import model_steps, reuse
from runtime.broker import tasks
from runtime.broker.queues import AGENT
from runtime.config import Settings
from runtime.conversation import summary
from runtime.errors import BudgetExceeded, CeleragentError, JobNotFound, RetryableError
from runtime.guard import degrade
from runtime.job import admission, endings, events, fence, layers, revoke, store
from runtime.job.canvas import brief, broker_priority
from runtime.job.state import JobState, load_state
from runtime.job.validation import plan_layers
from runtime.llm.profiles import QUEUES as MODEL_QUEUES
from runtime.llm.profiles import ModelProfile, get_profile
from runtime.recovery import liveness, stalls
from runtime.schemas import EventType, JobSpec

log = logging.getLogger(__name__)


def start(r: redis.Redis, app: Celery, job_id: str, settings: Settings) -> None:
    """A new job: with no plan the routed model plans it; an explicit plan (validated when
    it was submitted) is adopted and its first layer runs."""
    _start(r, app, load_state(r, job_id), settings)


def _start(r: redis.Redis, app: Celery, state: JobState, settings: Settings) -> None:
    if state.finalized:
        return  # ended before it started (cancelled, timed out): a terminal status is final
    if state.cancelled:
        endings.cancelled(r, state.job_id)
        return
    spec = state.spec
    if spec.plan is None:
        _request_plan(r, app, state.job_id, spec, settings, state.level_floor)
        return
    if not state.layer_ids and spec.plan.calls:
        # A record written without its layers (by a client older than this worker): the
        # plan was validated there, but its layers must be computed here.
        try:
            state.layer_ids = plan_layers(spec.plan, spec.tools, settings)
        except CeleragentError as exc:
            endings.failed(r, state.job_id, str(exc))
            return
    if state.plan is None:  # adopted with the record by today's clients (store.create)
        store.save_plan(r, state.job_id, spec.plan, state.layer_ids, source="user")
        state.plan = spec.plan
    _advance(r, app, state, 0, settings)


def begin(r: redis.Redis, app: Celery, state: JobState, settings: Settings) -> None:
    """A job whose explicit plan was adopted with its record (store.create `adopt_plan`),
    begun by the process that submitted it: its first layer with work is sent now."""
    _advance(r, app, state, 0, settings)


def advance(
    r: redis.Redis,
    app: Celery,
    job_id: str,
    layer: int,
    settings: Settings,
    state: JobState | None = None,
    inline: bool = False,
) -> layers.Dispatched | None:
    """After layer `layer - 1` (a join, a one-call layer's own task, an approval decision):
    run the next layer with work, or go on to the answer when none is left. `state`, when
    the caller read it already in its last write (executor.run_call), saves a read. With
    `inline` (a tools task, runtime/job/inline.py), a next layer of one call is reserved
    and handed back in `Dispatched.inline` instead of sent."""
    return _advance(r, app, state or load_state(r, job_id), layer, settings, inline)


def _advance(
    r: redis.Redis,
    app: Celery,
    state: JobState,
    layer: int,
    settings: Settings,
    inline: bool = False,
) -> layers.Dispatched | None:
    if state.finalized:
        return None  # a late join or a stalled step's task: the job has ended, nothing runs
    if state.cancelled:
        endings.cancelled(r, state.job_id)
        return None
    if time.time() > state.deadline:
        endings.timed_out(r, state.job_id, state.spec.budget.deadline_s)
        return None
    try:
        sent = layers.dispatch_next(r, app, state, layer, settings, inline)
    except BudgetExceeded as exc:
        endings.budget_exhausted(r, state.job_id, exc)
        return None
    if sent.layer is None:
        _after_tools(r, app, state, settings)
    return sent


def _after_tools(r: redis.Redis, app: Celery, state: JobState, settings: Settings) -> None:
    """Every layer ran: a model writes the answer, or the outputs are the answer."""
    spec = state.spec
    if not spec.wants_model_answer:
        endings.tools_done(r, state.job_id)
        return
    elapsed = time.time() - state.submitted_at
    profile = _route_or_end(r, state.job_id, spec, settings, state.level_floor, elapsed)
    if profile is not None:
        plans = sum(1 for s in state.steps.values() if s.kind == "plan")
        _send_model_step(app, tasks.SYNTHESIZE, state.job_id, profile, max(1, plans), spec)


def _request_plan(
    r: redis.Redis, app: Celery, job_id: str, spec: JobSpec, settings: Settings, floor: int = 0
) -> None:
    """No plan in the spec: an equivalent question answered before ends the job at once;
    otherwise the routed model plans (on `llm` or `gpu`), while the tool calls that similar
    questions needed are prefetched into the tool cache."""
    profile = _route_or_end(r, job_id, spec, settings, floor)
    if profile is None:
        return
    cached = reuse.cached_answer(r, spec, profile, settings)
    if cached is not None:
        answer, step = cached
        pipe = r.pipeline(transaction=False)
        store.record_step(pipe, job_id, step, settings.job_ttl_s)
        fence.commit(r, pipe, job_id)
        endings.answered(r, job_id, answer)
        return
    reuse.start_prefetch(r, app, spec, settings)
    _send_model_step(app, tasks.PLAN, job_id, profile, 1, spec)


def _route_or_end(
    r: redis.Redis,
    job_id: str,
    spec: JobSpec,
    settings: Settings,
    floor: int = 0,
    elapsed_s: float = 0.0,
) -> ModelProfile | None:
    """The model for the job's next model step, or None when the job ended instead: shed at
    degradation level 2 (low priority), or no model can serve it. Routed at the current
    level, or at `floor` (admission control's choice for this job) if higher, among the
    models some live worker serves; as at level 1 when the routed model's queue would now
    take the job past its budget (admission.too_slow_now)."""
    level, live = _level_and_live_queues(r)
    below = degrade.shed_below(level, spec.priority)
    if below is not None:
        endings.shed(r, job_id, level, spec.priority, below)
        return None
    try:
        level = max(level, floor)
        profile = model_steps.route(spec, settings, level, live)
        auto = spec.model in (None, "auto") and level < degrade.FAST
        if auto and admission.too_slow_now(r, profile, elapsed_s, settings):
            profile = model_steps.route(spec, settings, degrade.FAST, live)
        return profile
    except CeleragentError as exc:
        endings.model_failed(r, job_id, exc)
        return None


def _level_and_live_queues(r: redis.Redis) -> tuple[int, liveness.Served]:
    """The degradation level and the model queues with a worker, in one round trip."""
    names = [keys.DEGRADATION_LEVEL, *liveness.served_keys(MODEL_QUEUES)]
    raw = r.mget(names)
    return degrade.parse_level(raw[0]), liveness.served(MODEL_QUEUES, raw[1:])


def _send_model_step(
    app: Celery, task: str, job_id: str, profile: ModelProfile, round_: int, spec: JobSpec
) -> None:
    args = [job_id, profile.name, round_]
    kind = "plan" if task == tasks.PLAN else "answer"
    app.send_task(
        task,
        args=args,
        queue=profile.queue,
        priority=broker_priority(spec.priority),
        task_id=tasks.job_task_id(job_id, kind, round_),
        **brief(job_id, profile.name, round_),
        shadow=tasks.shadow(task, profile.name),  # Flower lists `llm.plan[local]`
    )


def plan_step(
    r: redis.Redis, app: Celery, job_id: str, model: str, round_: int, settings: Settings
) -> None:
    """The model plans; its plan (validated once, in the planner) is adopted and its first
    layer runs. A plan with no calls goes straight to the answer."""
    state = load_state(r, job_id)
    if state.finalized:
        return
    step = model_steps.get_step(
        job_id, _at_current_level(r, state, model, settings), round_, "plan"
    )
    try:
        outcome = model_steps.plan(r, step, state, settings)
    except RetryableError:
        fence.release(r, step.lease)  # the task may retry: a new run of this step
        raise
    if outcome.plan is None or outcome.layers is None:
        fence.check(r, job_id, step.lease)
        _send_model_step(app, tasks.SYNTHESIZE, job_id, step.profile, round_, state.spec)
        return
    store.save_plan(r, job_id, outcome.plan, outcome.layers, outcome.source, step.lease)
    advance(r, app, job_id, 0, settings)


def answer_step(
    r: redis.Redis, app: Celery, job_id: str, model: str, round_: int, settings: Settings
) -> None:
    """The model answers from the tool outputs: the job ends with the answer, or, when the
    model asks for more tools and the budget allows another round, it plans again."""
    state = load_state(r, job_id)
    if state.finalized:
        return
    spec, budget = state.spec, state.spec.budget
    rounds_before = state.model_rounds()
    model = _at_current_level(r, state, model, settings)
    step = model_steps.get_step(job_id, model, round_, "answer")
    answer = model_steps.synthesize(r, step, state, settings)
    if answer.text is None:
        endings.no_model_answered(r, job_id, answer.tried)
        return
    # Another round costs a plan and an answer step: both must fit in max_steps.
    if answer.need_tools and rounds_before + 2 < budget.max_steps and round_ < budget.max_llm_calls:
        _send_model_step(app, tasks.PLAN, job_id, answer.profile, round_ + 1, spec)
        return
    ended = endings.answered(r, job_id, answer.text)
    if ended is not None and spec.conversation_id is not None:
        # Only the run that ended the job `done` appends its round: once per job.
        steps = list(state.steps.values())
        summary.record_turn(r, app, job_id, spec, answer.text, steps, answer.profile, settings)
    if reuse.eligible(spec):
        app.send_task(tasks.REMEMBER, args=[job_id], queue=AGENT)


def _at_current_level(r: redis.Redis, state: JobState, model: str, settings: Settings) -> str:
    """The model for a model step of an auto-routed job that waited in its queue while the
    degradation level rose: the one the router picks now, if it is served by this same queue.
    So a backlog built at level 0 drains at the faster level's speed, instead of every job
    queued before the change paying for the slow model it was routed to."""
    spec = state.spec
    level = max(degrade.get_level(r), state.level_floor)
    if level == degrade.NORMAL or spec.model not in (None, "auto"):
        return model
    try:
        now = model_steps.route(spec, settings, level)
    except CeleragentError:
        return model
    return now.name if now.queue == get_profile(model).queue else model


def model_step_failed(r: redis.Redis, job_id: str, exc: Exception, can_retry: bool) -> bool:
    """A model step raised: True when its task should retry (a transient failure with
    retries left); otherwise the job ends, out of budget or failed, with the reason."""
    if isinstance(exc, fence.Stopped):
        log.info("%s", exc)  # the job ended or another run owns the step: nothing to record
        return False
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
    pipe = r.pipeline(transaction=False)
    events.emit(
        pipe, job_id, EventType.recovered, {"reason": reason, "layer": layer, "redrive": count}
    )
    fence.commit(r, pipe, job_id)
    if layer is None:
        _start(r, app, state, settings)
    else:
        _advance(r, app, state, layer, settings)


def end_overdue(r: redis.Redis, app: Celery | None = None) -> int:
    """The watchdog: a job past its deadline ends `timed_out` with its partial results, even
    when the step it waits on is stuck in a dead worker and no join will ever run. With
    `app`, its messages still queued are revoked."""
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
            if app is not None:
                revoke.revoke_queued(r, app, job_id)
    return ended
