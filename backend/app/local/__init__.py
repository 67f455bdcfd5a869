"""The local profile's machinery (``APP_ENV=local``): embedded servers, identity emulator, whole stack.

Production never imports this package; only the CLI's ``up`` command, the tests and the benchmarks do.
"""
