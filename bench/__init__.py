"""The Bianmin benchmark harness: real processes, load from a separate process, ratios within one run.

``python -m bench run`` (or ``make bench`` / ``make bench-quick``) starts nats-server, the six
services and the gateway, runs the scenarios of ``bench.scenarios``, prints the table and writes
``bench/results/latest.json``. See ``bench/README.md``.
"""
