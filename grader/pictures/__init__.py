"""Pictures of live engine state for the notebooks (HTML/SVG, escaped)."""
