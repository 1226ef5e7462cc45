"""Whole-clip work, run once by ``aggregate`` on every frame's features in frame order.

:func:`gait.walk.measure.measure` runs the stages in this order:

1. ``camera``: the camera's path from the background's motion, its cuts and class (static,
   compensated, too strong: refused);
2. ``person_walker``: the people the person model followed, linked over the clip; the one
   who steps is the walker;
3. ``views`` (:func:`gait.walk.measure.plan_route`): the view of the walker picks the route,
   with the camera: a static overground side view the footprints, a treadmill, a moving
   camera or cuts the landmarks in the floor's frame, a frontal or back view the feet's gap;
4. the route: ``footprint_route`` (``walker``, ``floor`` and ``scale``, ``footprints``,
   ``passes``, ``contacts``, checked by ``event_check``) or ``landmark_route``
   (``landmark_walk`` or ``frontal_walk``, then ``contacts``), each naming the feet
   (``sides``) and measuring the angles (``joint_angles``);
5. ``parameters`` and ``self_checks`` (``checked_parameters``, every route): every temporal
   and spatial parameter as an array expression over the contacts table, checked against
   its own evidence;
6. ``quality``: how far the result can be trusted.
"""
