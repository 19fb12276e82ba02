"""ferryman refuses to load in a subinterpreter.

Its native core keeps process-wide state (the host objects libraries may
call, the registered hosts) that belongs to one interpreter; a callback stored
from a subinterpreter would run in the main one. Each case runs in a child
process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import REPO

try:
    import _interpreters as interpreters  # type: ignore[import-not-found]  # 3.13+
except ImportError:
    try:
        import _xxsubinterpreters as interpreters  # type: ignore[import-not-found,no-redef]  # 3.10-3.12
    except ImportError:  # pragma: no cover
        interpreters = None

pytestmark = pytest.mark.skipif(interpreters is None, reason="no subinterpreter module")

CHILD = """
import os, sys, tempfile
try:
    import _interpreters as interpreters
except ImportError:
    import _xxsubinterpreters as interpreters
{before}
result = os.path.join(tempfile.mkdtemp(), "result")
code = '''
try:
    import ferryman
except ImportError as error:
    outcome = "ImportError: " + str(error)
else:
    outcome = "imported"
with open({{result!r}}, "w") as file:
    file.write(outcome)
'''.format(result=result)
interpreters.run_string(interpreters.create(), code)
with open(result) as file:
    print(file.read())
"""


@pytest.mark.parametrize(
    "before", ["", "import ferryman"], ids=["first import in the subinterpreter", "after the main interpreter"]
)
def test_importing_in_a_subinterpreter_is_an_import_error(before: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(before=before))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    outcome = child.stdout.strip()
    assert outcome.startswith("ImportError: "), outcome
    assert "subinterpreter" in outcome, outcome
