"""A short scripted flood against a running server, printed as figures (not a test; bounded loops).

Starts uvicorn on loopback (the project's ASGI application, production limits, one trusted proxy so that
X-Forwarded-For names the client as nginx would) on a fresh database, then plays the abuses the abuse policy
answers and counts what got through, what was refused and what was held:

  Open311 flood from one address · one e-mail address from many addresses · near-identical submissions
  from many addresses (flood holds) · wrong tracking codes · a form bot filling the honeypot · a blocked
  address range · dialogue votes with client-made cookies and with device ids minted by the page.

Run: DATABASE_URL=... REDIS_URL=... SECRET_KEY=... python tests/bench/abuse_flood.py
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from tests.bench.intake_bench import free_port, prepare_database  # noqa: E402

CASE = {
    "kind": "feedback",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Nguyễn Văn An",
}


def start(database: str, port: int):  # type: ignore[no-untyped-def]
    import subprocess

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.bench_settings",
        "BENCH_DATABASE_NAME": database,
        "PYTHONPATH": f"{ROOT / 'backend'}:{ROOT}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXY_COUNT": "1",
    }
    command = [sys.executable, "-m", "uvicorn", "caunoi.config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT / "backend")
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def text(n: int) -> dict[str, str]:
    topics = ["rác thải", "tiếng ồn", "cây đổ", "nước ngập", "đèn đường", "lấn chiếm vỉa hè", "khói bụi"]
    topic = topics[n % len(topics)]
    return {"title": f"Phản ánh {topic} số {n}", "body": f"Khu dân cư số {n * 37} gặp vấn đề {topic} đã lâu, "
            f"xin cơ quan xem xét (lần {n}, mã {secrets.token_hex(4)})."}  # fmt: skip


def run(base: str) -> dict[str, Counter[int]]:
    figures: dict[str, Counter[int]] = {}
    with httpx.Client(base_url=base, timeout=10) as http:
        # 1. Open311 from one address: the intake limit of the API and the form applies.
        figures["open311, 60 POSTs from one address"] = Counter(
            http.post(
                "/open311/v2/requests.json",
                data={
                    "service_code": "moi-truong",
                    "address_id": "tinh-01",
                    "description": text(n)["body"],
                    "first_name": "An",
                    "last_name": "Nguyễn",
                },
                headers={"X-Forwarded-For": "198.18.0.1"},
            ).status_code
            for n in range(60)
        )
        # 2. One e-mail address from 30 addresses: the identity limit applies whatever the network.
        figures["API, one e-mail from 30 addresses"] = Counter(
            http.post(
                "/api/v1/cases/",
                json={**CASE, **text(100 + n), "email": "flood@example.vn"},
                headers={"X-Forwarded-For": f"198.18.1.{n}"},
            ).status_code
            for n in range(30)
        )
        # 3. Near-identical submissions from 40 addresses and 40 e-mails: held, not refused.
        same = {"title": "Đề nghị xử lý lấn chiếm đất công", "body": "Đề nghị kiểm tra lấn chiếm đất công tại khu "
                "phố 3 phường Hàng Bạc kéo dài nhiều tháng chưa được xử lý, người dân rất bức xúc. Mã {n}"}  # fmt: skip
        codes = []
        for n in range(40):
            fields = {**CASE, "title": same["title"], "body": same["body"].format(n=n), "email": f"dan{n}@example.vn"}
            answer = http.post("/api/v1/cases/", json=fields, headers={"X-Forwarded-For": f"198.18.2.{n}"})
            codes.append(answer.json().get("tracking_code"))
        figures["API, 40 near-identical from 40 addresses"] = Counter()
        figures["_codes"] = Counter(c for c in codes if c)
        # 4. Wrong tracking codes from one address, API and page.
        figures["tracking, 300 wrong codes from one address"] = Counter(
            http.get(
                f"/api/v1/cases/track/PA-2026-{n:06d}/",
                headers={"X-Access-Token": "guess", "X-Forwarded-For": "198.18.3.1"},
            ).status_code
            for n in range(300)
        )
        # 5. A form bot filling every field, the honeypot included.
        page = http.get("/submit/", headers={"X-Forwarded-For": "198.18.4.1"})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        figures["web form, 20 bot POSTs filling the honeypot"] = Counter(
            http.post("/submit/", data={**CASE, **text(500 + n), "csrfmiddlewaretoken": token, "homepage": "http://x",
                      "kind": "feedback"}, headers={"X-Forwarded-For": "198.18.4.1", "Referer": base}).status_code
            for n in range(20)
        )  # fmt: skip
    return figures


def block_and_flood(base: str) -> Counter[int]:
    from caunoi.abuse.blocklist import active_rules
    from caunoi.abuse.models import BlockRule

    BlockRule.objects.create(kind="address", value="198.18.5.0/24", reason="scripted flood")
    active_rules.invalidate()
    time.sleep(1.2)  # other processes see a new rule within a second (their copy's version check)
    with httpx.Client(base_url=base, timeout=10) as http:
        return Counter(
            http.post(
                "/api/v1/cases/", json={**CASE, **text(700 + n)}, headers={"X-Forwarded-For": f"198.18.5.{n}"}
            ).status_code
            for n in range(20)
        )


async def votes(base: str, port: int, question_id: int, dialogue_id: int) -> dict[str, int]:
    async def vote(cookie: str, address: str) -> str:
        headers = {"Cookie": cookie, "X-Forwarded-For": address, "Origin": base}
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/dialogues/{dialogue_id}/", additional_headers=headers
        ) as ws:
            await ws.recv()
            await ws.send(json.dumps({"action": "vote", "question": question_id}))
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] in ("ok", "error"):
                    return frame["type"] if frame["type"] == "ok" else frame["code"]

    made_up = Counter([await vote(f"caunoi_voter={secrets.token_hex(8)}", "198.18.6.1") for _ in range(40)])
    minted = Counter()
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(40):
            page = await http.get(f"/dialogues/{dialogue_id}/", headers={"X-Forwarded-For": "198.18.7.1"})
            cookie = page.cookies.get("caunoi_voter")
            http.cookies.clear()
            minted["device ids minted"] += cookie is not None
            if cookie:
                minted[await vote(f"caunoi_voter={cookie}", "198.18.7.1")] += 1
    return {"client-made cookies": dict(made_up), "page-minted devices, one address": dict(minted)}  # type: ignore[dict-item]


def make_question() -> tuple[int, int]:
    from caunoi.accounts.models import User
    from caunoi.agencies.models import Agency
    from caunoi.dialogues.models import DialogueQuestion, QuestionStatus
    from caunoi.dialogues.testing import make_dialogue

    leader = User.objects.filter(role="leader").first()
    dialogue = make_dialogue(agency=Agency.objects.get(code="UBND-HN"), hosts=[leader] if leader else [], moderators=[])
    question = DialogueQuestion.objects.create(
        dialogue=dialogue, asker_name="An", text="Khi nào sửa đường?", status=QuestionStatus.APPROVED
    )
    return question.pk, dialogue.pk


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from caunoi.core.redis_client import redis_client

    redis_client().flushdb()  # this Redis database's counters (use a database of your own)
    database, _dsn = prepare_database()
    from django.db import connection

    connection.settings_dict["NAME"] = database
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(database, port)
    try:
        figures = run(base)
        blocked = block_and_flood(base)
        question_id, dialogue_id = make_question()
        voting = asyncio.run(votes(base, port, question_id, dialogue_id))
    finally:
        server.terminate()
        server.wait()
    from caunoi.cases.models import Case
    from caunoi.dialogues.models import DialogueQuestion

    codes = list(figures.pop("_codes"))
    held = Case.objects.filter(tracking_code__in=codes, held_at__isnull=False).count()
    print("scenario | answers")
    for name, counts in figures.items():
        if name.startswith("API, 40 near-identical"):
            print(
                f"{name} | {len(codes)} × 201 (tracking codes), {held} held for moderation, "
                f"{len(codes) - held} in queues"
            )
        else:
            print(f"{name} | " + ", ".join(f"{n} × {status}" for status, n in sorted(counts.items())))
    print("API, 20 POSTs from a blocked range | " + ", ".join(f"{n} × {s}" for s, n in sorted(blocked.items())))
    for name, counts in voting.items():
        print(f"dialogue votes, 40 connections, {name} | {counts}")
    print(f"votes counted on the question | {DialogueQuestion.objects.get(pk=question_id).vote_count}")
    print(f"cases stored in all | {Case.objects.count()} (the demo seeds included)")


if __name__ == "__main__":
    main()
