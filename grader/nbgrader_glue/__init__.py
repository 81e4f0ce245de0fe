"""nbgrader glue: preprocessors and the class grading pipeline, configured through traitlets."""
