"""The softphone: a pjsua2 engine in its own process, and the window's side that supervises it.

Which process a module runs in shows in its path:

- `app.softphone.engine` runs only inside the engine process (`frontline phone`); it alone imports
  pjsua2.  `engine.headset` is its sound-device bridge (miniaudio), `engine.main` its command line.
- `app.softphone.desk` runs only in the window's process (and `frontline doctor`): the client that
  spawns, talks to and restarts the engine, the device settings the window edits, the doctor checks.
- Shared by both, pure: `protocol` (the JSON-lines wire format), `events` (everything the engine can
  tell the window, typed) and `sound_devices` (the machine's sound devices by name).
"""
