"""Per-frame work, run by ``analyze_chunk`` on every decoded frame independently.

``segment``: the background model (built once by ``plan``) and the foreground against it;
``features``: each frame reduced to a few KB of arrays (blobs, floor-contact profile).
"""
