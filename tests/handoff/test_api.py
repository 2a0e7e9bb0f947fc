"""The consultant API against the sample city, through the real application."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.settings import Settings
from handoff.deps import get_now, get_sessionmaker
from handoff.models import Consultant, OutboxItem
from handoff.site import SiteReport
from tests.factories import DEMO_PASSWORD, TUESDAY_MORNING, consultant_by_email, worry

TAKAHASHI = "takahashi.kenichi@minato.example"  # supervisor
YAMAMOTO = "yamamoto.naoki@minato.example"  # くらし・しごと自立相談支援センター
SUZUKI = "suzuki.kazuko@minato.example"  # 地域包括支援センター
YOSHIDA = "yoshida.osamu@minato.example"  # 市民相談室


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('app') / 'unused.db'}",
        escalation_interval_seconds=0,
        max_request_bytes=64 * 1024,
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@dataclass
class Clock:
    now: datetime = TUESDAY_MORNING

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    """The client, bound to the test's transaction, with logins remembered."""

    client: TestClient
    session: Session
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            response = self.client.post(
                "/api/login", json={"email": email, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, response.text
            self.tokens[email] = response.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[email]}"}

    def get(self, path: str, who: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.login(who), **kwargs)

    def post(self, path: str, who: str, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.login(who), **kwargs)


@pytest.fixture
def api(
    app: FastAPI,
    client: TestClient,
    sessions: sessionmaker[Session],
    session: Session,
    city: SiteReport,
) -> Iterator[Api]:
    clock = Clock()
    app.dependency_overrides[get_sessionmaker] = lambda: sessions
    app.dependency_overrides[get_now] = clock
    try:
        yield Api(client=client, session=session, clock=clock)
    finally:
        app.dependency_overrides.clear()


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# -- login ----------------------------------------------------------------------------------


def test_login_gives_a_bearer_token(api: Api) -> None:
    response = api.client.post(
        "/api/login", json={"email": " Yamamoto.Naoki@minato.example ", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["token"]) > 30
    assert body["consultant"]["name"] == "山本 直樹"
    me = api.client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["reading"] == "Yamamoto Naoki"


def test_only_a_hash_of_the_token_is_stored(api: Api) -> None:
    api.login(YAMAMOTO)
    from handoff.models import ApiToken

    stored = api.session.scalars(select(ApiToken.token_hash)).all()
    assert api.tokens[YAMAMOTO] not in stored
    assert all(len(digest) == 64 for digest in stored)


def test_wrong_password_then_rate_limit(api: Api) -> None:
    wrong = {"email": SUZUKI, "password": "not-the-password"}
    for _ in range(5):
        assert_error(api.client.post("/api/login", json=wrong), 401)
    limited = api.client.post("/api/login", json={"email": SUZUKI, "password": DEMO_PASSWORD})
    assert_error(limited, 429)
    assert int(limited.headers["retry-after"]) > 0
    # Another account from the same address is not locked out.
    assert api.client.post("/api/login", json={"email": YAMAMOTO, "password": DEMO_PASSWORD})
    api.clock.now += timedelta(minutes=16)
    ok = api.client.post("/api/login", json={"email": SUZUKI, "password": DEMO_PASSWORD})
    assert ok.status_code == 200


def test_unknown_email_is_just_a_401(api: Api) -> None:
    body = assert_error(
        api.client.post("/api/login", json={"email": "nobody@x.example", "password": "x"}), 401
    )
    assert body["detail"] == "wrong e-mail or password"


def test_missing_bad_and_expired_tokens(api: Api) -> None:
    response = api.client.get("/api/tickets")
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(api.client.get("/api/tickets", headers={"Authorization": "Bearer nope"}), 401)
    assert_error(api.client.get("/api/tickets", headers={"Authorization": "Basic eDp5"}), 401)
    headers = api.login(YAMAMOTO)
    api.clock.now += timedelta(hours=13)
    assert_error(api.client.get("/api/tickets", headers=headers), 401)


def test_logout_revokes_the_token(api: Api) -> None:
    headers = api.login(YAMAMOTO)
    assert api.client.post("/api/logout", headers=headers).status_code == 204
    assert_error(api.client.get("/api/me", headers=headers), 401)


# -- the queue ------------------------------------------------------------------------------


def test_queue_shows_own_and_agency_tickets_crisis_first(api: Api) -> None:
    ordinary = worry(api.session)  # 山本
    crisis = worry(
        api.session,
        text="消えたい",
        domains=[],
        crisis=True,
        now=TUESDAY_MORNING + timedelta(minutes=5),
    )
    api.session.flush()
    api.clock.now = TUESDAY_MORNING + timedelta(minutes=30)

    mine = api.get("/api/tickets", YAMAMOTO).json()
    assert [t["number"] for t in mine] == [ordinary.ticket.number]
    item = mine[0]
    assert item["consultant"] == {
        "id": ordinary.consultant.id,
        "name": "山本 直樹",
        "reading": "Yamamoto Naoki",
    }
    assert item["status"] == "assigned" and item["urgency"] == "normal"
    assert item["domains"] == ["work", "housing"]
    assert (item["language"], item["channel"]) == ("ja", "line")
    assert item["waiting_minutes"] == 30
    assert "待ち時間: 30分" in item["summary"]
    assert "家賃が払えません" in item["summary"]

    everything = api.get("/api/tickets", TAKAHASHI).json()
    assert [t["id"] for t in everything] == [crisis.ticket.id, ordinary.ticket.id]
    assert api.get("/api/tickets", SUZUKI).json() == []


def test_queue_filters_and_validation(api: Api) -> None:
    worry(api.session, language="pt", text="Preciso de ajuda.", domains=["debt"])
    worry(api.session, domains=["school"])
    api.session.flush()
    assert len(api.get("/api/tickets", TAKAHASHI, params={"language": "pt"}).json()) == 1
    assert len(api.get("/api/tickets", TAKAHASHI, params={"domain": "school"}).json()) == 1
    assert api.get("/api/tickets", TAKAHASHI, params={"status": "closed"}).json() == []
    body = assert_error(api.get("/api/tickets", TAKAHASHI, params={"domain": "astrology"}), 422)
    assert "unknown domain" in body["detail"]
    assert_error(api.get("/api/tickets", TAKAHASHI, params={"status": "lost"}), 422)
    assert_error(api.get("/api/tickets", TAKAHASHI, params={"limit": 0}), 422)


# -- one ticket -----------------------------------------------------------------------------


def test_ticket_detail_has_transcript_and_history_and_records_the_view(api: Api) -> None:
    handed = worry(api.session, source_link_id="kounan-es", source_label="港南小学校")
    api.session.flush()
    body = api.get(f"/api/tickets/{handed.ticket.id}", YAMAMOTO).json()
    assert body["number"] == handed.ticket.number
    assert body["routing_reason"] == handed.routing_reason
    assert body["source_label"] == "港南小学校"
    assert [m["direction"] for m in body["transcript"]] == ["in"]
    assert [e["kind"] for e in body["history"]] == ["created", "assigned", "viewed"]
    assert body["history"][-1]["actor"]["name"] == "山本 直樹"


def test_another_agencys_ticket_is_not_found(api: Api) -> None:
    handed = worry(api.session)
    api.session.flush()
    body = assert_error(api.get(f"/api/tickets/{handed.ticket.id}", SUZUKI), 404)
    assert body["detail"] == f"no ticket {handed.ticket.id}"
    assert_error(api.post(f"/api/tickets/{handed.ticket.id}/claim", SUZUKI), 404)


@pytest.mark.parametrize("ticket_id", ["abc", "0", "-1", "99999999999999999999", "1.5"])
def test_bad_ticket_ids_are_422(api: Api, ticket_id: str) -> None:
    assert_error(api.get(f"/api/tickets/{ticket_id}", YAMAMOTO), 422)


def test_unknown_ticket_is_404(api: Api) -> None:
    assert_error(api.get("/api/tickets/2147483647", TAKAHASHI), 404)


def test_claim_then_409_for_the_colleague(api: Api) -> None:
    handed = worry(api.session, domains=["elderly_care"])  # 鈴木, 地域包括
    colleague = Consultant(
        email="colleague@minato.example",
        display_name="同僚",
        reading="Dōryō",
        agency_id=handed.consultant.agency_id,
        languages=["ja"],
        domains=[],
        password_hash=handed.consultant.password_hash,
        created_at=TUESDAY_MORNING,
        updated_at=TUESDAY_MORNING,
    )
    api.session.add(colleague)
    api.session.flush()
    url = f"/api/tickets/{handed.ticket.id}/claim"
    won = api.post(url, SUZUKI)
    assert won.status_code == 200
    assert won.json()["status"] == "claimed"
    assert won.json()["claimed_by"]["name"] == "鈴木 和子"
    assert api.post(url, SUZUKI).status_code == 200  # already mine
    body = assert_error(api.post(url, "colleague@minato.example"), 409)
    assert "held by 鈴木 和子" in body["detail"]


def test_reply_is_queued_with_the_consultants_name(api: Api) -> None:
    handed = worry(api.session)
    api.session.flush()
    response = api.post(
        f"/api/tickets/{handed.ticket.id}/reply",
        YAMAMOTO,
        json={"text": "山本です。明日10時にお電話します。"},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["delivery_state"] == "pending"
    assert body["consultant"]["name"] == "山本 直樹"
    api.session.expire_all()
    item = api.session.scalars(select(OutboxItem)).one()
    assert item.payload["text"] == "山本です。明日10時にお電話します。"
    detail = api.get(f"/api/tickets/{handed.ticket.id}", YAMAMOTO).json()
    assert [m["direction"] for m in detail["transcript"]] == ["in", "out"]
    assert detail["transcript"][1]["consultant"]["name"] == "山本 直樹"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 5001},
        {"text": "a\x00b"},
        {"text": 5},
        {"text": "ok", "extra": 1},
        [],
        "text",
    ],
)
def test_bad_reply_bodies_are_422(api: Api, body: Any) -> None:
    handed = worry(api.session)
    api.session.flush()
    assert_error(api.post(f"/api/tickets/{handed.ticket.id}/reply", YAMAMOTO, json=body), 422)


