"""Chat channels besides the web page: Microsoft Teams (``teams.py``)."""
