"""Two replicas, each a real app + Rasa pair, behind Debian's HAProxy with deploy/haproxy.cfg,
sharing PostgreSQL (the app's database, Rasa's tracker store) and Redis (Rasa's lock store, the
rate-limit counts). Everything goes through the balancer, which sends the turns of a
conversation to the replicas in turn: forms, FAQ answers, decisions and notices carry on across
them, nothing is lost, reordered or stored twice."""

import contextlib
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy
import yaml
from sqlalchemy import select

from bot.identity_seal import IdentitySeal
from bot.launcher import free_port
from bot.rasa_sessions import SESSION_START
from bot.settings import PROJECT_ROOT, get_settings
from bot.storage.database import Database
from bot.storage.models import Agreement
from tests.conftest import (
    chat_client,
    postgres_admin,
    postgres_schema,
    start_stack,
    tail,
)
from tests.integration.test_agreement_flow import Chat, Conversation, fill_form

pytestmark = pytest.mark.slow

HAPROXY_CONFIG = PROJECT_ROOT / "deploy" / "haproxy.cfg"
REPLICA_HEADER = "X-Distansguiden-Replica"
REPLICAS = {"replica-1", "replica-2"}
REDIS_URL = "redis://127.0.0.1:6379/0"
FAQ_COSTS = "Vilka kostnader står arbetsgivaren för?"
REJECTION_REASON = "Verksamheten behöver dig på plats under våren"


@dataclass
class Balancer:
    """HAProxy in front of the replicas; remembers what each conversation sent and which replica
    answered each turn."""

    url: str
    token: str
    tracker_store: sqlalchemy.Engine
    app_db: Database
    sent: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    served: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def chat(self) -> Chat:
        send = chat_client(self)

        def chat(message: str, conversation_id: str = "test", user: str | None = None) -> Any:
            response = send(message, conversation_id=conversation_id, user=user)
            self.sent[conversation_id].append(message)
            self.served[conversation_id].append(response.headers.get(REPLICA_HEADER, "none"))
            return response

        return chat

    def assert_went_back_and_forth(self, conversation: Conversation) -> None:
        """Each turn on the other replica than the one before, so the conversation ends on the
        other replica from where it started."""
        served = self.served[conversation.id]
        assert set(served) == REPLICAS, served
        assert all(a != b for a, b in itertools.pairwise(served)), served
        assert served[0] != served[-1], served

    def assert_rasa_heard_every_turn_in_order(self, conversation: Conversation) -> None:
        """The shared tracker store holds the conversation's messages once each, as sent."""
        sender = IdentitySeal(self.token).sender_id(conversation.user, conversation.id)
        with self.tracker_store.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' "
                    "ORDER BY id"
                ),
                {"sender": sender},
            ).scalars()
            heard = [json.loads(data)["text"] for data in rows]
        assert [text for text in heard if text != SESSION_START] == self.sent[conversation.id]


def haproxy_executable() -> str:
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.access(found, os.X_OK):
        pytest.skip("HAProxy is not installed (`make loadbalancer` installs it as root)")
    return found


def redis_reachable() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {error}")


