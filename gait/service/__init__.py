"""What the Function App needs beyond the analysis: storage, records, HTTP shapes, health.

The only package that knows Azure. ``function_app.py`` binds routes and triggers to the
functions here; the analysis itself stays in :mod:`gait.pipeline`.
"""
