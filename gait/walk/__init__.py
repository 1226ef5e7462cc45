"""Whole-clip work, run once by ``aggregate`` on every frame's features in frame order.

The stages, in the order :func:`gait.walk.measure.measure` runs them:

1. ``camera``: the camera's path from the background's motion, its cuts and class (static,
   compensated, too strong: refused); a moving camera or cuts take a side view to the
   landmark route (``landmark_walk``) in the floor's frame;
2. ``walker``: track the blobs and choose the one person walking across;
3. ``floor`` and ``scale``: the walker's lowest pixels, the floor line, stature in pixels;
4. ``footprints``: still blocks of the floor-contact space-time image, timed per column;
5. ``passes``: one-way passes, walking backwards, steady footprints, excluded segments;
6. ``contacts``: the table of kept foot contacts (one row each, NaN where not seen);
7. ``parameters``: every temporal and spatial parameter as an array expression over it;
8. ``quality``: how far the result can be trusted.
"""
