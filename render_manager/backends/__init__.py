"""Every render service behind one protocol (protocol.py), with its optional abilities: one
module per remote API, and the local engine (local.py).

`factory.make_backend` turns a connection into its back-end and `rules.rules_for` gives what
each service's module says of it before connecting; nothing outside this package names a
concrete back-end.
"""
