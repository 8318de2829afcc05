"""nbgrader configuration of the course's homework.

nbgrader reads this file when it runs from this folder (``cd notebooks/homework``); the wrapper
``homework.py`` next to it does that for you. Layout (nbgrader's defaults, relative to this
folder):

- ``source/<assignment>/<assignment>.ipynb``  instructor versions (in git);
- ``release/``, ``submitted/<student>/<assignment>/``, ``autograded/``, ``feedback/`` and
  ``gradebook.db``: generated, git-ignored.

Grading limits, per submission (both can be set in the environment, see README):

- ``HOMEWORK_TIMEOUT`` (default 60): seconds one cell may run. A cell that runs longer is
  interrupted and, with the rest of its notebook, scored 0 (``homework.LimitedExecute``);
- ``HOMEWORK_MEMORY_MB`` (default 2048): address-space limit of the grading kernel (Linux), so
  that unbounded allocation raises ``MemoryError`` in the student's cell instead of exhausting
  the machine.

The grading kernel runs inside bubblewrap (``sandbox.py``; ``HOMEWORK_SANDBOX``: ``auto``,
``bwrap`` or ``none``): it sees the Python install, ``course_utils`` and the student's own folder
in ``autograded/``, not ``source/``, the gradebook or other students' work. ``homework.py grade
--jobs N`` points nbgrader at a per-job course folder through ``HOMEWORK_COURSE_ROOT``.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sandbox  # noqa: E402
from homework import kernel_memory_arguments, limited_autograde_preprocessors  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.environ.get("HOMEWORK_COURSE_ROOT", HERE)
c.CourseDirectory.course_id = "natural-policy-gradient"

# nbgrader's stubs: what replaces a solution in the student version
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# grading limits
timeout = int(os.environ.get("HOMEWORK_TIMEOUT", "60"))
c.Execute.timeout = timeout
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": f"the cell ran longer than the time limit of {timeout} s and was stopped",
    "traceback": [f"\x1b[0;31mCellTimeoutError\x1b[0m: the cell ran longer than {timeout} s"],
}
c.Execute.extra_arguments = kernel_memory_arguments(
    int(os.environ.get("HOMEWORK_MEMORY_MB", "2048"))
)
c.Autograde.autograde_preprocessors = limited_autograde_preprocessors()
if sandbox.enabled():
    c.Execute.kernel_manager_class = sandbox.sandboxed_kernel_manager_class()

# the instructor's references and rubric stay with the source: never released to students
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.CourseDirectory.ignore += ["reference.py", "RUBRIC.md"]
