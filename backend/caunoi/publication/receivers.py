"""Reacts to what happens to cases: an approved answer with the citizen's consent becomes a publication
candidate. Connected in apps.py; cases knows nothing of publication (it sits on a lower floor)."""
