"""The honor roll: decisions and their awards, award lists (import and saving), places, the public
roll, exports and correction requests."""
