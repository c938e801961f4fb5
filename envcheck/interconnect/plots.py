"""``--plot DIR``: the GPU<->GPU matrices as heatmaps, and bus bandwidth against message size.

matplotlib is optional (``envcheck[plot]``) and imported only here, with the Agg backend;
files are written atomically. One PNG per matrix (node), one for the collectives.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any, List

from ..atomicio import atomic_write_bytes
from ..errors import EnvcheckError, SetupError
from .nccltests import COLLECTIVES
from .records import Matrix, Outcome


def check_available(plot_dir: Path) -> None:
    """Before a run: matplotlib importable, the directory usable (one line otherwise)."""
    if importlib.util.find_spec("matplotlib") is None:
        raise SetupError("--plot needs matplotlib, which is not installed: pip install 'envcheck[plot]'")
    if plot_dir.exists() and not plot_dir.is_dir():
        raise EnvcheckError(f"--plot {plot_dir}: not a directory")
    try:
        plot_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvcheckError(f"--plot {plot_dir}: cannot create the directory: {exc.strerror or exc}") from None


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


def _heatmap(ax: Any, m: Matrix, via: str, field: str, title: str) -> None:
    n = len(m.devices)
    grid = [[float("nan")] * n for _ in range(n)]
    for c in m.cells:
        if c.via == via:
            grid[c.src][c.dst] = getattr(c, field)
    im = ax.imshow(grid, cmap="viridis")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("destination GPU")
    ax.set_ylabel("source GPU")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    for i in range(n):
        for j in range(n):
            if grid[i][j] == grid[i][j]:  # not NaN
                ax.text(j, i, f"{grid[i][j]:.0f}", ha="center", va="center", fontsize=7, color="w")
    ax.figure.colorbar(im, ax=ax, shrink=0.8)


def write_plots(outcome: Outcome, plot_dir: Path) -> List[Path]:
    plt = _pyplot()
    written: List[Path] = []
    for m in outcome.matrices:
        if m.error or not m.cells:
            continue
        fig, axes = plt.subplots(2, 2, figsize=(11, 9))
        _heatmap(axes[0][0], m, "p2p", "bandwidth_gb_s", "GB/s, direct (P2P)")
        _heatmap(axes[0][1], m, "host", "bandwidth_gb_s", "GB/s, through host memory")
        _heatmap(axes[1][0], m, "p2p", "latency_us", "latency (us), direct")
        _heatmap(axes[1][1], m, "host", "latency_us", "latency (us), through host memory")
        fig.suptitle(f"GPU <-> GPU on node {m.node} ({m.host})")
        written.append(_save(plt, fig, plot_dir / f"interconnect_matrix_node{m.node}.png"))
    if outcome.rows:
        fig, ax = plt.subplots(figsize=(8, 5))
        for c in COLLECTIVES:
            rows = [r for r in outcome.rows if r.collective == c]
            if rows:
                ax.plot([r.size_bytes for r in rows], [r.busbw_gb_s for r in rows], marker="o", ms=3, label=c)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("message size S (bytes)")
        ax.set_ylabel("bus bandwidth (GB/s, nccl-tests definition)")
        ax.set_title(f"{outcome.backend}, {outcome.world_size} ranks")
        ax.grid(True, alpha=0.3)
        ax.legend()
        written.append(_save(plt, fig, plot_dir / "interconnect_busbw.png"))
    return written
