"""One module per render API behind one protocol (protocol.py), with its optional abilities.

`factory.make_backend` turns a connection into its back-end and `rules.rules_for` gives what
each service's module says of it before connecting; nothing outside this package names a
concrete back-end.
"""
