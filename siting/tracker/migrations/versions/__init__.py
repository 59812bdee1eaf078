"""Revision files of the tracker's schema."""
