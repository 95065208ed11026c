"""Bounded single-producer / single-consumer FIFO of fixed-size PCM frames.

One thread only pushes (a device callback or pjmedia's clock thread), one thread only pops. Both
sides are O(1) deque operations that are atomic under the GIL, every counter has exactly one
writing thread, and nothing here ever blocks: a full FIFO drops its oldest frame (an overrun), an
empty one yields None (an underrun) and the consumer plays silence instead.

Start-up latency trim: the consumer tracks the smallest depth it saw over a window of pops; if
even that minimum stayed above the prefill target, those extra frames were never needed and only
added delay (the 150-200 ms burst a sound server delivers in the first seconds), so they are
dropped at once. After an underrun the trim keeps one frame more for a while (``calm_pops``):
trimming to the bone right after the machine showed it needs the margin only trades latency for
a glitch every second or so.
"""

from __future__ import annotations

from collections import deque


class FrameFifo:
    """SPSC frame queue with prefill, overrun/underrun counters and a latency trim."""

    def __init__(
        self,
        *,
        capacity_frames: int,
        prefill_frames: int,
        trim_window_pops: int = 50,
        trim_slack_frames: int = 0,
        calm_pops: int = 500,
    ) -> None:
        if not 0 < prefill_frames < capacity_frames:
            raise ValueError("prefill must be positive and below the capacity")
        self._frames: deque[bytes] = deque(maxlen=capacity_frames)
        self._prefill = prefill_frames
        self._trim_window = trim_window_pops
        self._trim_slack = trim_slack_frames
        self._calm_pops = calm_pops
        self._pops_since_underrun = calm_pops
        # producer-owned
        self.pushed = 0
        self.overruns = 0
        # consumer-owned
        self.popped = 0
        self.underruns = 0
        self.trims = 0
        self.trimmed_frames = 0
        self._primed = False
        self._expect_gap = True
        self._window_pops = 0
        self._window_min = capacity_frames

    @property
    def depth(self) -> int:
        """Frames waiting now (a snapshot; any thread may read it)."""
        return len(self._frames)

    @property
    def prefill(self) -> int:
        return self._prefill

    def push(self, frame: bytes) -> None:
        """Producer side: never blocks; on a full FIFO the oldest frame is dropped and counted."""
        frames = self._frames
        if len(frames) == frames.maxlen:
            self.overruns += 1
        frames.append(frame)
        self.pushed += 1

    def pop(self) -> bytes | None:
        """Consumer side: the next frame, or None while (re)priming or on an underrun."""
        frames = self._frames
        depth = len(frames)
        if not self._primed:
            if depth < self._prefill:
                return None
            self._primed = True
            self._expect_gap = False
            self._window_pops = 0
            self._window_min = depth
        if depth == 0:
            if not self._expect_gap:
                self.underruns += 1
                self._pops_since_underrun = 0
            self._primed = False
            return None
        self._window_min = min(self._window_min, depth)
        self._window_pops += 1
        self._pops_since_underrun += 1
        if self._window_pops >= self._trim_window:
            slack = self._trim_slack + (1 if self._pops_since_underrun < self._calm_pops else 0)
            excess = self._window_min - self._prefill - slack
            if excess > 0:
                for _ in range(excess):
                    frames.popleft()
                self.trims += 1
                self.trimmed_frames += excess
            self._window_pops = 0
            self._window_min = len(frames)
        self.popped += 1
        return frames.popleft()

    def expect_gap(self) -> None:
        """Consumer-side hint: the producer is about to stop on purpose (call ended), the next
        empty FIFO is not a glitch. Safe to call from the controlling thread: a lost race only
        miscounts one underrun."""
        self._expect_gap = True
