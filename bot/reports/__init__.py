"""HR's reports: the compliance report for the annual follow-up of the systematic work-environment
work (SAM), per unit and year, and the unit summary for the verksamhetsråd.

``facts`` reads the store once into plain records; ``compliance`` and ``unit_summary`` compute
from those records only, so every figure can be tested with hand-made facts and a fixed date;
``pdf`` prints both.
"""
