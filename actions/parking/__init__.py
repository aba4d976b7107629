"""Parking: paying a penalty charge notice (PCN)."""
