"""`POST /v1/chat/completions`, OpenAI-compatible, so any OpenAI SDK or tool is a client.

The last user message is the job's query; the messages before it travel as context in the
spec's metadata (`chat_context`). `model` names a profile, or `auto` lets the router choose.
With `conversation_id` (an extra body field; the OpenAI SDK sends it with
`extra_body={"conversation_id": ...}`) the request is the next turn of that conversation, the
key's tenant's (runtime/conversation/): the gateway keeps the history, fitted to the model's
window and summarised, so the request carries only the new user message. Earlier user or
assistant messages beside an id are refused: two histories for one question would disagree.
The reply is the job's answer, whole or streamed as `chat.completion.chunk`s from the job's
`token` events; the job id travels in the `X-Celeragent-Job-Id` header either way.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from runtime import keys
from runtime.agent.answer_check import unstreamed
from runtime.agent.answer_prompt import CONTEXT_KEY
from runtime.errors import SpecError
from runtime.gateway import metrics
from runtime.gateway.http import caller_of, error_body, job_not_found, read_json
from runtime.gateway.jobs import spec_for, submit_spec
from runtime.gateway.streams import follow
from runtime.job.client import AsyncClient
from runtime.schemas import EventType, JobResult, JobStatus

JOB_HEADER = "X-Celeragent-Job-Id"
# A job that ended without an answer, as the HTTP status of the error that says why.
FAILED_STATUS = {
    JobStatus.timed_out: 504,
    JobStatus.budget_exhausted: 402,
    JobStatus.cancelled: 409,
}


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def chat_spec(body: dict[str, Any]) -> dict[str, Any]:
    """The JobSpec of a chat request (before the caller's tenant is set)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise SpecError("`messages` must be a list of {role, content} objects.")
    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        raise SpecError("`messages` has no user message; the last user message is the question.")
    last = users[-1]
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise SpecError("`model` must name a model profile, or be `auto`.")
    context = [{"role": m.get("role"), "content": _text(m.get("content"))} for m in messages[:last]]
    spec: dict[str, Any] = {"query": _text(messages[last].get("content"))}
    if model != "auto":
        spec["model"] = model
    conversation = body.get("conversation_id")
    if conversation is not None:
        if not isinstance(conversation, str) or not conversation:
            raise SpecError("`conversation_id` must be a non-empty string.")
        if any(t["role"] in ("user", "assistant") for t in context):
            raise SpecError(
                "with `conversation_id` the gateway keeps the conversation's history: send "
                "only the new user message (system messages may stay), not the earlier turns."
            )
        spec["conversation_id"] = conversation
    if context:
        spec["metadata"] = {CONTEXT_KEY: context}
    return spec


async def _result(state: State, job_id: str) -> JobResult:
    """The job's result, once its terminal event has come (through the process's hub, so a
    waiting request holds no Redis connection)."""
    async for _event in follow(state, job_id, None):
        pass
    raw = await state.redis.hget(keys.job(job_id), "result")
    if raw is None:
        raise job_not_found(job_id)
    return JobResult.model_validate_json(raw)


def _failure(result: JobResult) -> tuple[int, dict[str, Any]] | None:
    """The error of a job that ended with no answer, as (HTTP status, error body)."""
    if result.answer is not None:
        return None
    status = FAILED_STATUS.get(result.status, 502)
    message = result.error or f"the job ended {result.status.value} without an answer."
    return status, error_body(f"job_{result.status.value}", message, status)


def completion(result: JobResult, model: str) -> dict[str, Any]:
    usage = result.usage
    return {
        "id": f"chatcmpl-{result.job_id}",
        "object": "chat.completion",
        "created": int(result.timings.submitted_at),
        "model": result.models[0] if result.models else model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.answer},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        },
    }


def _chunk(job_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": f"chatcmpl-{job_id}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _chunks(request: Request, job_id: str, model: str) -> AsyncIterator[str]:
    streamed: list[str] = []
    with metrics.open_stream("chat"):
        yield _chunk(job_id, model, {"role": "assistant", "content": ""})
        async for event in follow(request.app.state, job_id, None):
            if event is None:
                yield ": ping\n\n"
            elif event.type is EventType.token:
                text = str(event.data.get("text", ""))
                streamed.append(text)
                yield _chunk(job_id, model, {"content": text})
        result = await _result(request.app.state, job_id)
        failure = _failure(result)
        if failure is not None:
            yield f"data: {json.dumps(failure[1])}\n\n"
            return
        # An answer that did not stream (a cached one, tools' outputs) or that was completed
        # after streaming: whatever the client has not seen yet. One led by the tool's
        # result after streaming (answer_check.py): that lead, after what was streamed.
        sent, answer = "".join(streamed), result.answer or ""
        if answer.startswith(sent):
            extra = answer[len(sent) :]
        elif lead := unstreamed(answer, sent):
            extra = f"\n\n{lead}"
        else:
            extra = ""
        if extra:
            yield _chunk(job_id, model, {"content": extra})
        yield _chunk(job_id, model, {}, finish="stop")
        yield "data: [DONE]\n\n"


async def chat_completions(request: Request) -> Response:
    caller = await caller_of(request)
    body = await read_json(request)
    spec = spec_for(caller, chat_spec(body), request.headers.get("idempotency-key"))
    client: AsyncClient = request.app.state.client
    job_id = await submit_spec(client, spec)
    headers = {JOB_HEADER: job_id}
    model = str(body["model"])
    if body.get("stream"):
        headers["Cache-Control"] = "no-cache"
        chunks = _chunks(request, job_id, model)
        return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)
    result = await _result(request.app.state, job_id)
    failure = _failure(result)
    if failure is not None:
        return JSONResponse(failure[1], status_code=failure[0], headers=headers)
    return JSONResponse(completion(result, model), headers=headers)
