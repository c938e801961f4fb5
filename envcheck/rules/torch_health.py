"""What CUDA programs in this Python environment will see: the torch probe's results (the
environment variables that change what CUDA shows or how fast it runs are ``cuda_env``'s).

The torch probe (``envcheck/probes/torch_worker.py``) imports torch in a subprocess, asks for
the devices, launches a tiny kernel and compares a small convolution with the CPU. These
rules turn its results into findings; they never import torch.
"""

from __future__ import annotations

import re
from typing import Iterator, List

from envcheck.derived.machine import failure_texts, find_text, torch_in_play
from envcheck.derived.messages import STATED_DETAIL, is_stated
from envcheck.facts import Facts
from envcheck.reading import Status
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

# A float32 convolution on the GPU is compared with the same convolution on the CPU; the
# probe reports max|gpu - cpu| / max|cpu| (norm-wise relative error). cuDNN may run float32
# convolutions in TF32 (PyTorch allows it by default: torch.backends.cudnn.allow_tf32), which
# rounds both inputs to a 10-bit mantissa: each product is then off by at most about
# 2 * 2**-11 ≈ 9.8e-4 relative, and sums in float32 do not make the norm-wise error worse.
# Plain float32 gives ~1e-6. A broken GPU, driver or kernel gives errors of order 1 (or NaN).
# 1e-3 is therefore above anything TF32 can produce and far below a real failure.
CONV_REL_TOLERANCE = 1e-3


def _cuda_build(f: Facts) -> bool:
    return f.torch.cuda_build.ok and bool(f.torch.cuda_build.value)


def _texts(r) -> List[str]:
    return [t.strip() for t in r.get(()) if t and t.strip()]


def _required_name(s) -> str:
    """The torch file a loader message names, by its base name."""
    return re.split(r"[\\/]", str(s.fact("loader.required_by")).strip())[-1]


def _torch_label(f: Facts) -> str:
    return f"PyTorch {f.torch.version.value}" if f.torch.version.ok else "PyTorch"


LISTING_ROWS = 8


def torch_not_installed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    py = f.python
    said_absent = f.torch.installed.ok and f.torch.installed.value is False
    # The doctor's probe lists every package of the environment. In a paste, a package set is a
    # listing of the environment only with enough rows: a few packages are a `pip freeze | grep
    # nccl`, pip's "Successfully installed …" line, or packages a person named, none of which
    # would show torch where it is installed.
    listed = py.packages.ok and (f.source != "explain" or len(py.packages.value or ()) >= LISTING_ROWS)
    if not (listed and py.package("torch") is None) and not said_absent:
        return
    if f.torch.installed.ok and f.torch.installed.value:
        return
    where = py.executable.value if py.executable.ok else "this Python"
    told = said_absent and (f.torch.installed.detail or "").startswith(STATED_DETAIL)
    # torch's own report run where torch cannot be imported ("PyTorch version: N/A", no torch row):
    # the environment the paste is about has no usable torch, which is not "no problems" (r13ablate)
    collect_na = said_absent and f.source == "explain" and "PyTorch version N/A" in (f.torch.installed.detail or "")
    yield make("torch_not_installed",
               f"PyTorch is not installed for {where}"
               + (f" (a {py.env_kind.value} environment at {py.env_path.value})" if py.env_kind.ok and py.env_path.ok
                  else "") + ". `envcheck advise` picks the build that fits this driver and GPU and prints the "
               "install command.",
               evidence(("python.packages", "no torch"), ("python.executable", py.executable))
               + ([("torch.installed", f.torch.installed)] if told or collect_na else []),
               confidence=Confidence.LIKELY if told else None,
               # the person hit Python's error (retold in a sentence): a failure, not a note
               severity=Severity.ERROR if told and "No module named" in (f.torch.installed.detail or "")
               else Severity.WARNING if collect_na else None)


_TORCH_LIB = re.compile(r"[\\/]torch[\\/]lib[\\/]|[\\/]torch[\\/]_C[.\w-]*\.(?:so|pyd)\b")
# The exception's line, or torch/__init__.py's own words retyped without it ("WinError 127 Error loading
# D:\\…\\torch\\lib\\caffe2.dll or one of its dependencies": _load_dll_libraries' strerror tail).
_EXCEPTION = re.compile(r"^\s*(?:ImportError|OSError|ModuleNotFoundError)\b")
_IMPORT_LINE = re.compile(rf"{_EXCEPTION.pattern}|\bError\s+loading\b")


