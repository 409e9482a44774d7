"""A schema-driven fuzz run of the whole API (schemathesis), as a 市委组织部 user and as a township clerk.

Every operation of the OpenAPI schema the portal serves is called with ~20 generated requests, valid
and invalid, through Django's WSGI application on the demo data; each answer must be no 5xx, a
status code the schema documents for the operation, the content type it documents and a body that
matches the documented schema. Repeatable: the examples are derandomized (a fixed seed).
"""

import io
import json
import re

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from organisation.models import AssessmentKind
from organisation.services import assessment_compute
from villages.models import Township
from villages.services import income_urge_township

# The demo accounts the run uses: the whole city, and 乐坪街道's clerk (one township of 娄星区).
USERS = {"city": "city", "clerk": "town-431302001"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 20

# The schema /api/schema/ serves (same generator and renderer), loaded without a request.
_SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(
    _SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "deterministic": True, "database": "none"},
            # Only the bounded, seeded phase: the coverage phase's cases are not bounded by max_examples.
            "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}},
        }
    ),
)


class InTestTransactionApp:
    """Django's WSGI application, called in the test's transaction, each request in a savepoint
    that is rolled back: no example sees another's writes. Like Django's test client, it keeps the
    test's connection open across requests (request signals would close it); throttle counters and
    lockouts are reset for each request, so a run of hundreds of calls is never answered 429 for
    its volume (tests/portal/test_login_security.py checks both)."""

    def __init__(self):
        self.app = get_wsgi_application()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            cache.clear()
            with transaction.atomic():
                response = self.app(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    response.close()
                transaction.set_rollback(True)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


APP = InTestTransactionApp()

# Path parameters of records that exist in the user's scope, read from the collection's list:
# random ids alone would almost only reach 404s.
KNOWN: dict[str, dict[str, list]] = {}
_current = {"role": None}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = KNOWN.get(_current["role"], {}).get(context.operation.path, [])
    if not known or not path_parameters:
        return st.just(path_parameters)
    return st.one_of(st.sampled_from([{**path_parameters, **k} for k in known]), st.just(path_parameters))


def _collection(path: str) -> tuple[str, str] | None:
    match = re.match(r"^(/api/[^{}]+/)\{(\w+)\}/", path)
    return (match.group(1), match.group(2)) if match else None


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data and a token per user, once for the module, rolled back at its end."""
    from werkzeug.test import Client

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=io.StringIO())
        # What the demo lacks, so that every list has rows: an acceptance run, a 考核 sheet, a notification.
        call_command("run_acceptance", "--year", "2024", stdout=io.StringIO())
        city = get_user_model().objects.get(username=USERS["city"])
        assessment_compute(user=city, year=2024, kind=AssessmentKind.COUNTY)
        income_urge_township(user=city, township=Township.objects.get(code="431302001"), year=2025)
        tokens = {}
        for role, username in USERS.items():
            user = get_user_model().objects.get(username=username)
            tokens[role] = Token.objects.create(user=user).key
            client = Client(APP)
            KNOWN[role] = {}
            for path in _SCHEMA["paths"]:
                found = _collection(path)
                if not found:
                    continue
                collection, name = found
                answer = client.get(collection, headers={"Authorization": f"Token {tokens[role]}"})
                if answer.status_code != 200:
                    continue
                data = json.loads(answer.get_data())
                rows = data["results"] if isinstance(data, dict) else data
                KNOWN[role][path] = [{name: row[name]} for row in rows[:5] if name in row]
        yield tokens
        transaction.set_rollback(True)


@pytest.fixture
def as_role(request, demo_tokens, db):
    role = request.node.callspec.params["role"]
    _current["role"] = role
    yield {"Authorization": f"Token {demo_tokens[role]}"}
    _current["role"] = None


@pytest.mark.parametrize("role", list(USERS))
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, role, as_role):
    case.call_and_validate(headers=as_role, checks=CHECKS, app=APP)
