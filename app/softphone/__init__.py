"""The softphone: a pjsua2 engine in its own process, and the window-side client that supervises it.

- `app.softphone.engine` runs inside the engine process (`frontline phone`); it alone imports pjsua2.
- `app.softphone.protocol` is the JSON-lines wire format both sides share.
- `app.softphone.client` runs in the window process (asyncio): spawns, talks to and restarts the engine.
"""
