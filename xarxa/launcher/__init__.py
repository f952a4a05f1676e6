"""The local platform: the services it runs, the infrastructure it starts for them, and how."""
