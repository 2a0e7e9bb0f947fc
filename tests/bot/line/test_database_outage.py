"""The database goes away while the service runs, then comes back: in between, LINE is told to
deliver again (503) and readiness says so; afterwards the service takes and answers events
again by itself, with no restart. PostgreSQL behind a proxy that can cut the line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from bot.app import create_app
from handoff.db import make_sessionmaker
from tests.bot.line.conftest import line_settings, quick
from tests.bot.line.platform import LinePlatform
from tests.factories import load_sample_city
from tests.fakes.line_api import FakeLineApi
from tests.fakes.tcp_proxy import TcpProxy
from tests.handoff.databases import migrated_engine, postgres_schema

pytestmark = pytest.mark.postgres


def test_the_service_recovers_by_itself_when_the_database_is_back() -> None:
    with postgres_schema() as url, migrated_engine(url) as engine:
        with make_sessionmaker(engine).begin() as session:
            load_sample_city(session)
        direct = make_url(url)
        with (
            TcpProxy(direct.host or "127.0.0.1", direct.port or 5432) as proxy,
            FakeLineApi() as api,
        ):
            proxied = direct.set(port=proxy.port).render_as_string(hide_password=False)
            app = quick(create_app(line_settings(proxied, api.url)))
            with TestClient(app) as client:
                line = LinePlatform(client, api)
                before = line.new_user()
                line.send(line.event("follow", user=before))
                line.replies(before, 1)
                assert client.get("/readyz").status_code == 200

                proxy.cut()
                during = line.new_user()
                event = line.event("follow", user=during)
                refused = line.post(line.body(event))
                assert refused.status_code == 503
                assert refused.headers["retry-after"]
                assert client.get("/readyz").status_code == 503
                assert client.get("/healthz").status_code == 200  # alive, just not ready

                proxy.restore()
                assert LinePlatform.wait(lambda: client.get("/readyz").status_code == 200)
                assert line.post(line.body(event)).status_code == 200  # LINE delivers again
                [welcome] = line.replies(during, 1, timeout=20)
                assert "110" in "\n".join(welcome)
                after = line.new_user()
                line.send(line.event("follow", user=after))
                line.replies(after, 1, timeout=20)
