"""`celeragent chat`: an interactive prompt that keeps one conversation.

Each line read is the next turn (a job with the conversation's id, runtime/conversation/);
its answer streams as the model writes it (the job's `token` events), then the next prompt.
Reads stdin line by line, so it also runs piped: `printf 'hi\\nand?\\n' | celeragent chat`.
`/quit` (or end of input) leaves; `/new` starts a new conversation.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from runtime.agent.answer_check import unstreamed
from runtime.cli.options import REDIS_URL
from runtime.schemas import EventType, JobStatus


def run_chat(
    args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None
) -> int:
    from runtime.job.client import Client

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty()
    spec: dict[str, Any] = {}
    if args.model:
        spec["model"] = args.model
    client = Client(args.redis_url)
    conversation = client.conversation(args.conversation, tenant=args.tenant, **spec)
    print(f"conversation {conversation.id} (tenant {conversation.tenant})", file=sys.stderr)
    failures = 0
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = stdin.readline()
        if not line:
            break  # end of input
        query = line.strip()
        if not query:
            continue
        if query == "/quit":
            break
        if query == "/new":
            conversation = client.conversation(tenant=args.tenant, **spec)
            print(f"conversation {conversation.id}", file=sys.stderr)
            continue
        if not _turn(conversation.ask(query), out, args.timeout):
            failures += 1
    client.close()
    return 1 if failures else 0


def _turn(handle: Any, out: TextIO, timeout: float | None) -> bool:
    """Stream one answer; True when the job ended done."""
    streamed: list[str] = []
    for event in handle.events(timeout=timeout):
        if event.type == EventType.token:
            streamed.append(str(event.data.get("text", "")))
            out.write(streamed[-1])
            out.flush()
    result = handle.result(timeout=timeout)
    if result.status != JobStatus.done:
        out.write(f"[{result.status.value}: {result.error or 'no answer'}]")
    elif not streamed:  # answered without a model stream (a cached answer)
        out.write(result.answer or "")
    elif missing := unstreamed(result.answer or "", "".join(streamed)):
        out.write(f"\n{missing}")
    out.write("\n")
    out.flush()
    return result.status == JobStatus.done


def add_chat_command(sub: Any) -> None:
    chat = sub.add_parser(
        "chat",
        parents=[REDIS_URL],
        help="talk to the agent: one conversation, answers streamed",
        description="An interactive prompt: each line is the next turn of one conversation; "
        "answers stream as they are written. Reads stdin, so it also runs piped. /new starts "
        "a new conversation, /quit (or end of input) leaves.",
    )
    chat.add_argument("--conversation", help="resume this conversation id (default: a new one)")
    chat.add_argument("--tenant", default="default")
    chat.add_argument("--model", help="model profile name (default: routed)")
    chat.add_argument("--timeout", type=float, default=None, help="seconds per answer")
    chat.set_defaults(fn=run_chat)
