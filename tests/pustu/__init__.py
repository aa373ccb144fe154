"""Tests of the Pustu gap layer, access and summaries (issue 9)."""
