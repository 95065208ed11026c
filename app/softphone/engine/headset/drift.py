"""Clock-drift compensation between two audio clocks, a millisecond slice at a time.

The headset's sound card and pjmedia's clock never tick at exactly the same rate (a USB headset
is easily 50-500 ppm off): left alone, the FIFO between them slowly fills (the trim then drops a
whole 20 ms frame, audibly) or empties (an underrun). ``DriftControl`` watches the latency of the
samples leaving a FIFO, averaged over a window of a few seconds, against the level it settled at
after start-up; when the average strays beyond a tolerance it asks for a few samples to be
dropped or repeated. ``reshape`` does that inside one frame with a short cross-fade, which is
inaudible in speech at these sizes (1-4 ms, at most once per window). The corrections are counted
apart from underruns, overruns and trims: they are the steady state working, not faults.
"""

from __future__ import annotations

import sys
from array import array


class DriftControl:
    """Decides, from the latency of the samples a consumer takes, when to drop or add samples.

    Owned by the consumer thread of one FIFO. ``observe`` returns the number of samples to drop
    (positive) or insert (negative) now; almost always 0.
    """

    def __init__(
        self, *, rate: int, window_s: float, tolerance_s: float, max_step_s: float, floor_s: float = 0.0
    ) -> None:
        self.rate = rate
        # Hold the latency above this: a consumer taking whole frames is only sure to find its
        # next frame ``latency - frame time`` ahead of need, wherever corrections have moved its
        # read position inside a frame (sub-frame slices move that position, not the pop times).
        self.floor_s = floor_s
        self.window_s = window_s
        self.tolerance_s = tolerance_s
        self.max_step = max(1, round(max_step_s * rate))
        self.reference: float | None = None  # the settled latency, seconds
        self.corrections = 0
        self.dropped_samples = 0
        self.inserted_samples = 0
        self._start: float | None = None
        self._sum = 0.0
        self._count = 0

    def rebase(self) -> None:
        """The latency jumped for a known reason (trim, underrun, new call): learn it afresh."""
        self.reference = None
        self._start = None
        self._sum = 0.0
        self._count = 0

    def observe(self, latency_s: float, now: float) -> int:
        if self._start is None:
            self._start = now
        self._sum += latency_s
        self._count += 1
        if now - self._start < self.window_s:
            return 0
        mean = self._sum / self._count
        self._start, self._sum, self._count = now, 0.0, 0
        if self.reference is None:
            self.reference = mean
            return 0
        target = max(self.reference, self.floor_s)
        if mean < max(target - self.tolerance_s, self.floor_s):
            step = min(self.max_step, max(1, round((target - mean) * self.rate)))
            self.corrections += 1
            self.inserted_samples += step
            return -step
        if mean > target + self.tolerance_s:
            above_floor = round((mean - self.floor_s) * self.rate)
            step = min(self.max_step, round((mean - target) * self.rate), above_floor)
            if step <= 0:
                return 0
            self.corrections += 1
            self.dropped_samples += step
            return step
        return 0


def reshape(frame: bytes, samples: int) -> bytes:
    """``frame`` (mono s16le) shortened by ``samples`` (> 0) or lengthened by ``-samples`` (< 0).

    Dropping: the first k samples cross-fade into the next k. Inserting: after the first k samples
    a cross-faded copy leads from sample k back to sample 0 before carrying on with sample k. Both
    join the neighbouring samples without a step. A frame shorter than 2k samples is left alone.
    """
    k = abs(samples)
    pcm = array("h")
    pcm.frombytes(frame)
    if k == 0 or len(pcm) < 2 * k:
        return frame
    if sys.byteorder == "big":
        pcm.byteswap()
    blend = array("h", bytes(2 * k))
    if samples > 0:
        for j in range(k):
            w = (j + 1) / (k + 1)
            blend[j] = round(pcm[j] * (1.0 - w) + pcm[k + j] * w)
        out = blend + pcm[2 * k :]
    else:
        for j in range(k):
            w = (j + 1) / (k + 1)
            blend[j] = round(pcm[k + j] * (1.0 - w) + pcm[j] * w)
        out = pcm[:k] + blend + pcm[k:]
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()