# torch's own Windows DLLs by name (torch\\lib of the wheels, loaded by torch/__init__.py's
# _load_dll_libraries), retold without their path: "c10.dll can't be found", "Error loading c10.dll"
# (explain/parsers/torch_dll_prose.py puts the sentence in torch.errors).
_OWN_DLL = re.compile(r"(?<![\w.-])(?:c10|c10_cuda|torch_cpu|torch_cuda\w*|torch_python|torch_global_deps|caffe2\w*"
                      r"|fbgemm|asmjit)\.dll\b", re.IGNORECASE)
# The Visual C++ runtime torch's DLLs link (torch/__init__.py checks vcruntime140.dll, msvcp140.dll,
# vcruntime140_1.dll first): Windows' "MSVCP140.dll was not found" with torch in the failure.
_VC_RUNTIME = re.compile(r"^(?:msvcp140|vcruntime140)(?:_\d)?\.dll$", re.IGNORECASE)


# explain/parsers/torch_vcruntime_said.py's VCRUNTIME_SAID: the runtime said missing, in a person's words.
_VC_SAID = "the Microsoft Visual C++ runtime was missing, the text says: "
# The person saying torch itself works ("torch 2.2 works fine in my venv", "import torch works"): a Windows
# dialog beside it is another program's.
_TORCH_FINE = re.compile(r"\b(?:py)?torch\b(?:[^.;!?]|\.(?=\d)){0,40}?\b(?:works?|working|imports?|loads?)\s+(?:just\s+)?"
                         r"(?:fine|ok(?:ay)?|well|correctly|normally)\b|\bimport\s+torch\s+works\b", re.IGNORECASE)


# A retold DLL failure said to be over, in the person's words.
_OVER = re.compile(r"\b(?:it'?s|it\s+is|is|was)\s+gone\b|\bwent\s+away\b|\bno\s+longer\b|\bdisappeared\b"
                   r"|\b(?:was|got|is|been)\s+(?:fixed|resolved|solved)\b|\bworks?\s+(?:now|again)\b", re.IGNORECASE)


def _torch_ran(f: Facts) -> bool:
    """The text shows torch imported: torch.cuda.is_available() answered (collect_env's "Is CUDA available",
    a REPL's output, or the person's "returns True"), or the person says torch works."""
    a = f.torch.cuda_available
    if a.ok and (not is_stated(a) or a.value is True):
        return True
    return any(_TORCH_FINE.search(t) for t in failure_texts(f))


def _windows_dll_failed(ctx: RuleContext) -> Iterator[Finding]:
    """torch's own DLL said not to load, or Windows missing the VC++ runtime while torch is the program."""
    f = ctx.facts
    said = next((e for e in (f.torch.errors.value or ()) if f.torch.errors.ok and _OWN_DLL.search(e)), None)
    if said is not None and (_OVER.search(said) or _torch_ran(f)):
        return  # the DLL's failure told as over ("… happened last week, I reinstalled and it's gone"), or torch runs
    if said is not None:
        yield make("torch_import_failed", f"{_torch_label(f)} cannot be imported: one of its own DLLs did not load "
                   f"({' '.join(said.split())[:240]}). Usually the Visual C++ runtime it links is missing (install the "
                   "Microsoft Visual C++ 2015-2022 x64 redistributable), or the install is broken.",
                   evidence(("torch.errors", said[:500])), confidence=Confidence.LIKELY)
        return
    vc = next((s for s in ctx.stated if _VC_RUNTIME.match(str(s.fact("loader.library") or ""))), None)
    if vc is not None and torch_in_play(f) and not _torch_ran(f):
        yield make("torch_import_failed", f"Windows could not find {vc.fact('loader.library')}, the Visual C++ runtime "
                   "torch's DLLs link, so torch cannot be loaded: install the Microsoft Visual C++ 2015-2022 x64 "
                   "redistributable.", [quote(vc)], confidence=Confidence.LIKELY)


