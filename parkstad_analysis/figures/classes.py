"""The map classifications a user can ask for, in a module light enough for the command line to import.

``quantiles``, ``natural_breaks`` (Fisher–Jenks), ``equal_interval`` and ``user`` (class
bounds given); :func:`parkstad_analysis.figures.map_classes.classify` computes them with mapclassify.
"""

CLASSIFICATIONS = ("quantiles", "natural_breaks", "equal_interval", "user")
