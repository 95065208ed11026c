"""Demo mode: a built-in caller (a real SIP user agent in its own process) that rings the desk."""
