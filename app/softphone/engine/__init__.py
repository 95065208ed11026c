"""Everything that runs inside the engine process (`frontline phone`).

Thread map: the process's main thread parses options, starts the threads and waits for signals;
`io` runs the stdin reader and stdout writer threads; `sipthread` is the one thread that owns every
pjsua2 object (`pj` is the only module importing pjsua2).  No Qt, SQL or domain code here.
"""
