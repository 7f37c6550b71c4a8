"""The gateway: jobs over HTTP, their progress over SSE and WebSocket, an OpenAI-compatible
chat endpoint and a live job page, for tenants holding API keys (`celeragent gateway`).

app.py builds the ASGI app; auth.py holds the keys and the rate limit; http.py the errors
and limits every endpoint shares; jobs.py, streams.py and chat.py the endpoints; hub.py the
one Redis reader of every open stream; metrics.py the gateway's own Prometheus metrics;
static/index.html the page at `/`.
"""