@contextlib.contextmanager
def private_database() -> Iterator[str]:
    """A database of its own for Rasa's tracker store (which takes no search_path), dropped
    afterwards; yields its name."""
    name = f"dg_replicas_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def haproxy(executable: str, stacks: list[Any], log: Path) -> Iterator[str]:
    """HAProxy with the repository's configuration in front of ``stacks``; yields its URL once
    it has passed requests to every replica."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DISTANSGUIDEN_BIND": f"127.0.0.1:{port}",
        **{
            f"DISTANSGUIDEN_REPLICA_{n}": f"127.0.0.1:{stack.app_port}"
            for n, stack in enumerate(stacks, start=1)
        },
    }
    if os.geteuid() != 0:
        env["DISTANSGUIDEN_LB_KEEP_USER"] = "1"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [executable, "-f", str(HAPROXY_CONFIG), "-db"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 30
        while seen != REPLICAS:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"HAProxy did not pass requests to both replicas\n{tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                seen.add(httpx.get(f"{url}/health/ready", timeout=5).headers[REPLICA_HEADER])
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def balancer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Balancer]:
    executable = haproxy_executable()
    redis_reachable()
    token = secrets.token_urlsafe(32)
    with contextlib.ExitStack() as cleanup:
        tracker_db = cleanup.enter_context(private_database())
        app_db = cleanup.enter_context(postgres_schema(migrate=False))
        cleanup.callback(get_settings.cache_clear)
        # The launcher writes Rasa's endpoints from these, and both processes inherit them:
        # one token, one tracker store, one Redis for both replicas.
        patch = cleanup.enter_context(pytest.MonkeyPatch.context())
        patch.setenv("DG_ACTION_TOKEN", token)
        patch.setenv(
            "DG_RASA_TRACKER_STORE_URL", f"postgresql://postgres@127.0.0.1:5432/{tracker_db}"
        )
        patch.setenv("DG_REDIS_URL", REDIS_URL)
        get_settings.cache_clear()
        stacks = []
        # One after the other: the first Rasa creates the tracker store's tables and the first
        # app migrates the database, with nobody racing them.
        for n in (1, 2):
            run_dir = tmp_path_factory.mktemp(f"replica-{n}")
            running = start_stack("vastmanland", run_dir, {"DATABASE_URL": app_db.url})
            cleanup.callback(running.stop)
            stacks.append(running)
        url = cleanup.enter_context(
            haproxy(executable, stacks, tmp_path_factory.mktemp("haproxy") / "haproxy.log")
        )
        for running in stacks:
            endpoints = yaml.safe_load((running.run_dir / "endpoints.yml").read_text())
            assert endpoints["tracker_store"]["db"] == tracker_db
            assert endpoints["lock_store"]["type"] == "redis"
        tracker_store = sqlalchemy.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:5432/{tracker_db}"
        )
        cleanup.callback(tracker_store.dispose)
        yield Balancer(url, token, tracker_store, app_db)


def stored_agreements(db: Database, employee: str) -> list[Agreement]:
    with db.session() as session:
        return list(session.scalars(select(Agreement).where(Agreement.employee_id == employee)))


def test_an_agreement_request_goes_back_and_forth_is_stored_once_and_decided(
    balancer: Balancer,
) -> None:
    chat = balancer.chat()
    employee = Conversation(chat, user="anna.andersson")
    assert "Källa:" in employee.say("Får jag jobba från sommarstugan?")
    summary = fill_form(employee)
    assert "Andel på distans: 40 % av arbetstiden" in summary
    assert "Bildskärm, Headset" in summary
    done = employee.say("/affirm")
    reference = re.search(r"referensnummer (DA-\d{4}-\d{5})", done)
    assert reference is not None, done
    assert "Maria Berg beslutar" in done

    [agreement] = stored_agreements(balancer.app_db, "anna.andersson")
    assert agreement.reference == reference[1]
    assert (agreement.share_percent, agreement.place_kind, agreement.place_description) == (
        40,
        "home",
        "Hemma",
    )
    assert (agreement.start_date, agreement.end_date) == (employee.start, employee.end)
    assert agreement.tasks == "Utredningar och rapportskrivning"
    assert agreement.equipment == ["Bildskärm", "Headset"]
    assert agreement.it_security_confirmed
    assert (agreement.manager_id, agreement.status) == ("maria.berg", "submitted")

    # Each notice reaches its reader once, whichever replica they come back to.
    manager = Conversation(chat, user="maria.berg")
    shown = manager.say("visa mina ansökningar")
    assert f"{reference[1]} från Anna Andersson" in shown
    decided = manager.say(f"avslå Annas ansökan. {REJECTION_REASON}")
    assert f"{reference[1]} är avslagen" in decided
    assert (shown + decided).count("Anna Andersson har ansökt om distansarbete") == 1
    balancer.assert_went_back_and_forth(manager)

    mine = employee.say("visa mina ansökningar")
    assert f"{reference[1]}: 40 %" in mine and "status: avslagen" in mine
    answer = employee.say(FAQ_COSTS)
    assert "Arbetsgivaren står inte för kostnader" in answer
    assert (mine + answer).count(f"Din ansökan {reference[1]} om distansarbete avslogs") == 1
    balancer.assert_went_back_and_forth(employee)

    [decided_agreement] = stored_agreements(balancer.app_db, "anna.andersson")
    assert decided_agreement.id == agreement.id
    assert (decided_agreement.status, decided_agreement.decided_by) == ("rejected", "maria.berg")
    assert decided_agreement.decision_reason == REJECTION_REASON
    balancer.assert_rasa_heard_every_turn_in_order(employee)
    balancer.assert_rasa_heard_every_turn_in_order(manager)


def test_an_faq_question_inside_the_form_on_the_other_replica_then_the_form_goes_on(
    balancer: Balancer,
) -> None:
    c = Conversation(balancer.chat(), user="erik.ek")
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    assert "Var ska du arbeta" in c.say("hälften")
    answer = c.say(FAQ_COSTS)
    assert "Arbetsgivaren står inte för kostnader" in answer
    assert "Var ska du arbeta" in answer
    assert "Från vilket datum" in c.say("Hemma")
    balancer.assert_went_back_and_forth(c)
    balancer.assert_rasa_heard_every_turn_in_order(c)
    assert stored_agreements(balancer.app_db, "erik.ek") == []


def test_a_form_opened_after_a_long_faq_talk_goes_on_across_replicas(balancer: Balancer) -> None:
    c = Conversation(balancer.chat(), user="erik.ek")
    # Past the test stacks' 12 events in a session, so each replica marks a rest point after
    # its FAQ answers.
    for question in [
        "Får jag jobba från sommarstugan?",
        "Vem betalar min internetuppkoppling?",
    ] * 2:
        assert "Källa:" in c.say(question)
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    assert "Var ska du arbeta" in c.say("40%")
    balancer.assert_rasa_heard_every_turn_in_order(c)
