"""The top of the import graph: what runs the platform as a whole and knows every service by name.

`xarxa.cli` (the `xarxa` command), `xarxa.launcher` (the local platform: which services exist, their
ports, databases and migrations, how they start) and `xarxa.demo` (the demo data, loaded through the
public API). Services never import this package; `shared/` knows no service.
"""
