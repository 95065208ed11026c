"""Everything that runs inside the engine process (`frontline phone`).

`pj` (and, for the headset bridge's audio port, `headset.pjport`) are the only modules importing
pjsua2.  No Qt, SQL or domain code here.

Thread map of the engine process (names as ``threading`` / ``top -H`` show them):

- **MainThread** (`main.run`): parses options, reads the SIP password from the keyring, starts
  the others, then only waits (joins ``sip`` in 0.2 s steps so it can run signal handlers).
  SIGTERM/SIGINT put an internal ``quit`` command on the command queue and wake ``sip``.
  Owns the process's lifetime; never touches pjsua2.
- **sip** (`sipthread.Engine.run`): holds `Role.SIP` (app/thread_rules.py) from before it
  creates the pjsua2 library (so it is pjsua's "main thread", ``threadCnt=0``,
  ``mainThreadOnly=True``) until it has destroyed it.  Creates, holds and deletes every pjsua2
  object: transports, the account and the refusal account, calls, recorders, players, the audio
  backend (the headset bridge's port and beeper).  Owns the `CallBook`, the front `Gate`, the
  `AccountRegistration`.  Loop: drain the command queue, ``libHandleEvents(100)``, then the
  timers (busy answers, flooders, deferred hold/resume, registration, ring timeouts, releasing
  finished calls).  pjsua2's callbacks run here, inside ``libHandleEvents``.  Every method that
  calls into pjsua2 is `pj.sip_thread_only`: from another thread it raises in the test run.
- **stdin-reader** (`stdio.start_reader`, daemon): reads command lines from fd 0, parses them and
  puts `Command`s on the command queue (a ``queue.SimpleQueue``), then calls `Engine.wake` (a
  CRLF datagram to the engine's own UDP transport, so ``libHandleEvents`` returns at once).  A bad
  line gets its error reply straight on the output queue; end of stdin queues ``quit``.
- **stdout-writer** (`stdio.Output`, daemon): the only writer of the protocol stream (the real
  stdout; fd 1 is pointed at stderr).  Everyone emits by putting a dict on its queue; it encodes
  JSON lines, writes and flushes.
- **pjmedia clock** (created by pjsua with the null sound device; not a Python thread): runs
  the conference bridge every 20 ms.  With the headset bridge it calls
  `headset.pjport.HeadsetPort`'s frame callbacks, which hand frames to and from the bridge's
  FIFOs (`headset.core`) and touch nothing else: the documented exception to "pjsua2 only on
  the SIP thread" (the callbacks call no guarded method).
- **audio-playback / audio-capture** (or one **audio-duplex**; headset only): miniaudio's
  device threads.  Their callbacks move bytes between the sound server and the bridge's FIFOs;
  they never block and never touch pjsua2.  The ringer opens its own **audio-playback** stream
  on the ringing device while a call rings (SIP thread starts and stops it).
- **audio-watchdog** (`headset.bridge.HeadsetBridge`, headset only, daemon): every 0.2 s
  checks the device streams' callback counters, reopens a stalled stream, falls back to the
  default device and back again (under the bridge's lock, shared with the SIP thread's start and
  destroy), logs the counters.  Its device events go straight to the output queue as
  ``audio_device_changed``.  No pjsua2.

pjsip's log writer (`pj._LogWriter`) runs on whichever thread logs; it only hands text to
`logging`, whose one handler puts the record on a bounded queue: the standard library's
`QueueListener` thread (``Thread-N (_monitor)``, `main._log_without_blocking`) writes them to
stderr, which the window reads and relays into its own log.  So no thread here waits on a full
stderr pipe.
"""
