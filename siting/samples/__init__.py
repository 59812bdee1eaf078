"""Data that is generated, never official, and labelled so wherever it appears.

- :mod:`siting.samples.bundled`: the bundled SAMPLE data in ``data/sample/``;
- :mod:`siting.samples.synthetic`: synthetic existing offices for a workspace that has none;
- :mod:`siting.samples.hand`: a small hand-built workspace with known answers (tests, doctests);
- :mod:`siting.samples.instances`: seeded synthetic siting instances (tests, benchmarks);
- :mod:`siting.samples.tracker`: the SAMPLE tracker database with demo accounts.
"""
