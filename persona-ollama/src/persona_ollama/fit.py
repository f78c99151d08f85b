"""Will a model fit this machine? Memory readings, and the memory a model needs at a context size.

The need is the weights (the model file, plus runtime overhead) and the KV cache for the context
Persona would use: two tensors (keys and values) per layer, each context x KV heads x head size,
in 16-bit floats. Readings come from psutil, ``nvidia-smi`` and Apple silicon's unified memory;
``ollama.ram_gb`` and ``ollama.gpu_gb`` override them (containers often misreport).
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

GIB = 1024**3
WEIGHTS_OVERHEAD = 1.10  # runtime buffers beside the weights
RAM_USABLE = 0.80  # leave room for the system and the rest of Persona
GPU_USABLE = 0.90
APPLE_GPU_SHARE = 0.75  # macOS lets the GPU wire about three quarters of unified memory

Verdict = Literal["gpu", "ram", "no", "unknown"]


@dataclass(frozen=True)
class Memory:
    ram_bytes: int
    gpu_bytes: int | None = None
    gpu_kind: str | None = None  # "nvidia", "apple", or None

    def describe(self) -> str:
        gpu = f", {self.gpu_bytes / GIB:.0f} GB {self.gpu_kind} GPU memory" if self.gpu_bytes else ", no GPU"
        return f"{self.ram_bytes / GIB:.0f} GB RAM{gpu}"


@dataclass(frozen=True)
class Fit:
    verdict: Verdict
    needed_bytes: int | None
    context: int | None

    def describe(self) -> str:
        if self.needed_bytes is None:
            return "size unknown"
        where = {
            "gpu": "fits in GPU memory",
            "ram": "fits in RAM only (slow)",
            "no": "does not fit",
            "unknown": "unknown",
        }[self.verdict]
        return f"needs {self.needed_bytes / GIB:.1f} GB at {self.context:,} tokens: {where}"


def read_memory(ram_gb: float | None = None, gpu_gb: float | None = None) -> Memory:
    """This machine's memory, with the user's overrides taking precedence."""
    if ram_gb is not None:
        ram = int(ram_gb * GIB)
    else:
        import psutil

        ram = int(psutil.virtual_memory().total)
    if gpu_gb is not None:
        return Memory(ram, int(gpu_gb * GIB) if gpu_gb > 0 else None, "configured" if gpu_gb > 0 else None)
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return Memory(ram, int(ram * APPLE_GPU_SHARE), "apple")
    nvidia = _nvidia_memory()
    return Memory(ram, nvidia, "nvidia" if nvidia else None)


def _nvidia_memory() -> int | None:
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        out = subprocess.run(
            [tool, "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    sizes = [int(line.strip()) for line in out.splitlines() if line.strip().isdigit()]
    # Ollama splits a model over several GPUs, so their memory adds up.
    return sum(sizes) * 1024**2 if sizes else None


def needed_bytes(size_bytes: int | None, model_info: Mapping[str, Any], context: int) -> int | None:
    if not size_bytes:
        return None
    weights = size_bytes * WEIGHTS_OVERHEAD
    arch = model_info.get("general.architecture")
    layers = model_info.get(f"{arch}.block_count")
    heads = model_info.get(f"{arch}.attention.head_count")
    kv_heads = model_info.get(f"{arch}.attention.head_count_kv") or heads
    head_size = model_info.get(f"{arch}.attention.key_length")
    if head_size is None and heads and model_info.get(f"{arch}.embedding_length"):
        head_size = model_info[f"{arch}.embedding_length"] // heads
    kv_cache = 2 * layers * context * kv_heads * head_size * 2 if layers and kv_heads and head_size else 0
    return int(weights + kv_cache)


def classify(needed: int | None, memory: Memory) -> Verdict:
    if needed is None:
        return "unknown"
    if memory.gpu_bytes and needed <= memory.gpu_bytes * GPU_USABLE:
        return "gpu"
    if needed <= memory.ram_bytes * RAM_USABLE:
        return "ram"
    return "no"
