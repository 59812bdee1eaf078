"""Alembic migrations of the tracker (a package so that they ship in wheels)."""
