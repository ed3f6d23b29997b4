"""A catalogue without the identity/store tables answers "nothing known"; a broken query over
tables that exist is a bug and raises (issue 10: ``except Exception: return empty`` once turned
any SQL error into "no identity")."""

from __future__ import annotations

import duckdb
import pytest

from skywitness.identify import ensure_schema, identify
from skywitness.identify.filter import IdentityQuery
from skywitness.identify.query import recent_activity, resolve
from skywitness.identify.store_schema import current_facts_many, imported_operator


def test_an_empty_catalogue_is_no_error() -> None:
    con = duckdb.connect()
    assert current_facts_many(con, ["1551e0"]) == {}
    assert imported_operator(con, "RFF") is None
    assert recent_activity(con, "1551e0") == {}
    assert [m.how for m in resolve(con, "RFF7073")] == ["callsign"]
    ident = identify(con, "1551e0", "RFF7073")  # the built-in facts still apply
    assert (ident.country_iso2, ident.classification) == ("RU", "military")
    assert IdentityQuery(operator=("RFF",)).matches(ident)


def test_a_broken_identity_table_raises() -> None:
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("ALTER TABLE aircraft_facts DROP COLUMN valid_until")  # a schema bug
    with pytest.raises(duckdb.BinderException):
        current_facts_many(con, ["1551e0"])
    with pytest.raises(duckdb.BinderException):
        identify(con, "1551e0")
    con.execute("ALTER TABLE operator_facts DROP COLUMN valid_until")
    with pytest.raises(duckdb.BinderException):
        imported_operator(con, "RFF")


def test_a_broken_store_table_raises() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE flights (icao24 VARCHAR)")  # no flight_id, callsign, ...
    with pytest.raises(duckdb.BinderException):
        recent_activity(con, "1551e0")
    con.execute("CREATE TABLE states (icao24 VARCHAR)")  # no callsign column
    with pytest.raises(duckdb.BinderException):
        resolve(con, "RFF7073")
