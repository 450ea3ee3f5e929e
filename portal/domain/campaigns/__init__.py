"""Emulation campaigns, their review rounds, and the working-day calendar."""
