"""``envcheck interconnect``: what distributed training depends on, measured.

Host↔device bandwidth per GPU, the GPU↔GPU bandwidth and latency matrix with and without
peer-to-peer, and the four NCCL collectives through ``torch.distributed`` over a sweep of
message sizes — algorithm and bus bandwidth as nccl-tests defines them, every result
checked, every step under a deadline. One process per GPU (the gloo backend on CPUs), on
one node (spawned here) or many (launched by ``torchrun`` or SLURM's ``srun``).

Modules: ``plan`` (options, sizes, steps), ``nccltests`` (the formulas), ``launch`` (who
started the ranks), ``protocol`` (what ranks publish in the store; hang diagnosis),
``watchdog``, ``collectives`` and ``copies`` (the torch work), ``rank`` (one rank's
program), ``local`` (one node: spawn and supervise), ``records``, ``verdict``, ``text``,
``plots``, ``burn_phase`` (cross-checked all-reduce for the burn-in). torch is imported
inside functions only, so importing this package costs nothing.
"""
