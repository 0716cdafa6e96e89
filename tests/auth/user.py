"""A scripted user for ``trello-tui auth``: answers prompts and "clicks Allow" in the browser.

When the dialogue opens a URL, the user loads it from the sandbox (the consent page), posts
the Allow button, and reads the token or verification code from the answer page — exactly the
steps a person does in a browser, against the in-process sandbox.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import httpx

from trello_tui.sandbox import Sandbox

Answer = str | Callable[[], str]


class ScriptedUser:
    def __init__(
        self,
        sb: Sandbox,
        answers: list[Answer],
        secrets: list[Answer],
        *,
        approve: dict[str, str] | None = None,
    ) -> None:
        self.sb = sb
        self.answers = list(answers)
        self.secrets = list(secrets)
        self.approve = approve or {}
        self.said: list[str] = []
        self.prompts: list[str] = []
        self.opened: list[str] = []
        self.page_value: str | None = None  # the token or verifier the page showed

    @property
    def output(self) -> str:
        return "\n".join(self.said)

    def say(self, text: str) -> None:
        self.said.append(text)

    def _next(self, queue: list[Answer], prompt: str) -> str:
        self.prompts.append(prompt)
        if not queue:
            raise EOFError
        answer = queue.pop(0)
        return answer() if callable(answer) else answer

    def ask(self, prompt: str) -> str:
        return self._next(self.answers, prompt)

    def secret(self, prompt: str) -> str:
        return self._next(self.secrets, prompt)

    def open_url(self, url: str) -> bool:
        self.opened.append(url)
        self.page_value = asyncio.run(self._allow(url))
        return True

    async def _allow(self, url: str) -> str | None:
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query))
        transport = httpx.ASGITransport(app=self.sb.app)
        async with httpx.AsyncClient(transport=transport) as http:
            page = await http.get(url)
            if page.status_code != 200:
                return None
            form = {**params, **self.approve, "approve": "Allow"}
            answer = await http.post(url.split("?")[0], data=form)
        found = re.search(r"<pre id='(?:token|verifier)'>([^<]+)</pre>", answer.text)
        return found[1] if found else None

    def shown(self) -> str:
        """What the page showed (the token or verification code) — the user's paste."""
        assert self.page_value, "the authorisation page showed nothing"
        return self.page_value
