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

# Builds in answer cells take longer than nbgrader's 30 s default.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.ExecutePreprocessor.timeout = 300

# Feedback: hidden tests show only what HiddenTestPolicy.policy allows (score | hint | full).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "grader.nbgrader_glue.hidden_policy.HiddenTestPolicy",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HiddenTestPolicy.policy = "hint"
