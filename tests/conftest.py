"""Test set-up that must run before anything imports xlwings.

XLWINGS_ON_SERVER makes `xlwings.func` the Office.js implementation (the code xlwings Lite and
xlwings Server run), so the tests exercise the real registration and call path on Linux.
The value `noncommercial` is xlwings PRO's PolyForm Noncommercial licence key, accepted offline:
it is used only by these tests (see README, "Licences").
"""

import os
import tempfile

import pytest

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
# Tests never read or write the user's real price store.
os.environ["FT_BREAKEVEN_HOME"] = tempfile.mkdtemp(prefix="ft-breakeven-test-store-")


@pytest.fixture
def no_second_source(monkeypatch):
    """Refresh tests plant moves (gpt-4o input +20%) to test the other guards; genai-prices would
    rightly hold them. The cross-check on a refresh is tested in tests/test_crosscheck.py."""
    from pricing.prices import refresh_plan

    monkeypatch.setattr(refresh_plan, "CROSS_CHECK", False)


@pytest.fixture
def no_backoff(monkeypatch):
    """Downloads retry at once: the retries are tested, not the waiting between them."""
    from pricing.prices import fetch

    monkeypatch.setattr(fetch, "RETRY_BACKOFF", 0.0)


@pytest.fixture
def store(tmp_path):
    """A price store folder that does not exist yet (the first save makes it)."""
    return tmp_path / "store"


@pytest.fixture(scope="module")
def server():
    """A loopback HTTP server that serves registry files the test hands it (no internet here)."""
    from tests.test_refresh_support import local_server

    with local_server() as srv:
        yield srv


@pytest.fixture(scope="session")
def runtime_files(tmp_path_factory):
    """Each runtime's file, built once per session with the CLI under its default name (tests
    only read them; a test that edits one works on a copy)."""
    from workbook.runtimes import DEFAULT_OUTPUT, RUNTIMES
    from xl_addin.cli import main

    folder = tmp_path_factory.mktemp("runtimes")
    files = {runtime: folder / DEFAULT_OUTPUT[runtime] for runtime in RUNTIMES}
    for runtime, path in files.items():
        assert main(["build", "--runtime", runtime, "-o", str(path)]) == 0, runtime
    return files
