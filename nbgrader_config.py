"""nbgrader configuration of the course: the chapter folders are the source assignments."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader

here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "docker-course"
c.CourseDirectory.root = os.environ.get("DOCKER_COURSE_NBGRADER_ROOT", here)
c.CourseDirectory.source_directory = os.environ.get("DOCKER_COURSE_SOURCE", os.path.join(here, "course"))
c.CourseDirectory.db_url = os.environ.get(
    "DOCKER_COURSE_GRADEBOOK", "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
)
# Folders the notebooks write (answers, demonstrations) never go into a release or a grading kit.
# The class exchange (grader/nbgrader_glue/exchange_layout.py): release to the shared outbound,
# collect from each learner's own folder, feedback into each learner's own folder.
from grader.nbgrader_glue.exchange import instructor_exchange  # noqa: E402

instructor_exchange(c)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hadolint*", "ex[0-9]", "demo"]

# Dockerfile and shell answer cells get stubs in their own language.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "grader.nbgrader_glue.clear_solutions.ClearSolutionsWithStubs",
    "grader.nbgrader_glue.strip_answer_metadata.StripAnswerMetadata",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Builds in answer cells take longer than nbgrader's 30 s default (per cell; a grading run may
# set it through DOCKER_COURSE_CELL_TIMEOUT).
c.Execute.timeout = int(os.environ.get("DOCKER_COURSE_CELL_TIMEOUT", "300"))
c.Execute.interrupt_on_timeout = True
c.ExecutePreprocessor.timeout = c.Execute.timeout

# Autograde with GradingExecute instead of nbgrader's Execute: a dead kernel or a runaway cell
# costs only that cell (the rest of the notebook is graded), output and time are bounded
# (GradingExecute.notebook_timeout, max_output_bytes, max_notebook_output_bytes).
c.Autograde.autograde_preprocessors = [
    "grader.nbgrader_glue.execute.GradingExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Demonstrations (cells tagged demo) are not run again in grading while a notebook is as released:
# listed in a grading kit's demo_cells.json, else read from the source notebooks.
_demos = os.path.join(here, "demo_cells.json")
c.GradingExecute.demo_list = _demos if os.path.exists(_demos) else c.CourseDirectory.source_directory
if os.environ.get("DOCKER_COURSE_NOTEBOOK_TIMEOUT"):
    c.GradingExecute.notebook_timeout = int(os.environ["DOCKER_COURSE_NOTEBOOK_TIMEOUT"])
# Deleted check cells come back from the gradebook (and score as nbgrader scores them); a duplicated
# one is graded once (nbgrader's DeduplicateIds would leave metadata its own validator rejects).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "grader.nbgrader_glue.dedupe.DeduplicateGradeIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback: hidden tests show only what HiddenTestPolicy.policy allows (score | hint | full).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "grader.nbgrader_glue.hidden_policy.HiddenTestPolicy",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HiddenTestPolicy.policy = "hint"
