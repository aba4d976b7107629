"""Tests of the automated phone line (connectors/phone/)."""
