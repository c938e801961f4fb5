"""Facts read together with the knowledge tables: what a machine's partial facts imply.

``knowledge/`` holds tables and their lookups only; the modules here read
:class:`~envcheck.facts.Facts` (a GPU's compute capability from its name, torch's CUDA
from its version suffix, the CUDA libraries LD_LIBRARY_PATH puts first) for the rules
and the advisor, which both sit above this layer.
"""