def test_malformed_json_is_422(api: Api) -> None:
    handed = worry(api.session)
    api.session.flush()
    response = api.client.post(
        f"/api/tickets/{handed.ticket.id}/reply",
        content=b"{oops",
        headers={**api.login(YAMAMOTO), "content-type": "application/json"},
    )
    assert_error(response, 422)


def test_huge_bodies_are_413(api: Api) -> None:
    handed = worry(api.session)
    api.session.flush()
    huge = {"text": "x" * 100_000}
    assert_error(api.post(f"/api/tickets/{handed.ticket.id}/reply", YAMAMOTO, json=huge), 413)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    streamed = api.client.post(
        f"/api/tickets/{handed.ticket.id}/reply",
        content=chunks(),
        headers={**api.login(YAMAMOTO), "content-type": "application/json"},
    )
    assert_error(streamed, 413)


def test_transfer_notes_and_close(api: Api) -> None:
    handed = worry(api.session, text="借金の督促が怖い", domains=["debt", "work"])
    lawyer = consultant_by_email(api.session, YOSHIDA)
    api.session.flush()
    base = f"/api/tickets/{handed.ticket.id}"

    note = api.post(f"{base}/notes", YAMAMOTO, json={"text": "本人は日中は電話に出られない"})
    assert note.status_code == 201 and note.json()["kind"] == "note"

    moved = api.post(
        f"{base}/transfer",
        YAMAMOTO,
        json={"consultant_id": lawyer.id, "note": "債務整理の相談を希望"},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["consultant"]["name"] == "吉田 修"
    assert body["from_consultant"]["name"] == "山本 直樹"
    assert body["agency"]["code"] == "shimin-sodan"
    assert body["ticket"]["status"] == "transferred"
    assert "引き継ぎメモ: 債務整理の相談を希望" in body["ticket"]["summary"]

    # The new consultant sees everything; the old one, of another agency, no longer does.
    detail = api.get(base, YOSHIDA).json()
    kinds = [e["kind"] for e in detail["history"]]
    assert kinds[:4] == ["created", "assigned", "note", "transferred"]
    assert_error(api.get(base, YAMAMOTO), 404)

    assert_error(
        api.post(f"{base}/transfer", YOSHIDA, json={"consultant_id": 2147483647, "note": "x"}), 400
    )
    assert_error(
        api.post(f"{base}/transfer", YOSHIDA, json={"consultant_id": 99999999999, "note": "x"}), 422
    )

    closed = api.post(f"{base}/close", YOSHIDA, json={"outcome": "法テラスの無料相談を予約"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert_error(api.post(f"{base}/close", YOSHIDA, json={"outcome": "again"}), 409)
    assert_error(api.post(f"{base}/reply", YOSHIDA, json={"text": "hello"}), 409)


def test_escalation_endpoint_is_for_supervisors(api: Api) -> None:
    handed = worry(api.session)
    api.session.flush()
    assert_error(api.post("/api/escalations", YAMAMOTO), 403)
    api.clock.now = TUESDAY_MORNING + timedelta(hours=5)
    response = api.post("/api/escalations", TAKAHASHI)
    assert response.status_code == 200
    (escalated,) = response.json()["escalated"]
    assert escalated["id"] == handed.ticket.id
    assert escalated["consultant"]["name"] in ("高橋 健一", "中村 さおり")
    detail = api.get(f"/api/tickets/{handed.ticket.id}", TAKAHASHI).json()
    assert detail["history"][-2]["kind"] == "escalated"


def test_consultants_list_for_transfers(api: Api) -> None:
    people = api.get("/api/consultants", YAMAMOTO).json()
    assert len(people) >= 8
    takahashi = next(p for p in people if p["reading"] == "Takahashi Ken'ichi")
    assert takahashi["role"] == "supervisor" and takahashi["on_shift_now"]


def test_unknown_paths_and_methods_are_json(api: Api) -> None:
    assert_error(api.client.get("/api/nowhere"), 404)
    assert_error(api.client.delete("/api/tickets"), 405)


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("post", "/api/login"),
        ("get", "/api/tickets"),
        ("get", "/api/tickets/{ticket_id}"),
        ("post", "/api/tickets/{ticket_id}/claim"),
        ("post", "/api/tickets/{ticket_id}/reply"),
        ("post", "/api/tickets/{ticket_id}/transfer"),
        ("post", "/api/tickets/{ticket_id}/notes"),
        ("post", "/api/tickets/{ticket_id}/close"),
        ("post", "/api/escalations"),
    }
    for method, path in expected:
        operation = paths[path][method]
        assert operation.get("description") or operation.get("summary")
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        if ok != "204":
            assert "schema" in operation["responses"][ok]["content"]["application/json"]
    assert "409" in paths["/api/tickets/{ticket_id}/claim"]["post"]["responses"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