def torch_import_failed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    err = f.torch.import_error
    if not (err.ok and err.value):
        # Without the import in view, torch still cannot be imported when the loader refused a
        # library torch's own files need ("version `GLIBC_2.28' not found (required by …/torch/lib/
        # libtorch_cpu.so)"), or Python's import failed on one of them ("ImportError: …/torch/lib/
        # libtorch_python.so: undefined symbol: …", macOS's "dlopen(…/torch/_C.cpython-311-darwin.so
        # …): Library not loaded").
        refused = next((s for s in ctx.stated if _TORCH_LIB.search(str(s.fact("loader.required_by") or ""))), None)
        own = next((e for e in (f.torch.errors.value or ()) if f.torch.errors.ok
                    and _IMPORT_LINE.search(e) and _TORCH_LIB.search(e)), None)
        if refused is not None:
            yield make("torch_import_failed",
                       f"{_torch_label(f)} cannot be imported: the dynamic loader refused what "
                       f"{_required_name(refused)} needs ({' '.join(refused.match.text.split())[:200]}).",
                       [quote(refused)])
        elif own is not None:
            yield make("torch_import_failed", f"{_torch_label(f)} cannot be imported: Python failed to load torch's "
                       f"own compiled files ({' '.join(own.split())[:240]}).", evidence(("torch.errors", own[:500])),
                       # torch's words retyped without the exception's line: a person's retelling
                       confidence=None if _EXCEPTION.match(own) else Confidence.LIKELY)
        else:
            yield from _windows_dll_failed(ctx)
        return
    if is_stated(err) and err.value.startswith(_VC_SAID) and _torch_ran(f):
        return  # the runtime's absence told beside a torch that runs: the failure is over, or another program's
    last = err.value.strip().splitlines()[-1] if err.value.strip() else err.value
    yield make("torch_import_failed",
               f"{_torch_label(f)} is installed but `import torch` fails: {last}",
               evidence(("torch.import_error", err.value.strip()[-500:]), ("torch.version", f.torch.version)),
               # a person's sentence ("when I import torch I get Illegal instruction"): a claim
               confidence=Confidence.LIKELY if is_stated(err) else None)


def known_bad_build_by_signature(ctx: RuleContext) -> Iterator[Finding]:
    """A known-bad build recognised by its failure when the paste does not say which torch it
    is. Only entries pinned to one release (``torch = "==X"``) whose failure text no other
    release prints are read this way, and every condition the entry names must hold (its text
    and its OS): torch 2.4.0's Windows wheels fail on fbgemm.dll, the first DLL in torch/lib
    that needs libomp140 — c10.dll, loaded before it, needs only the Visual C++ runtime, so a
    missing runtime fails there instead (pytorch/pytorch#131662). With the version in the text
    ``versions.known_bad_torch_build`` decides, from the table."""
    tv = ctx.torch_view
    if tv is not None and tv.version is not None and not tv.version.stated:
        return  # a tool showed the version; a sentence's ("torch 2.3 and earlier don't need it") is weaker
    os_id = ctx.facts.host.os_id.value if ctx.facts.host.os_id.ok else None
    for bad in ctx.kb.known_bad:
        if not (bad.when_text and bad.text_alone and bad.torch.startswith("==")) or (
                bad.when_os and os_id not in bad.when_os):
            continue
        text = find_text(ctx.facts, *bad.when_text)
        if text is None:
            continue
        release = bad.torch[2:]
        yield make("known_bad_torch_build",
                   f"This failure is the signature of torch {release}'s known-bad build: " + bad.summary
                   + (f" ({bad.fix_note})" if bad.fix_note else "") + " No tool output in the text shows the torch version: "
                   "`pip show torch` confirms it.",
                   [("torch.errors", " ".join(text.split())[:300]), ("known_bad_builds table", bad.id)],
                   links=[bad.issue], confidence=Confidence.LIKELY)
        return


