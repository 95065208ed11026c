"""The domain: customers, calls, tickets and their rules.  No Qt, no SQL, no pjsua2 here."""
