"""The SDK client and the LINE ChannelSender against the fake Messaging API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.line.api import LineApi, LineApiError, Timeouts
from bot.line.messages import text_messages
from bot.line.sender import LineSender
from handoff.outbox import PermanentDeliveryError, ResidentAddress
from tests.fakes.line_api import ACCESS_TOKEN, LOADING, PROFILE, PUSH, FakeLineApi

USER = "U" + "1" * 32
RESIDENT = ResidentAddress("line", USER, "en")
CONSULTANT = {"id": 3, "name": "佐藤 美咲", "reading": "Misaki Sato", "agency": None}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLineApi]:
    with FakeLineApi() as served:
        yield served


@pytest.fixture
async def api(fake: FakeLineApi) -> AsyncIterator[LineApi]:
    client = LineApi(
        base_url=fake.url + "/",
        access_token=ACCESS_TOKEN,
        timeouts=Timeouts(reply=1, push=1, profile=1, loading=1),
    )
    client.open()
    try:
        yield client
    finally:
        await client.close()
        fake.faults.clear()


async def test_a_push_carries_the_token_and_the_retry_key(api: LineApi, fake: FakeLineApi) -> None:
    sent = await api.push(to=USER, messages=text_messages(["hello"]), retry_key="key-1")
    request = fake.requests_to(PUSH)[-1]
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["x-line-retry-key"] == "key-1"
    assert request.body["to"] == USER
    assert sent is not None and sent.isdigit()


async def test_a_retry_of_an_accepted_key_counts_as_sent(api: LineApi, fake: FakeLineApi) -> None:
    await api.push(to=USER, messages=text_messages(["once"]), retry_key="key-2")
    assert await api.push(to=USER, messages=text_messages(["once"]), retry_key="key-2") is None
    assert fake.requests_to(PUSH)[-1].status == 409
    assert fake.texts_to(USER).count("once") == 1


async def test_errors_carry_the_status_and_no_data(api: LineApi, fake: FakeLineApi) -> None:
    fake.fail(PUSH, status=500, message="boom")
    with pytest.raises(LineApiError) as caught:
        await api.push(to=USER, messages=text_messages(["secret words"]), retry_key="key-3")
    assert (caught.value.status, caught.value.permanent) == (500, False)
    assert "secret" not in str(caught.value)
    assert USER not in str(caught.value)


async def test_a_slow_api_times_out(api: LineApi, fake: FakeLineApi) -> None:
    fake.fail(PUSH, status=500, delay=2.5)
    started = time.monotonic()
    with pytest.raises(LineApiError) as caught:
        await api.push(to=USER, messages=text_messages(["late"]), retry_key="key-4")
    assert caught.value.status is None
    assert time.monotonic() - started < 2.5


async def test_the_profile_language(api: LineApi, fake: FakeLineApi) -> None:
    fake.profiles[USER] = {"language": "pt-BR"}
    assert await api.profile_language(USER) == "pt-BR"
    fake.profiles[USER] = {}
    assert await api.profile_language(USER) is None
    assert await api.profile_language("U" + "9" * 32) is None  # 404: not a friend
    fake.fail(PROFILE, status=500)
    assert await api.profile_language(USER) is None


async def test_the_loading_animation(api: LineApi, fake: FakeLineApi) -> None:
    await api.show_loading(USER, 20)
    assert fake.requests_to(LOADING)[-1].body == {"chatId": USER, "loadingSeconds": 20}


async def test_a_closed_client_refuses_calls(fake: FakeLineApi) -> None:
    client = LineApi(base_url=fake.url, access_token=ACCESS_TOKEN)
    with pytest.raises(LineApiError):
        await client.push(to=USER, messages=text_messages(["x"]), retry_key="key-5")


async def test_the_sender_pushes_a_consultants_reply_signed(
    api: LineApi, fake: FakeLineApi
) -> None:
    payload = {
        "kind": "consultant_reply",
        "ticket_number": "T-1",
        "text": "Hello!",
        "consultant": CONSULTANT,
    }
    await LineSender(api).send(RESIDENT, [payload], "key-6")
    [text] = fake.delivered_to(USER)[-1].texts
    assert "Misaki Sato" in text
    assert text.endswith("Hello!")
    assert fake.delivered_to(USER)[-1].retry_key == "key-6"


async def test_the_sender_splits_a_long_reply_within_one_push(
    api: LineApi, fake: FakeLineApi
) -> None:
    payload = {"kind": "consultant_reply", "text": "あ" * 9000, "consultant": CONSULTANT}
    await LineSender(api).send(RESIDENT, [payload], "key-7")
    texts = fake.delivered_to(USER)[-1].texts
    assert len(texts) <= 5
    assert "Misaki Sato" in texts[0]
    assert "".join(texts).count("あ") == 9000
    assert not fake.problems


async def test_the_sender_gives_up_on_what_cannot_succeed(api: LineApi, fake: FakeLineApi) -> None:
    sender = LineSender(api)
    with pytest.raises(PermanentDeliveryError):
        await sender.send(RESIDENT, [{"kind": "poem"}], "key-8")
    with pytest.raises(PermanentDeliveryError):
        await sender.send(RESIDENT, [{"kind": "bot_reply", "texts": []}], "key-9")
    fake.fail(PUSH, status=400, message="The property, 'to', in the request body is invalid")
    with pytest.raises(PermanentDeliveryError):
        await sender.send(RESIDENT, [{"kind": "bot_reply", "texts": ["x"]}], "key-10")
    fake.fail(PUSH, status=429, message="Too many requests")
    with pytest.raises(LineApiError):
        await sender.send(RESIDENT, [{"kind": "bot_reply", "texts": ["x"]}], "key-11")