def torch_cuda_unavailable(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    t = f.torch
    if not (_cuda_build(f) and t.cuda_available.ok and t.cuda_available.value is False and f.has_nvidia_gpu):
        return
    said = _texts(t.errors) + _texts(t.warnings)
    yield make("torch_cuda_unavailable",
               f"{_torch_label(f)} was built for CUDA {t.cuda_build.value}, the machine has an NVIDIA GPU, and "
               "yet torch.cuda.is_available() is False"
               + (f". PyTorch said: {said[0]}" if said else "") + " The other findings in this report say why "
               "(driver, module, permissions or CUDA_VISIBLE_DEVICES).",
               [("torch.cuda_build", t.cuda_build.value), ("torch.cuda_available", False)]
               + [("torch.errors", s[:300]) for s in said[:3]])


def torch_gpu_check_failed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    t = f.torch
    # A launch that raised (status error) after CUDA came up is a failed check too; without
    # CUDA it is expected and torch_cuda_unavailable says why.
    kernel_bad = (t.kernel_check.ok and t.kernel_check.value is False) or (
        t.kernel_check.status is Status.ERROR and t.cuda_available.ok and bool(t.cuda_available.value))
    err = t.conv_check_max_rel_err.value if t.conv_check_max_rel_err.ok else None
    cuda_up = t.cuda_available.ok and bool(t.cuda_available.value)
    # NaN counts as a failure; so does an errored check once CUDA is up (a snapshot stores a
    # non-finite error as status error, so live and --facts diagnoses agree).
    conv_bad = (err is not None and not err <= CONV_REL_TOLERANCE) or (
        t.conv_check_max_rel_err.status is Status.ERROR and cuda_up)
    verify_bad = t.conv_check_passed.ok and t.conv_check_passed.value is False
    if not (kernel_bad or conv_bad or verify_bad):
        return
    what = []
    if kernel_bad:
        what.append("a tiny test kernel did not run or returned the wrong answer"
                    + (f" ({t.kernel_check.detail})" if t.kernel_check.detail else ""))
    if verify_bad:
        what.append(f"the quick convolution check against a float64 reference failed ({t.conv_check_passed.detail})")
    elif conv_bad and err is None:
        what.append(f"the small convolution check gave no usable result ({t.conv_check_max_rel_err.detail})")
    elif conv_bad:
        what.append(f"a small float32 convolution differed from the CPU by {err:.3g} (relative), above the "
                    f"{CONV_REL_TOLERANCE:g} that TF32 rounding can explain")
    yield make("torch_gpu_check_failed",
               "PyTorch reached the GPU, but " + " and ".join(what) + ". Results computed on this GPU cannot be "
               "trusted until this is understood.",
               evidence(("torch.kernel_check", t.kernel_check), ("torch.conv_check_max_rel_err", t.conv_check_max_rel_err),
                        ("torch.conv_check_passed", t.conv_check_passed))
               + [("torch.errors", s[:300]) for s in _texts(t.errors)[:2]], {"gpu_index": 0})


def torch_probe_failed(ctx: RuleContext) -> Iterator[Finding]:
    t = ctx.facts.torch
    # The probe as a whole failed when it could not say whether torch imports or CUDA is up;
    # a check that errored after CUDA came up is torch_gpu_check_failed instead.
    whole = (("installed", t.installed), ("version", t.version), ("cuda_available", t.cuda_available))
    checks = (("kernel_check", t.kernel_check), ("conv_check_max_rel_err", t.conv_check_max_rel_err))
    bad = [(n, r) for n, r in whole if r.status in (Status.TIMEOUT, Status.ERROR)]
    bad += [(n, r) for n, r in checks if r.status is Status.TIMEOUT]
    if not bad:
        return
    name, r = bad[0]
    how = "did not finish in time" if r.status is Status.TIMEOUT else "crashed"
    yield make("torch_probe_failed",
               f"The PyTorch probe (a subprocess that imports torch and initialises CUDA) {how}"
               + (f": {r.detail}" if r.detail else "") + ". A CUDA initialisation that hangs usually means a "
               "driver or GPU problem; the other findings may name it.",
               evidence(*((f"torch.{n}", x) for n, x in bad)))


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    torch_not_installed,
    torch_import_failed,
    known_bad_build_by_signature,
    torch_cuda_unavailable,
    torch_gpu_check_failed,
    torch_probe_failed,
)
