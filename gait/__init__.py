"""Gait analysis from a side-view walking video: OpenCV and NumPy, no neural model.

The analysis is three steps, the whole interface the CLI and the Azure orchestration call:
:func:`gait.pipeline.plan`, :func:`gait.pipeline.analyze_chunk` and
:func:`gait.pipeline.aggregate`. This package knows nothing about Azure.
"""
