"""Whole-frame person segmentation with MediaPipe's ``selfie_segmentation_landscape.tflite``.

The model reads the frame squeezed to 256x144 RGB in [0, 1] (no letterbox: MediaPipe's
selfie-segmentation graph stretches the image) and returns a person probability per cell.
It marks every person in the frame, not one, at about 1/4 to 1/7 of the analysis size.
"""

from __future__ import annotations

import cv2
import numpy as np

from gait.person.models import SELFIE_SEGMENTATION_LANDSCAPE, load_interpreter

#: The model's input size (width, height), in pixels.
INPUT_SIZE_PX = (256, 144)
#: Probability above which a cell is a person.
MASK_THRESHOLD = 0.5


class PersonSegmenter:
    """Person probability over a whole BGR frame (one LiteRT interpreter, one thread)."""

    def __init__(self) -> None:
        self._interpreter = load_interpreter(SELFIE_SEGMENTATION_LANDSCAPE)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]

    def probability(self, image_bgr: np.ndarray) -> np.ndarray:
        """``(144, 256)`` float32 person probability in [0, 1] over ``image_bgr``'s whole area
        (cell ``(r, c)`` covers image rows ``r * h / 144`` onwards, columns ``c * w / 256``)."""
        small = cv2.resize(image_bgr, INPUT_SIZE_PX, interpolation=cv2.INTER_AREA)
        tensor = cv2.cvtColor(small, cv2.COLOR_BGR2RGB).astype(np.float32)[None] / 255.0
        self._interpreter.set_tensor(self._input, tensor)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output)[0, :, :, 0].copy()
