"""Registers (issue 19): hazardous water points and child-assistance facilities."""
