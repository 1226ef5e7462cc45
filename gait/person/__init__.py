"""The person model: MediaPipe's pose detector, pose landmarks and person segmentation,
run with LiteRT on the frames of one chunk.

- :mod:`gait.person.models`: the model files (``make models``), their hashes and loading;
- :mod:`gait.person.geometry`: the body-aligned square crop and its affine maps;
- :mod:`gait.person.detector`: every person in a frame (hip centre, body scale and rotation);
- :mod:`gait.person.landmarks`: 33 landmarks and a person mask in one crop;
- :mod:`gait.person.segmentation`: a whole-frame person mask;
- :mod:`gait.person.tracker`: per-frame arrays for a chunk (detect, then track).

Importing this package loads no model: a missing file is an error when a model is built.
Measurements: ``docs/person-model-findings.md``.
"""
