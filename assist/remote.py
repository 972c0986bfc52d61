"""An optional remote model: an OpenAI-compatible `POST {IHF_AI_URL}/chat/completions`.

Off unless IHF_AI_URL is set. Each attempt is logged in ai_call_log (ok, error or timeout, with its latency);
a timeout, a connection error, a 429 or a 5xx is retried IHF_AI_RETRIES times with a short back-off; anything
else, or the last failure, returns None and the caller uses its local method. The key is sent as a bearer
token and never logged.
"""

import json
import socket
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings

from assist import calls
from assist.models import CallStatus


def enabled() -> bool:
    return bool(settings.IHF_AI_URL and settings.IHF_AI_MODEL)


def model_ref() -> str:
    return f"remote:{settings.IHF_AI_MODEL}"


def complete(
    task: str, system: str, prompt: str, *, hub_id: uuid.UUID | str | None = None, max_tokens: int = 600
) -> str | None:
    """The model's answer, or None when remote is off or failed after its retries."""
    if not enabled():
        return None
    payload = json.dumps(
        {
            "model": settings.IHF_AI_MODEL,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "temperature": 0.2,
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    if settings.IHF_AI_KEY:
        headers["Authorization"] = f"Bearer {settings.IHF_AI_KEY}"
    url = settings.IHF_AI_URL.rstrip("/") + "/chat/completions"
    for attempt in range(settings.IHF_AI_RETRIES + 1):
        started = time.perf_counter()
        status, error, retry = CallStatus.ERROR, "", False
        try:
            request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=settings.IHF_AI_TIMEOUT) as response:
                answer = json.loads(response.read())
            text = str(answer["choices"][0]["message"]["content"]).strip()
            if not text:
                raise ValueError("the answer was empty")
            calls.log(
                task,
                model_ref=model_ref(),
                started=started,
                input_size=len(prompt),
                output_size=len(text),
                hub_id=hub_id,
            )
            return text
        except urllib.error.HTTPError as exc:
            error, retry = f"HTTP {exc.code}", exc.code == 429 or exc.code >= 500
        except TimeoutError:
            status, error, retry = CallStatus.TIMEOUT, f"no answer within {settings.IHF_AI_TIMEOUT} s", True
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                status, error = CallStatus.TIMEOUT, f"no answer within {settings.IHF_AI_TIMEOUT} s"
            else:
                error = f"connection failed: {exc.reason}"
            retry = True
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            error = f"unreadable answer: {exc}"
        calls.log(
            task,
            model_ref=model_ref(),
            started=started,
            status=status,
            input_size=len(prompt),
            error=error,
            hub_id=hub_id,
        )
        if not retry or attempt == settings.IHF_AI_RETRIES:
            return None
        time.sleep(0.5 * 2**attempt)
    return None
