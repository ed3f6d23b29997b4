"""The OpenAPI schema under schemathesis (property-based API tester): generated requests for
every operation of the running service (the session's store-backed app, in-process ASGI) get no
5xx. The stream is left out: it never ends by design (tests/api/test_api_auth_stream.py)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from requests.structures import CaseInsensitiveDict
from schemathesis.core.result import Err

HEADERS = {"Authorization": "Bearer s3cret", "Host": "localhost"}
#: Generated requests per operation.
EXAMPLES = 25


def test_no_server_errors_on_any_generated_request(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=HEADERS)
    seen: list[tuple[str, str, int]] = []
    operations = 0
    for result in schema.exclude(path="/api/stream").get_all_operations():
        if isinstance(result, Err):  # an operation the schema could not give: say which
            raise result.err()
        op = result.ok()
        operations += 1

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case[Any]) -> None:
            case.headers = CaseInsensitiveDict({**case.headers, **HEADERS})
            response = case.call()
            seen.append((case.method, case.path, response.status_code))
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        check()
    assert operations >= 9 and len(seen) >= operations
