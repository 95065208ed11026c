"""Bounded single-producer / single-consumer FIFO of fixed-size PCM frames.

One thread only pushes (a device callback or pjmedia's clock thread), one thread only pops. Both
sides are O(1) deque operations that are atomic under the GIL, every counter has exactly one
writing thread, and nothing here ever blocks: a full FIFO drops its oldest frame (an overrun), an
empty one yields None (an underrun) and the consumer plays silence instead.

Faults are counted only while the FIFO is ``active`` (a call is connected: with no call, pjmedia
stops asking for microphone frames and the FIFO simply idles) and not while it settles: the first
``settle_pops`` pops after a (re)start see the device's start-up bursts and gaps, which are
counted apart (``startup_underruns``/``startup_trims``) so the steady-state figures mean what
they say.

Start-up latency trim: the consumer tracks the smallest depth it saw over a window of pops; if
even that minimum stayed above the target depth, those extra frames were never needed and only
added delay (the 150-200 ms burst a sound server delivers in the first seconds), so they are
dropped at once. The target is the prefill plus a ``margin`` the FIFO learns: one frame more
after an underrun, or after a near miss while settling (a frame popped within ``near_miss_s`` of
its arrival: the two clocks tick almost together, and any scheduling jitter will reorder them).
Trimming back to the bone after the machine showed it needs the margin would trade latency for a
glitch every few seconds (seen here: an underrun and a trim every 10 s), so the margin stays for
the bridge's life unless ``calm_pops`` pops go by without trouble. Slow clock drift is not the
trim's business: ``core.FrameDrain`` corrects it a millisecond at a time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FrameFifo:
    """SPSC frame queue with prefill, overrun/underrun counters and a latency trim."""

    def __init__(
        self,
        *,
        capacity_frames: int,
        prefill_frames: int,
        trim_window_pops: int = 50,
        trim_slack_frames: int = 0,
        settled_slack_frames: int = 0,
        calm_pops: int = 0,
        settle_pops: int = 0,
        max_margin_frames: int = 2,
        near_miss_s: float = 0.004,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < prefill_frames < capacity_frames:
            raise ValueError("prefill must be positive and below the capacity")
        self._frames: deque[bytes] = deque(maxlen=capacity_frames)
        self.clock = clock
        self._prefill = prefill_frames
        self._trim_window = trim_window_pops
        self._trim_slack = trim_slack_frames
        self._settled_slack = settled_slack_frames
        self._calm_pops = calm_pops  # 0: the learned margin never decays
        self._settle_pops = settle_pops
        self._max_margin = max_margin_frames
        self._near_miss_s = near_miss_s
        self._pops_since_underrun = 0
        self.margin = 0  # consumer-owned: frames kept beyond the prefill
        self.near_misses = 0
        # controlling thread (connect/disconnect of calls)
        self.active = True
        self._restarts = 0
        # producer-owned
        self.pushed = 0
        self.overruns = 0
        self.last_push = 0.0  # time.monotonic() of the newest frame (read by the consumer)
        # consumer-owned
        self.popped = 0
        self.underruns = 0
        self.startup_underruns = 0
        self.trims = 0
        self.startup_trims = 0
        self.trimmed_frames = 0  # by the steady-state trims
        self.resyncs = 0  # bumped on every underrun and trim: the depth jumped, not drifted
        self._seen_restarts = 0
        self._life_pops = 0
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

    @property
    def settled(self) -> bool:
        """Consumer side: past the start-up period of the current run."""
        return self._life_pops >= self._settle_pops

    # controlling thread ---------------------------------------------------------------------
    def restart(self) -> None:
        """A call (re)connected: count faults again after a fresh prime and settling period."""
        self._restarts += 1
        self.active = True

    def pause(self) -> None:
        """No call connected: the FIFO idles; nothing it does now is a fault."""
        self.active = False
        self._expect_gap = True  # a lost race with the consumer only miscounts one underrun

    def expect_gap(self) -> None:
        """Consumer-side hint: the producer is about to stop on purpose (call ended), the next
        empty FIFO is not a glitch. Safe to call from the controlling thread: a lost race only
        miscounts one underrun."""
        self._expect_gap = True

    # producer -------------------------------------------------------------------------------
    def push(self, frame: bytes) -> None:
        """Producer side: never blocks; on a full FIFO the oldest frame is dropped and counted."""
        frames = self._frames
        if len(frames) == frames.maxlen and self.active:
            self.overruns += 1
        frames.append(frame)
        self.pushed += 1
        self.last_push = self.clock()

    # consumer -------------------------------------------------------------------------------
    def pop(self) -> bytes | None:
        """Consumer side: the next frame, or None while (re)priming or on an underrun."""
        frames = self._frames
        if self._seen_restarts != self._restarts:
            self._seen_restarts = self._restarts
            self.resyncs += 1
            self._life_pops = 0
            self._primed = False
            self._expect_gap = True
        depth = len(frames)
        target = self._prefill + self.margin
        if not self._primed:
            if depth < target:
                return None
            self._primed = True
            self._expect_gap = False
            self._window_pops = 0
            self._window_min = depth
        if depth == 0:
            if not self._expect_gap and self.active:
                if self._life_pops >= self._settle_pops:
                    self.underruns += 1
                else:
                    self.startup_underruns += 1
                self._widen()
                self.resyncs += 1
            self._primed = False
            return None
        settling = self._life_pops < self._settle_pops
        if (
            settling
            and depth == 1  # the frame popped now is the one that just arrived
            and self.margin < self._max_margin
            and self.active
            and self.clock() - self.last_push < self._near_miss_s
        ):
            # Popping a frame that only just arrived: keep one more from now on (re-prime).
            self.near_misses += 1
            self._widen()
            self.resyncs += 1
            self._primed = False
            return None
        self._window_min = min(self._window_min, depth)
        self._window_pops += 1
        self._pops_since_underrun += 1
        self._life_pops += 1
        if self._calm_pops and self.margin and self._pops_since_underrun >= self._calm_pops:
            self.margin -= 1
            self._pops_since_underrun = 0
        if self._window_pops >= self._trim_window:
            self._trim()
        self.popped += 1
        return frames.popleft()

    def _widen(self) -> None:
        self._pops_since_underrun = 0
        if self.margin < self._max_margin:
            self.margin += 1

    def _trim(self) -> None:
        frames = self._frames
        # Once settled, a frame above the target may be drift compensation's to manage (it holds
        # the latency above a frame time); only a bigger excess is a burst to cut.
        slack = self._trim_slack + (self._settled_slack if self._life_pops >= self._settle_pops else 0)
        excess = self._window_min - self._prefill - self.margin - slack
        if excess > 0:
            for _ in range(excess):
                frames.popleft()
            if not self.active:
                pass  # idling between calls: nothing to count
            elif self._life_pops >= self._settle_pops:
                self.trims += 1
                self.trimmed_frames += excess
            else:
                self.startup_trims += 1
            self.resyncs += 1
        self._window_pops = 0
        self._window_min = len(frames)
